// Benchmark of the operator node on the proven path with batching (not a test): part of `npm run bench:node`.
// Starts anvil (1 s blocks), deploys the protocol with the digits example model, its verifier and its batch verifier
// of K (vai zk setup, vai zk setup --batch K), starts one node (proposer, --prove), offers N requests at a steady rate
// and measures the requests finalized by a proof per minute, the batches, the latency and the gas per request.
// Writes bench/results/node-proven.md. Options: BENCH_PROVEN_REQUESTS (default 240), BENCH_PROVEN_RATE (offered
// requests/s, default 3), BENCH_PROVEN_BATCH (K, default 4), BENCH_PROVEN_WAIT_BLOCKS (--batch-wait-blocks, default 2).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ContractFactory, JsonRpcProvider, type InterfaceAbi } from 'ethers';
import { pino } from 'pino';
import { parseNodeConfig } from '../../adapter/config.js';
import { startNode } from '../../adapter/node.js';
import { ensureExampleModel } from '../../lib/apps/examples.js';
import { PROVENANCES } from '../../lib/client/oracle-abi.js';
import { compileSolidity } from '../../lib/devnet/solidity.js';
import { artifactPaths, batchVerifierNames, closeSharedProver, loadArtifacts, setupModel, verifierNames } from '../../lib/zk/index.js';
import { IBatches__factory, InferenceOracle__factory } from '../../typechain/index.js';
import { ANVIL_KEYS, startAnvil, waitFor } from '../../test/ts/node/helpers/anvil.js';
import { tempDir } from '../../test/ts/node/helpers/node.js';
import { presignRequests } from './requests.js';
import { deployProtocol } from '../../test/ts/node/helpers/protocol.js';

