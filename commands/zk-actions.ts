// The work of `vai zk` (commands/zk.ts loads this module only once the verb is known, so that the proving worker
// it starts first loads snarkjs while this module loads ethers and the circuit layout).
import { writeFile } from 'node:fs/promises';
import { getAddress } from 'ethers';
import { parseInput } from '../lib/protocol/index.js';
import { ProverAddressError, ZkError } from '../lib/zk/errors.js';
import { MAX_BATCH, proverSignal } from '../lib/zk/layout.js';
import { ARTIFACTS, zkDir } from '../lib/zk/paths.js';
import { readProofFile, toProofFile, writeProofFile } from '../lib/zk/proof-file.js';
import { proveBatch, proveInference, verifyInference } from '../lib/zk/prove.js';
import { setupModel } from '../lib/zk/setup.js';
import { readAnyModelDir, type GraphModelDir } from '../lib/model/model-dir.js';
import { graphInputScaleBits } from '../lib/semantics/index.js';
import { setupGraph } from '../lib/zk/graph-setup.js';
import { proveGraphInference, verifyGraphInference } from '../lib/zk/graph-prove.js';
import { printResult } from './output.js';

/** The graph model of a folder, null for a chain model; a generation model has no circuit. */
function graphOf(dir: string, m: Awaited<ReturnType<typeof readAnyModelDir>>): GraphModelDir | null {
  if (m.kind === 'chain') return null;
  if (m.generation) throw new ZkCliError(`${dir} is a generation model: its circuit is not available.`);
  return m;
}

/** A user error of a zk command: bad flags or input (the message is the whole story). */
export class ZkCliError extends ZkError {
  override name = 'ZkCliError';
}

type JsonMode = { json?: boolean };

/**
 * Parses `--prover`: the address that will submit the proof (the oracle checks the proof against its
 * `msg.sender`). Returns it checksummed.
 */
export function parseProverFlag(text: string): string {
  try {
    proverSignal(text);
  } catch (err) {
    if (err instanceof ProverAddressError)
      throw new ZkCliError(`[Param: prover] ${JSON.stringify(text)} is not an address: pass the address that will submit the proof (0x and 40 hex digits).`);
    throw err;
  }
  return getAddress(text);
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

/** Parses `--batch`: a batch size K in [1, MAX_BATCH]. */
export function parseBatchFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const k = Number(text);
  if (!/^\d+$/.test(text) || k < 1 || k > MAX_BATCH)
    throw new ZkCliError(`[Param: batch] ${JSON.stringify(text)} is not a batch size: pass an integer from 1 to ${MAX_BATCH}.`);
  return k;
}

export async function runSetup(dir: string, opts: { ptau?: string; batch?: string } & JsonMode): Promise<void> {
  const batch = parseBatchFlag(opts.batch);
  // A graph model folder (vai-int-graph/1: CNNs and other DAGs) has its own circuit compiler; the set-up is the same.
  const m = await readAnyModelDir(dir);
  if (m.kind === 'graph' && m.generation) throw new ZkCliError(`${dir} is a generation model: its circuit is not available.`);
  const r =
    m.kind === 'graph' ? await setupGraph(dir, m.graph, { name: m.manifest.name, ptau: opts.ptau, batch }) : await setupModel(dir, { ptau: opts.ptau, batch });
  const { modelHash, constraints, wires, nPublic, power, ptau, timings, files } = r;
  printResult(
    { json: opts.json ?? false },
    { ok: true, modelHash, ...(batch === undefined ? {} : { batch }), constraints, wires, nPublic, power, ptau, timings, files },
    () => [
      `model      ${r.name} ${r.modelHash}`,
      `circuit    ${batch === undefined ? '' : `batch of ${batch}: `}${r.constraints} constraints, ${r.wires} wires, ${r.nPublic} public signals`,
      `ptau       power ${r.power} ${r.ptau.local ? '(generated locally: development only, use --ptau <ceremony file> in production)' : r.ptau.path}`,
      `timings    compile ${ms(timings.compileMs)}, ptau ${ms(timings.ptauMs)}, groth16 set-up ${ms(timings.zkeyMs)}, total ${ms(timings.totalMs)}`,
      `artifacts  ${zkDir(r.modelDir, batch)} (${Object.values(ARTIFACTS).join(', ')})`,
      batch === undefined
        ? `next       vai zk prove ${dir} --input '[...]' --int --prover <submitting address> --out proof.json`
        : `next       vai zk prove ${dir} --batch ${batch} --input '[[...], ...]' --int --prover <submitting address> --out batch-proof.json`,
    ],
  );
}

