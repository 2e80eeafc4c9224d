import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from '../../lib/semantics/index.js';
import { ARTIFACTS, zkDir } from '../../lib/zk/paths.js';
import {
  closeSharedProver,
  type GraphArtifacts,
  loadArtifacts,
  loadGraphArtifacts,
  proveBatch,
  proveGraphInference,
  proveInference,
  type ZkArtifacts,
} from '../../lib/zk/index.js';
import { ProverError } from '../errors.js';
import type { LoadedModel } from './catalog.js';
import type { BatchProof, Prover } from './prover.js';

const hasSetup = (dir: string): boolean =>
  existsSync(join(dir, ARTIFACTS.settings)) && existsSync(join(dir, ARTIFACTS.zkey)) && existsSync(join(dir, ARTIFACTS.wasm));

const same = (a: readonly bigint[], b: readonly bigint[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Groth16 proofs with `lib/zk` (snarkjs in a worker thread) for models set up with `vai zk setup`
 * (`<modelDir>/zk/`, batches in `<modelDir>/zk/batch-<K>/`). The circuit's outputs are checked against the reference
 * executor by `proveInference` / `proveBatch`, and against the outputs the node is about to submit here.
 */
export class ZkProver implements Prover {
  readonly #artifacts = new Map<string, Promise<ZkArtifacts>>();
  readonly #graphArtifacts = new Map<string, Promise<GraphArtifacts>>();
  readonly #batchSizes = new Map<string, number[]>();

  /** Chain models and integer graphs (`vai zk setup` dispatches on the folder); a generation model has no circuit. */
  canProve(model: LoadedModel): boolean {
    if (model.kind === 'graph' && model.generation) return false;
    return hasSetup(zkDir(model.dir));
  }

  /** Read once per model: a batch set-up added later is seen after a restart. */
  batchSizes(model: LoadedModel): readonly number[] {
    // Graph circuits have no batch set-up yet (lib/zk/graph-setup.ts refuses one).
    if (model.kind === 'graph') return [];
    let sizes = this.#batchSizes.get(model.modelHash);
    if (!sizes) {
      const root = zkDir(model.dir);
      const names = existsSync(root) ? readdirSync(root) : [];
      sizes = names
        .map((name) => /^batch-(\d+)$/.exec(name)?.[1])
        .filter((k): k is string => k !== undefined && hasSetup(zkDir(model.dir, Number(k))))
        .map(Number)
        .sort((a, b) => a - b);
      this.#batchSizes.set(model.modelHash, sizes);
    }
    return sizes;
  }

  #load(model: LoadedModel, batch?: number): Promise<ZkArtifacts> {
    const key = `${model.modelHash}:${batch ?? 'single'}`;
    let artifacts = this.#artifacts.get(key);
    if (!artifacts) {
      artifacts = loadArtifacts(model.dir, batch);
      artifacts.catch(() => this.#artifacts.delete(key));
      this.#artifacts.set(key, artifacts);
    }
    return artifacts;
  }

  #loadGraph(model: LoadedModel & { kind: 'graph' }): Promise<GraphArtifacts> {
    let artifacts = this.#graphArtifacts.get(model.modelHash);
    if (!artifacts) {
      artifacts = loadGraphArtifacts(model.dir, model.graph);
      artifacts.catch(() => this.#graphArtifacts.delete(model.modelHash));
      this.#graphArtifacts.set(model.modelHash, artifacts);
    }
    return artifacts;
  }

  async prove(model: LoadedModel, input: readonly bigint[], output: readonly bigint[], prover: Hex): Promise<Hex> {
    const proof =
      model.kind === 'graph'
        ? await proveGraphInference(model.dir, model.graph, input, prover, { artifacts: await this.#loadGraph(model) })
        : await proveInference(model.dir, input, prover, { artifacts: await this.#load(model) });
    if (!same(proof.output, output)) throw new ProverError(`The circuit of ${model.name} gives [${proof.output.join(', ')}], not [${output.join(', ')}].`);
    return proof.calldata;
  }

  async proveBatch(
    model: LoadedModel,
    inputs: readonly (readonly bigint[])[],
    outputs: readonly (readonly bigint[])[],
    prover: Hex,
    batchSize: number,
  ): Promise<BatchProof> {
    const proof = await proveBatch(model.dir, inputs, prover, { batch: batchSize, artifacts: await this.#load(model, batchSize) });
    outputs.forEach((output, i) => {
      const proven = proof.outputs[i]!;
      if (!same(proven, output))
        throw new ProverError(`The batch circuit of ${model.name} gives [${proven.join(', ')}] in slot ${i}, not [${output.join(', ')}].`);
    });
    return { batchSize: proof.batch, signals: proof.signals, proof: proof.calldata };
  }

  async close(): Promise<void> {
    await closeSharedProver();
  }
}