const N = Number(process.env.BENCH_PROVEN_REQUESTS ?? 240);
const RATE = Number(process.env.BENCH_PROVEN_RATE ?? 3);
const K = Number(process.env.BENCH_PROVEN_BATCH ?? 4);
const WAIT_BLOCKS = Number(process.env.BENCH_PROVEN_WAIT_BLOCKS ?? 2);
const WALLETS = 4;
const root = join(import.meta.dirname, '..', '..');

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const digits = await ensureExampleModel('digits');
  const [lo, hi] = digits.manifest.inputRange.map(BigInt) as [bigint, bigint];
  // The set-ups stay beside the model (.vai/models, outside git): a second run reuses them.
  const setupStart = performance.now();
  const ensureSetup = async (batch?: number): Promise<void> => {
    await loadArtifacts(digits.dir, batch).catch(() => setupModel(digits.dir, batch === undefined ? {} : { batch }));
  };
  await ensureSetup();
  await ensureSetup(K);
  const setupS = (performance.now() - setupStart) / 1000;

  const anvil = await startAnvil(['--block-time', '1', '--gas-limit', '3000000000', '--accounts', String(WALLETS + 2)]);
  const provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 200 });
  const operatorKey = ANVIL_KEYS[1]!;
  const p = await deployProtocol(provider, [{ dir: digits.dir, onChainWeights: false }], [operatorKey]);
  const modelId = p.modelIds[0]!;
  const deploy = async (file: string, name: string): Promise<string> => {
    const artifact = compileSolidity(file, name);
    const contract = await (await new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, p.owner).deploy()).waitForDeployment();
    return contract.getAddress();
  };
  await (await p.registry.setVerifier(modelId, await deploy(artifactPaths(digits.dir).verifier, verifierNames(digits.manifest.name).contract))).wait();
  const batches = IBatches__factory.connect(p.oracleAddress, p.owner);
  const batchVerifier = await deploy(artifactPaths(digits.dir, K).verifier, batchVerifierNames(digits.manifest.name, K).contract);
  await (await batches.setBatchVerifier(modelId, 1n, BigInt(K), batchVerifier)).wait();

  const dir = tempDir('vai-bench-proven-');
  const config = parseNodeConfig({
    rpc: anvil.url,
    key: operatorKey,
    oracle: p.oracleAddress,
    models: digits.dir,
    roles: 'proposer',
    prove: true,
    batchWaitBlocks: WAIT_BLOCKS,
    blockTimeS: 1,
    db: join(dir, 'node.db'),
    port: 0,
    confirmations: 1,
    pollIntervalMs: 100,
    log: 'json',
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  const node = await startNode(config, { logger: pino({ level: config.logLevel }, pino.destination(join(dir, 'node.log'))) });

  // Requests with distinct inputs, pre-signed by several wallets and offered at RATE per second.
  const raws = await presignRequests({
    provider,
    oracle: p.oracleAddress,
    modelId,
    count: N,
    wallets: WALLETS,
    inputLength: digits.manifest.inputLength,
    range: [lo, hi],
    seed: 7,
  });

  const oracle = InferenceOracle__factory.connect(p.oracleAddress, provider);
  const t0 = Date.now();
  const sending = (async () => {
    for (const [i, raw] of raws.entries()) {
      const due = t0 + (i / RATE) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await provider.send('eth_sendRawTransaction', [raw]);
    }
  })();
  const finalizedAt = new Map<bigint, number>();
  let from = 0;
  await waitFor(
    async () => {
      const head = await provider.getBlockNumber();
      for (const l of await oracle.queryFilter(oracle.filters.InferenceFinalized(), from, head))
        if (!finalizedAt.has(l.args.requestId)) finalizedAt.set(l.args.requestId, Date.now());
      from = Math.max(0, head - 2);
      const failed = (await node.store.jobs.countByState()).find((c) => c.kind === 'propose' && c.state === 'failed');
      if (failed) throw new Error(`${failed.count} proposals failed: see ${join(dir, 'node.log')}`);
      return finalizedAt.size >= N;
    },
    N * 2000 + 120_000,
    `${N} finalizations`,
    200,
  );
  await sending;
  const tEnd = Date.now();

  const finalized = await oracle.queryFilter(oracle.filters.InferenceFinalized(), 0);
  const byProof = finalized.filter((l) => PROVENANCES[Number(l.args.provenance)] === 'Proof').length;
  const proven = await batches.queryFilter(batches.filters.BatchProven(modelId), 0);
  const inBatches = proven.reduce((n, e) => n + Number(e.args.finalized), 0);
  const requested = await oracle.queryFilter(oracle.filters.InferenceRequested(), 0);
  const reqBlock = new Map(requested.map((l) => [l.args.requestId, l.blockNumber]));
  const blocks = finalized.map((l) => l.blockNumber - reqBlock.get(l.args.requestId)!);
  let batchGas = 0n;
  for (const e of proven) batchGas += (await provider.getTransactionReceipt(e.transactionHash))!.gasUsed;
  const singles = finalized.length - inBatches;
  const metrics = await node.metrics.registry.getSingleMetricAsString('vai_batch_proving_seconds');
  const sum = Number(/vai_batch_proving_seconds_sum\{[^}]*\} ([\d.e+-]+)/.exec(metrics)?.[1] ?? Number.NaN);
  const count = Number(/vai_batch_proving_seconds_count\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? Number.NaN);
  await node.stop();
  await closeSharedProver();
  provider.destroy();
  await anvil.stop();

  // Sustained rate: finalizations per minute between the 10th and the 90th percentile one.
  const seen = [...finalizedAt.values()].sort((a, b) => a - b);
  const p10 = seen[Math.floor(seen.length * 0.1)]!;
  const p90 = seen[Math.floor(seen.length * 0.9)]!;
  const sustained = (seen.length * 0.8) / Math.max(0.001, (p90 - p10) / 60_000);
  const rows: Array<[string, string]> = [
    ['offered load', `${RATE} req/s (${fmt(RATE * 60)} req/min), ${N} requests`],
    ['finalized with a proof', `${byProof} of ${finalized.length}`],
    ['**sustained proven rate** (10th → 90th percentile finalization)', `**${fmt(sustained)} req/min**`],
    ['proven rate, wall clock (first request sent → last finalization seen)', `${fmt((N / (tEnd - t0)) * 60_000)} req/min`],
    [
      'batch proofs sent / requests they finalized / mean per batch',
      `${proven.length} / ${inBatches} / ${(inBatches / Math.max(1, proven.length)).toFixed(1)}`,
    ],
    ['requests finalized by single proofs', `${singles}`],
    [`batch proof time (K = ${K}), mean`, `${(sum / count).toFixed(2)} s over ${count} proofs`],
    ['request block → finalization block, p50 / p95 / max (blocks of 1 s)', `${pct(blocks, 50)} / ${pct(blocks, 95)} / ${Math.max(...blocks)}`],
    ['gas of the batch transactions per request finalized', fmt(Number(batchGas) / Math.max(1, inBatches))],
    ['set-up of the single and batch circuits (0 when reused from an earlier run)', `${setupS.toFixed(1)} s`],
    [
      'machine load average at the end (1 / 5 / 15 min)',
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' / '),
    ],
  ];
  const md = `# Operator node benchmark (proven path, batches)

Generated by \`npm run bench:node\` (bench/ts/node-proven.ts) on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}.

Set-up: a fresh anvil with 1 s blocks, the protocol deployed from the forge artifacts, the \`digits\` example model
(64 inputs, 64→32→10, argmax) with its Groth16 verifier and its batch verifier of K = ${K} (\`vai zk setup\`,
\`vai zk setup --batch ${K}\`), one node with the proposer role and \`--prove\`, \`--batch-wait-blocks ${WAIT_BLOCKS}\`,
1 confirmation, 100 ms polling, SQLite. Requests with distinct inputs offered at a steady rate; every one must end
finalized (the benchmark fails on a failed job). The harness, anvil, the node and its proving worker share the cores.

Target (issue 15): ≥ 100 proven requests per minute end to end with batching.

| figure | value |
|---|---|
${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}
`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'node-proven.md'), md);
  console.log(md);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
