import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog, type LoadedModel } from '../../../adapter/inference/catalog.js';
import type { Prover } from '../../../adapter/inference/prover.js';
import { startProveWorker } from '../../../adapter/prove-worker.js';
import { openPgStore } from '../../../adapter/store/postgres/index.js';
import type { Hex } from '../../../lib/semantics/index.js';
import { startPostgres, type LocalPostgres } from '../../../lib/devnet/postgres.js';
import { waitFor } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';

const PROVER = `0x${'11'.repeat(20)}` as const;
const modelDir = writeModelDir(classifier, 'classifier');

let postgres: LocalPostgres;
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(() => postgres?.stop());

/** A prover that "proves" by writing down what it was asked (the Groth16 one is tested in e2e-zk). */
class RecordingProver implements Prover {
  readonly calls: string[] = [];
  canProve(model: LoadedModel): boolean {
    return model.name === 'classifier';
  }
  async prove(_model: LoadedModel, input: readonly bigint[], output: readonly bigint[], prover: Hex): Promise<Hex> {
    this.calls.push(input.join(','));
    await new Promise((r) => setTimeout(r, 20));
    return `0x${input.map((v) => v.toString(16).padStart(2, '0')).join('')}${output.map((v) => v.toString(16).padStart(2, '0')).join('')}${prover.slice(2)}` as Hex;
  }
}

describe('prove workers', () => {
  it('two workers take the queued proofs, each made once, bound to the submitter, and written back for the leader', async () => {
    const url = postgres.createDatabase('workers');
    const store = await openPgStore(url);
    const logger = pino({ level: 'silent' });
    const [model] = (await ModelCatalog.load([modelDir])).models;
    const provers = [new RecordingProver(), new RecordingProver()];
    const workers = await Promise.all(provers.map((prover) => startProveWorker({ db: url, models: [modelDir], logger, prover, pollIntervalMs: 50 })));
    try {
      const jobs = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await store.jobs.ensureJob({ requestId: BigInt(i + 1), kind: 'propose', modelId: model!.modelHash })).job),
      );
      for (const [i, job] of jobs.entries())
        await store.proofs!.requestProof({ jobId: job.id, modelHash: model!.modelHash, input: [BigInt(i), 1n], output: [2n], prover: PROVER });
      // An unknown model: written back as failed (the leader falls back), not left open.
      const { job: other } = await store.jobs.ensureJob({ requestId: 99n, kind: 'propose', modelId: `0x${'ee'.repeat(32)}` });
      await store.proofs!.requestProof({ jobId: other.id, modelHash: `0x${'ee'.repeat(32)}`, input: [1n], output: [1n], prover: PROVER });

      const status = (id: number) => store.proofs!.requestProof({ jobId: id, modelHash: model!.modelHash, input: [], output: [], prover: PROVER });
      await waitFor(async () => (await Promise.all(jobs.map((j) => status(j.id)))).every((s) => s.state === 'done'), 20_000, 'every proof');
      for (const [i, job] of jobs.entries())
        expect(await status(job.id)).toEqual({ state: 'done', proof: `0x${i.toString(16).padStart(2, '0')}0102${PROVER.slice(2)}` });
      expect((await status(other.id)).state).toBe('failed');
      const made = provers.flatMap((p) => p.calls).sort();
      expect(made).toEqual(jobs.map((_, i) => `${i},1`).sort());
      expect(workers[0]!.proved() + workers[1]!.proved()).toBe(8);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await store.close();
    }
  });
});
