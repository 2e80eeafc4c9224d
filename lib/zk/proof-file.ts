import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Groth16Proof } from 'snarkjs';
import { ProofFormatError } from './errors.js';
import type { InferenceProof } from './prove.js';

/** Version 2 added `prover`: the address the proof is bound to (version-1 proofs predate the prover signal). */
export const PROOF_FILE_FORMAT = 'vai-zk-proof/2';

const intString = z.string().regex(/^-?\d+$/);
const proofSchema = z.object({
  pi_a: z.array(z.string()),
  pi_b: z.array(z.array(z.string())),
  pi_c: z.array(z.string()),
  protocol: z.string(),
  curve: z.string(),
});

/** A proof file: everything a verifier (off or on chain) needs besides the model's verifying key. */
export const proofFileSchema = z.object({
  format: z.literal(PROOF_FILE_FORMAT),
  modelHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  input: z.array(intString),
  output: z.array(intString),
  /** The address that must submit the proof (written checksummed). */
  prover: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  proof: proofSchema,
  publicSignals: z.array(intString),
  calldata: z.string().regex(/^0x[0-9a-f]*$/),
});

export type ProofFile = z.infer<typeof proofFileSchema>;

export function toProofFile(p: InferenceProof): ProofFile {
  return {
    format: PROOF_FILE_FORMAT,
    modelHash: p.modelHash,
    input: p.input.map(String),
    output: p.output.map(String),
    prover: p.prover,
    proof: p.proof,
    publicSignals: p.publicSignals,
    calldata: p.calldata,
  };
}

export async function writeProofFile(path: string, p: InferenceProof): Promise<void> {
  await writeFile(path, `${JSON.stringify(toProofFile(p), null, 1)}\n`);
}

export async function readProofFile(path: string): Promise<{ file: ProofFile; input: bigint[]; output: bigint[]; prover: string; proof: Groth16Proof }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ProofFormatError(`Cannot read proof file ${path}.`, { cause, details: (cause as Error).message });
  }
  const parsed = proofFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProofFormatError(`${path} is not a ${PROOF_FILE_FORMAT} proof file: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`, {
      metaMessages: ['Make one with: vai zk prove <modelDir> --input ... --prover <address> --out proof.json'],
    });
  }
  const file = parsed.data;
  return { file, input: file.input.map(BigInt), output: file.output.map(BigInt), prover: file.prover, proof: file.proof };
}
