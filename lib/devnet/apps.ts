import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { runForgeScript } from './forge.js';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

export const appsDeploymentSchema = z.object({
  creditLineLender: address,
  proposalScreener: address,
  contentModerator: address,
  qualityInspector: address,
  /** Deployed when a tagger model id is given. */
  proposalTagger: address.optional(),
});
export type AppsDeployment = z.infer<typeof appsDeploymentSchema>;

/**
 * Deploys the example apps behind UUPS proxies with `script/DeployExamples.s.sol` (the tagger when its model is given).
 * The QualityInspector is built for images of `imagePixelCount` pixels, its model's input length.
 */
export async function deployApps(params: {
  rpc: string;
  deployerKey: string;
  oracle: string;
  modelIds: { credit: string; proposals: string; moderation: string; image: string; tagger?: string };
  imagePixelCount: number;
  creditScaleBits: number;
  lenderLiquidity: bigint;
  inspector: string;
  out: string;
}): Promise<AppsDeployment> {
  await runForgeScript('script/DeployExamples.s.sol', params.rpc, params.deployerKey, {
    ORACLE: params.oracle,
    CREDIT_MODEL_ID: params.modelIds.credit,
    PROPOSALS_MODEL_ID: params.modelIds.proposals,
    MODERATION_MODEL_ID: params.modelIds.moderation,
    IMAGE_MODEL_ID: params.modelIds.image,
    IMAGE_PIXEL_COUNT: String(params.imagePixelCount),
    ...(params.modelIds.tagger === undefined ? {} : { TAGGER_MODEL_ID: params.modelIds.tagger }),
    CREDIT_SCALE_BITS: String(params.creditScaleBits),
    LENDER_LIQUIDITY: params.lenderLiquidity.toString(),
    INSPECTOR: params.inspector,
    DEPLOYMENT_OUT: params.out,
  });
  return appsDeploymentSchema.parse(JSON.parse(await readFile(params.out, 'utf8')));
}
