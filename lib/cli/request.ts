import { Command } from 'commander';
import { JsonRpcProvider, Wallet } from 'ethers';
import { readNetworkFile, LOCAL_NETWORK_FILE, NetworkFileError } from '../devnet/network-file.js';
import { sendRequest, waitForOutcome, type InferenceOutcome } from '../client/oracle-client.js';
import { parseInputJson } from '../model/client.js';
import { inputHash, readModelDir, type Hex } from '../semantics/index.js';
import { InferenceOracle__factory } from '../../typechain/index.js';
import { printResult, runAction } from './output.js';

type RequestOptions = {
  model: string;
  input: string;
  int?: boolean;
  wait?: boolean;
  timeout: string;
  network: string;
  key?: string;
  json?: boolean;
};

/** Human lines for a request's outcome, naming the class when the model has class labels. */
function outcomeLines(outcome: InferenceOutcome, classes: readonly string[] | undefined, argmax: boolean): string[] {
  if (outcome.state !== 'Finalized') return [`request ${outcome.requestId} ended ${outcome.state}: ${outcome.error}`];
  const [first] = outcome.output;
  const label = argmax && classes && first !== undefined ? ` (class ${classes[Number(first)] ?? first})` : '';
  return [
    `request ${outcome.requestId} finalized${outcome.cacheHit ? ' from the on-chain cache' : ''}`,
    `  output   [${outcome.output.join(', ')}]${label}`,
    `  callback ${outcome.callbackSucceeded ? 'ran' : 'failed or was skipped'}`,
  ];
}

/** `vai request`: sends an inference request to a running network and, with --wait, prints the result. */
export function requestCommand(): Command {
  return new Command('request')
    .description('send an inference request to the local network (or any network described by --network)')
    .requiredOption('--model <name>', 'model name, as listed in the network file')
    .requiredOption('--input <json>', 'input as a JSON array of floats (quantized here), or integers with --int')
    .option('--int', 'the input is already quantized to integers')
    .option('--wait', 'wait until the request is final and print the result')
    .option('--timeout <seconds>', 'how long --wait waits', '300')
    .option('--network <file>', 'the network file written by npm start', LOCAL_NETWORK_FILE)
    .option('--key <hex>', 'private key paying the fee (default: the network file\'s requester account)')
    .option('--json', 'machine-readable output')
    .action(async (opts: RequestOptions) =>
      runAction({ json: Boolean(opts.json) }, async () => {
        const network = await readNetworkFile(opts.network);
        const entry = network.models[opts.model];
        if (!entry) {
          throw new NetworkFileError(`No model named "${opts.model}" on this network.`, { metaMessages: [`Known models: ${Object.keys(network.models).join(', ')}.`] });
        }
        const oracleAddress = network.contracts.oracle as Hex | undefined;
        if (!oracleAddress) throw new NetworkFileError('The network file names no oracle contract.');
        const key = opts.key ?? network.accounts.requester?.key;
        if (!key) throw new NetworkFileError('No key: pass --key or add a requester account to the network file.');
        const { manifest, model } = await readModelDir(entry.dir);
        const input = parseInputJson(opts.input, model, Boolean(opts.int));
        const provider = new JsonRpcProvider(network.rpc, network.chainId, { staticNetwork: true, pollingInterval: 250 });
        try {
          const signer = new Wallet(key, provider);
          const sent = await sendRequest({ signer, oracle: oracleAddress, modelId: BigInt(entry.modelId), input });
          const base = { requestId: sent.requestId, txHash: sent.txHash, model: opts.model, modelId: entry.modelId, inputHash: inputHash(input), fee: sent.fee };
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