export async function runProve(dir: string, opts: { input: string; int?: boolean; prover: string; out: string; batch?: string } & JsonMode): Promise<void> {
  const prover = parseProverFlag(opts.prover);
  const batch = parseBatchFlag(opts.batch);
  const m = await readAnyModelDir(dir);
  const graph = graphOf(dir, m);
  if (batch !== undefined && graph) throw new ZkCliError('Batch proofs are not available for graph models yet: prove one input at a time.');
  const scale = graph ? graphInputScaleBits(graph.graph) : m.kind === 'chain' ? m.model.scaleBits : 0;
  if (batch !== undefined) return runProveBatch(dir, batch, scale, prover, opts);
  const input = parseInput(opts.input, scale, { integers: opts.int ?? false });
  const p = graph ? await proveGraphInference(dir, graph.graph, input, prover) : await proveInference(dir, input, prover);
  await writeProofFile(opts.out, p);
  printResult({ json: opts.json ?? false }, { ok: true, out: opts.out, ...toProofFile(p), timings: p.timings }, () => [
    `output     [${p.output.join(', ')}]`,
    `prover     ${p.prover} (the proof verifies only in a transaction from this address)`,
    `proof      ${opts.out} (witness ${ms(p.timings.witnessMs)}, prove ${ms(p.timings.proveMs)}, total ${ms(p.timings.totalMs)})`,
    `next       vai zk verify ${dir} --proof ${opts.out}`,
  ]);
}

/**
 * False (exit code 1) when the proof does not verify. The prover is the proof file's unless `--prover` names
 * another submitter (a proof verifies only for the address it was made for).
 */
export async function runVerify(dir: string, opts: { proof: string; prover?: string } & JsonMode): Promise<boolean> {
  const asked = opts.prover === undefined ? undefined : parseProverFlag(opts.prover);
  const { file, input, output, prover, proof } = await readProofFile(opts.proof);
  const submitter = asked ?? prover;
  const m = await readAnyModelDir(dir);
  const graph = graphOf(dir, m);
  const { manifest } = m;
  const claim = { input, output, prover: submitter, proof };
  const result =
    file.modelHash !== manifest.modelHash
      ? { valid: false, reason: `the proof is for model ${file.modelHash}, not ${manifest.modelHash}` }
      : graph
        ? await verifyGraphInference(dir, graph.graph, claim)
        : await verifyInference(dir, claim);
  const doc = {
    ok: result.valid,
    valid: result.valid,
    modelHash: manifest.modelHash,
    output: file.output,
    prover: submitter,
    ...(result.reason ? { reason: result.reason } : {}),
  };
  printResult({ json: opts.json ?? false }, doc, () => [
    result.valid ? `valid      output [${file.output.join(', ')}] for model ${manifest.modelHash}, prover ${submitter}` : `invalid    ${result.reason ?? ''}`,
  ]);
  return result.valid;
}

/** `vai zk prove --batch K`: one proof of 1 to K inputs, written as a batch proof file. */
async function runProveBatch(
  dir: string,
  batch: number,
  scaleBits: number,
  prover: string,
  opts: { input: string; int?: boolean; out: string } & JsonMode,
): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(opts.input);
  } catch {
    throw new ZkCliError("[Param: input] is not valid JSON: with --batch pass an array of inputs, e.g. '[[0, 1], [2, 3]]'.");
  }
  if (!Array.isArray(json) || json.length === 0 || json.length > batch || !json.every(Array.isArray))
    throw new ZkCliError(`[Param: input] with --batch ${batch} must be a JSON array of 1 to ${batch} inputs (arrays).`);
  const inputs = json.map((x, i) => parseInput(JSON.stringify(x), scaleBits, { integers: opts.int ?? false, param: `input[${i}]` }));
  const p = await proveBatch(dir, inputs, prover, { batch });
  const file = {
    format: 'vai-zk-batch-proof/1',
    modelHash: p.modelHash,
    batch: p.batch,
    filled: p.filled,
    inputs: p.inputs.map((x) => x.map(String)),
    outputs: p.outputs.map((y) => y.map(String)),
    prover: p.prover,
    proof: p.proof,
    publicSignals: p.publicSignals,
    signals: p.signals.map(String),
    calldata: p.calldata,
  };
  await writeFile(opts.out, `${JSON.stringify(file, null, 1)}\n`);
  printResult({ json: opts.json ?? false }, { ok: true, out: opts.out, ...file, timings: p.timings }, () => [
    `outputs    ${p.outputs
      .slice(0, p.filled)
      .map((y) => `[${y.join(', ')}]`)
      .join(' ')}${p.filled < p.batch ? ` (+ ${p.batch - p.filled} padding slot(s))` : ''}`,
    `prover     ${p.prover} (the proof verifies only in a transaction from this address)`,
    `proof      ${opts.out}: ${p.batch} inferences, ${p.signals.length} packed signals (witness ${ms(p.timings.witnessMs)}, prove ${ms(p.timings.proveMs)}, total ${ms(p.timings.totalMs)})`,
    'next       submit with proposeWithProofBatch (signals, calldata) from the prover address',
  ]);
}
