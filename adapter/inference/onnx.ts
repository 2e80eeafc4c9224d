import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGraphSession } from '../../lib/model/model-dir.js';
import { openSession, runIntBatch, type Session } from '../../lib/model/ort.js';
import { InferenceError } from '../errors.js';
import type { LoadedModel } from './catalog.js';
import type { InferenceEngine } from './engine.js';

/** The integer graph file of a model folder (manifest `files.integer`, else `model.int.onnx`). */
export function integerGraphPath(model: LoadedModel): string {
  return join(model.dir, model.manifest.files?.integer ?? 'model.int.onnx');
}

/**
 * onnxruntime-node on the model's integer graph (a chain model's, a CNN's or a transformer's), one session per
 * model opened on first use.
 */
export class OnnxEngine implements InferenceEngine {
  readonly name = 'onnxruntime';
  readonly #sessions = new Map<string, Promise<Session>>();

  static available(model: LoadedModel): boolean {
    return existsSync(integerGraphPath(model));
  }

  #session(model: LoadedModel): Promise<Session> {
    let session = this.#sessions.get(model.modelHash);
    if (!session) {
      const path = integerGraphPath(model);
      session = readFile(path).then(openSession, (cause: unknown) => {
        throw new InferenceError(`Cannot open the integer graph ${path}.`, { cause, metaMessages: ['Build it with: vai model build.'] });
      });
      this.#sessions.set(model.modelHash, session);
    }
    return session;
  }

  async run(model: LoadedModel, input: readonly bigint[]): Promise<bigint[]> {
    const session = await this.#session(model);
    try {
      if (model.kind === 'graph') return await runGraphSession(session, model, input);
      const { outputs } = await runIntBatch(session, [input], input.length);
      return outputs[0]!;
    } catch (cause) {
      throw new InferenceError(`onnxruntime failed on model ${model.name}.`, { cause });
    }
  }

  async close(): Promise<void> {
    const sessions = await Promise.allSettled(this.#sessions.values());
    for (const s of sessions) if (s.status === 'fulfilled') await s.value.release();
    this.#sessions.clear();
  }
}

/**
 * The engine for a set of models: onnxruntime where the integer graph exists, cross-checked against the
 * reference executor; the reference executor alone otherwise.
 */
export class RoutingEngine implements InferenceEngine {
  readonly name = 'routing';
  constructor(
    readonly onnx: InferenceEngine,
    readonly reference: InferenceEngine,
  ) {}
  async run(model: LoadedModel, input: readonly bigint[]): Promise<bigint[]> {
    return (OnnxEngine.available(model) ? this.onnx : this.reference).run(model, input);
  }
  async close(): Promise<void> {
    await this.onnx.close?.();
  }
}
