import { Command } from 'commander';
import { JsonRpcProvider, Wallet } from 'ethers';
import { readNetworkFile, LOCAL_NETWORK_FILE, NetworkFileError } from '../lib/devnet/network-file.js';
import { PROVENANCES, RequestError, sendRequest, waitForOutcome, type InferenceOutcome, type Provenance } from '../lib/client/oracle-client.js';
import { parseModelInput } from '../lib/protocol/index.js';
import { readModelDir, type Hex } from '../lib/semantics/index.js';
import { InferenceOracle__factory } from '../typechain/index.js';
import { DESCRIPTIONS } from './descriptions.js';
import { printResult, runAction } from './output.js';

type RequestOptions = {
  model: string;
  input: string;
  int?: boolean;
  wait?: boolean;
  timeout: string;
  network: string;
  key?: string;
  accept?: string;
  json?: boolean;
};

/** The provenances a request can name in `accepts` (None is not one). */
const ACCEPTABLE = PROVENANCES.filter((p) => p !== 'None');

/** `--accept proof,optimistic,…` (case-insensitive) into provenance names; empty: any. */
export function parseAccepts(value: string | undefined): Provenance[] {
  if (value === undefined) return [];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.map((name) => {
    const p = ACCEPTABLE.find((a) => a.toLowerCase() === name.toLowerCase());
    if (!p)
      throw new RequestError(`[Param: accept] "${name}" is not a provenance.`, {
        metaMessages: [`Use a comma-separated list of: ${ACCEPTABLE.map((a) => a.toLowerCase()).join(', ')}.`],
      });
    return p;
  });
}

/** Human lines for a request's outcome, naming the class when the model has class labels. */
function outcomeLines(outcome: InferenceOutcome, classes: readonly string[] | undefined, argmax: boolean): string[] {
  if (outcome.state !== 'Finalized') return [`request ${outcome.requestId} ended ${outcome.state}: ${outcome.error}`];
  const [first] = outcome.output;
  const label = argmax && classes && first !== undefined ? ` (class ${classes[Number(first)] ?? first})` : '';
  const callback = { ran: 'ran', delivered: 'delivered later (deliverCallback)', owed: 'owed: anyone may deliver it with deliverCallback' }[outcome.callback];
  return [
    `request ${outcome.requestId} finalized${outcome.cacheHit ? ' from the on-chain cache' : ''}`,
    `  output     [${outcome.output.join(', ')}]${label}`,
    `  provenance ${outcome.provenance}`,
    `  callback   ${callback}`,
  ];
}

/** `vai request`: sends an inference request to a running network and, with --wait, prints the result. */
export function requestCommand(): Command {
  return new Command('request')
    .description(DESCRIPTIONS.request)
    .requiredOption('--model <name>', 'model name, as listed in the network file')
    .requiredOption('--input <json>', 'input as a JSON array of floats (quantized here), or integers with --int')
    .option('--int', 'the input is already quantized to integers')
    .option('--wait', 'wait until the request is final and print the result')
    .option('--timeout <seconds>', 'how long --wait waits', '300')
    .option('--network <file>', 'the network file written by npm start', LOCAL_NETWORK_FILE)
    .option('--key <hex>', "private key paying the fee (default: the network file's requester account)")
    .option(
      '--accept <list>',
      `provenances the request accepts, from the cache or a new answer: comma-separated ${ACCEPTABLE.map((a) => a.toLowerCase()).join(', ')} (default: any)`,
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: RequestOptions) =>
      runAction({ json: Boolean(opts.json) }, async () => {
        const network = await readNetworkFile(opts.network);
        const entry = network.models[opts.model];
        if (!entry) {
          throw new NetworkFileError(`No model named "${opts.model}" on this network.`, {
            metaMessages: [`Known models: ${Object.keys(network.models).join(', ')}.`],
          });
        }
        const oracleAddress = network.contracts.oracle as Hex | undefined;
        if (!oracleAddress) throw new NetworkFileError('The network file names no oracle contract.');
        const key = opts.key ?? network.accounts.requester?.key;
        if (!key) throw new NetworkFileError('No key: pass --key or add a requester account to the network file.');
        const accepts = parseAccepts(opts.accept);
        const { manifest, model } = await readModelDir(entry.dir);
        const input = parseModelInput(opts.input, model, { integers: Boolean(opts.int) });
        const provider = new JsonRpcProvider(network.rpc, network.chainId, { staticNetwork: true, pollingInterval: 250 });
        try {
          const signer = new Wallet(key, provider);
          const sent = await sendRequest({ signer, oracle: oracleAddress, modelId: BigInt(entry.modelId), input, accepts });
          const base = {
            requestId: sent.requestId,
            txHash: sent.txHash,
            model: opts.model,
            modelId: entry.modelId,
            inputHash: sent.inputHash,
            fee: sent.fee,
            accepts: accepts.length ? accepts : 'any',
          };
          if (!opts.wait) {
            printResult({ json: Boolean(opts.json) }, base, () => [`request ${sent.requestId} sent in ${sent.txHash} (fee ${sent.fee} wei)`]);
            return;
          }
          const oracle = InferenceOracle__factory.connect(oracleAddress, provider);
          const outcome = await waitForOutcome(oracle, sent.requestId, Number(opts.timeout) * 1000);
          printResult({ json: Boolean(opts.json) }, { ...base, ...outcome }, () => outcomeLines(outcome, manifest.classes, manifest.outputKind === 'argmax'));
        } finally {
          provider.destroy();
        }
      }),
    );
}
