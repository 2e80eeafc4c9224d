import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateUpgradeSafety } from '@openzeppelin/upgrades-core';
import { GovLayoutError } from './errors.js';

const run = promisify(execFile);

export type BuildLayoutInfoParameters = {
  /** Project root (where foundry.toml is). */
  root: string;
  /** Output folder; emptied first, so the build info holds exactly one compilation. */
  outDir: string;
  /** Sources to compile (default: the protocol's sources). */
  paths?: readonly string[];
};

/**
 * Compiles with the `layout` foundry profile (build info with storage layouts) into a fresh folder and returns
 * the build-info directory that {@link validateLayout} reads.
 */
export async function buildLayoutInfo({ root, outDir, paths = ['src-sol'] }: BuildLayoutInfoParameters): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  const out = join(outDir, 'out');
  try {
    await run('npx', ['forge', 'build', '--out', out, '--cache-path', join(outDir, 'cache'), ...paths], {
      cwd: root,
      env: { ...process.env, FOUNDRY_PROFILE: 'layout' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw new GovLayoutError('forge build (profile layout) failed.', { cause });
  }
  return join(out, 'build-info');
}

export type ValidateLayoutParameters = {
  buildInfoDir: string;
  /** One contract (name or `path:Name`); its reference comes from `@custom:oz-upgrades-from` unless given. */
  contract?: string;
  reference?: string;
  /** Source globs left out of a whole-project check. */
  exclude?: string[];
};

export type ValidateLayoutReturnType = { ok: boolean; passed: number; total: number; report: string };

/**
 * Runs OpenZeppelin's upgrade-safety validation (storage layout against the reference, plus the usual
 * upgradeability rules) over forge build info.
 */
export async function validateLayout(p: ValidateLayoutParameters): Promise<ValidateLayoutReturnType> {
  const report = await validateUpgradeSafety(p.buildInfoDir, p.contract, p.reference, {}, undefined, p.exclude);
  return { ok: report.ok, passed: report.numPassed, total: report.numTotal, report: report.explain() };
}
