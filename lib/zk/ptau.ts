import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { ZkSetupError } from './errors.js';
import { snarkLogger, zkLog } from './log.js';
import { ptauCacheDir } from './paths.js';

/** The largest power this pipeline generates locally (2^20 constraints; beyond that use a ceremony file). */
export const MAX_LOCAL_POWER = 20;
const MIN_POWER = 6;

/**
 * The smallest power of tau that fits a Groth16 circuit, with snarkjs' own rule
 * (`zkey new`: the domain holds the constraints plus one row per public signal and one for the constant).
 */
export function requiredPower(info: { nConstraints: number; nPubInputs: number; nOutputs: number }): number {
  const rows = info.nConstraints + info.nPubInputs + info.nOutputs + 1;
  return Math.max(MIN_POWER, (rows - 1).toString(2).length);
}

export function cachedPtauPath(power: number): string {
  return join(ptauCacheDir(), `pot${power}.ptau`);
}

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Returns a phase-2-ready powers-of-tau file for `power`, generating it (new accumulator, one local random
 * contribution, prepare phase 2) into the cache when it is missing. A local file has a single contributor
 * (this machine): it is for development and tests only; production must pass a public ceremony file.
 * Concurrent callers wait for one generation through a lock directory.
 */
export async function ensureLocalPtau(power: number): Promise<{ path: string; generatedMs: number }> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_LOCAL_POWER)
    throw new ZkSetupError(`Cannot generate powers of tau of power ${power} locally (1..${MAX_LOCAL_POWER}).`, {
      metaMessages: ['Pass a ceremony file with --ptau for large circuits.'],
    });
  const path = cachedPtauPath(power);
  if (await exists(path)) return { path, generatedMs: 0 };
  await mkdir(ptauCacheDir(), { recursive: true });
  const lock = `${path}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (await exists(path)) return { path, generatedMs: 0 };
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      // A lock older than a generation could take is stale (its process died). Power 14 took about 17 minutes here
      // under load and every power doubles it: an hour for power 14 and below, doubling from there.
      if (age > 60 * 60_000 * 2 ** Math.max(0, power - 14)) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (await exists(path)) return { path, generatedMs: 0 };
    zkLog.info({ power, path }, 'generating powers of tau locally (single contributor: not for production)');
    const t0 = Date.now();
    const tmp = [0, 1, 2].map((k) => `${path}.${process.pid}.${k}.tmp`);
    const logger = snarkLogger();
    try {
      const curve = await snarkjs.curves.getCurveFromName('bn128');
      await snarkjs.powersOfTau.newAccumulator(curve, power, tmp[0]!, logger);
      await snarkjs.powersOfTau.contribute(tmp[0]!, tmp[1]!, 'vai local contribution', randomBytes(32).toString('hex'), logger);
      await snarkjs.powersOfTau.preparePhase2(tmp[1]!, tmp[2]!, logger);
      await rename(tmp[2]!, path);
    } catch (cause) {
      throw new ZkSetupError(`Generating powers of tau of power ${power} failed.`, { cause, details: (cause as Error).message });
    } finally {
      await Promise.all(tmp.map((t) => rm(t, { force: true })));
    }
    const generatedMs = Date.now() - t0;
    zkLog.info({ power, ms: generatedMs, waitedMs: t0 - started }, 'powers of tau ready');
    return { path, generatedMs };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
