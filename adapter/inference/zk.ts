import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from '../../lib/semantics/index.js';
import { ARTIFACTS, zkDir } from '../../lib/zk/paths.js';
import { closeSharedProver, loadArtifacts, proveInference, type ZkArtifacts } from '../../lib/zk/index.js';
import { ProverError } from '../errors.js';
import type { LoadedModel } from './catalog.js';
import type { Prover } from './prover.js';

/**
 * Groth16 proofs with `lib/zk` (snarkjs in a worker thread) for models set up with `vai zk setup`
 * (`<modelDir>/zk/`). The circuit's output is checked against the reference executor by `proveInference`.
 */
export class ZkProver implements Prover {
  readonly #artifacts = new Map<string, Promise<ZkArtifacts>>();

  canProve(model: LoadedModel): boolean {
    const dir = zkDir(model.dir);
    return existsSync(join(dir, ARTIFACTS.settings)) && existsSync(join(dir, ARTIFACTS.zkey)) && existsSync(join(dir, ARTIFACTS.wasm));
  }

  async prove(model: LoadedModel, input: readonly bigint[], output: readonly bigint[], prover: Hex): Promise<Hex> {
    let artifacts = this.#artifacts.get(model.modelHash);
    if (!artifacts) {
      artifacts = loadArtifacts(model.dir);
      artifacts.catch(() => this.#artifacts.delete(model.modelHash));
      this.#artifacts.set(model.modelHash, artifacts);
    }
    const proof = await proveInference(model.dir, input, prover, { artifacts: await artifacts });
    if (proof.output.length !== output.length || proof.output.some((v, i) => v !== output[i]))
      throw new ProverError(`The circuit of ${model.name} gives [${proof.output.join(', ')}], not [${output.join(', ')}].`);
    return proof.calldata;
  }

  async close(): Promise<void> {
    await closeSharedProver();
  }
}
