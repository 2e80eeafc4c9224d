import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS, startAnvil, type Anvil } from './helpers/anvil.js';
import { classifier, writeModelDir } from './helpers/models.js';
import { tempDir } from './helpers/node.js';
import { deployProtocol, type Protocol } from './helpers/protocol.js';

// `vai node start` as an operator runs it (bin/vai.js, a subprocess): a wrong setting is one line and exit 1.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const KEY = `0x${'ac'.repeat(32)}`;
const ORACLE = `0x${'12'.repeat(20)}`;
const run = promisify(execFile);
const modelDir = writeModelDir(classifier, 'classifier');

type CliResult = { code: number; stdout: string; stderr: string; ms: number };

async function vaiNode(args: string[]): Promise<CliResult> {
  const started = Date.now();
  const db = join(tempDir(), 'node.db');
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'vai.js'), 'node', 'start', '--db', db, '--log', 'json', ...args], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, VAI_PRIVATE_KEY: '', VAI_DEBUG: '' },
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

/** Exit 1 with exactly one line `error: <reason> (<hint>)` on stderr and no stack trace anywhere. */
function expectOneLineError(r: CliResult, reason: string | RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l.trim().length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  if (typeof reason === 'string') expect(lines[0]).toContain(reason);
  else expect(lines[0]).toMatch(reason);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
}

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => busy?.close());

describe('vai node start: configuration errors', () => {
  const base = ['--key', KEY, '--oracle', ORACLE, '--models', modelDir, '--port', '0'];

  it.each([
    [['--rpc', 'not a url'], '[Param: rpc] expected a URL'],
    [['--rpc', 'ws://127.0.0.1:8545'], '[Param: rpc] expected an http:// or https:// URL'],
    [['--rpc', 'http://127.0.0.1:1', '--key', `0x${'00'.repeat(32)}`], '[Param: key] not a usable private key'],
    [['--rpc', 'http://127.0.0.1:1', '--models', '/nonexistent/model-folder'], '[Param: models] Cannot load the models (/nonexistent/model-folder)'],
    [['--rpc', 'http://127.0.0.1:1', '--port', 'PORT'], /\[Param: port\] Port \d+ on 127\.0\.0\.1 is in use\. \(Stop what listens there/],
  ])('%j: one line and exit 1', async (args, reason) => {
    const r = await vaiNode([...base, ...args.map((a) => (a === 'PORT' ? String(busyPort) : a))]);
    expectOneLineError(r, reason);
  });

  it('fails fast when the RPC does not answer, and never writes the URL secrets (userinfo, path, query) anywhere', async () => {
    const rpc = 'http://operator:hunter2-password@127.0.0.1:1/v3/SECRETPATHTOKEN123?apikey=QUERYSECRET456';
    const r = await vaiNode([...base, '--rpc', rpc]);
    expectOneLineError(r, 'The RPC at http://127.0.0.1:1 did not answer eth_chainId');
    expect(r.ms).toBeLessThan(20_000);
    const everything = `${r.stdout}\n${r.stderr}`;
    for (const secret of ['hunter2-password', 'operator:', 'SECRETPATHTOKEN123', 'QUERYSECRET456', '/v3/']) expect(everything).not.toContain(secret);
    // The start line names the RPC by scheme://host:port only.
    const start = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; version?: string; config?: { rpc: string } })
      .find((l) => l.msg === 'starting node');
    expect(start?.config?.rpc).toBe('http://127.0.0.1:1');
    expect(start?.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('vai node start: start-up checks against a chain', () => {
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let protocol: Protocol;

  beforeAll(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 });
    protocol = await deployProtocol(provider, [{ dir: modelDir, onChainWeights: false }], [ANVIL_KEYS[1]!]);
  });
  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  const args = (over: Record<string, string>): string[] =>
    Object.entries({ '--rpc': anvil.url, '--key': ANVIL_KEYS[1]!, '--oracle': protocol.oracleAddress, '--models': modelDir, '--port': '0', ...over }).flat();

  it('refuses an oracle address with no contract', async () => {
    const r = await vaiNode(args({ '--oracle': new Wallet(ANVIL_KEYS[3]!).address }));
    expectOneLineError(r, /\[Param: oracle\] There is no contract at 0x[0-9a-fA-F]{40} on chain 31337/);
  });

  it('refuses a contract that is not the oracle', async () => {
    const r = await vaiNode(args({ '--oracle': await protocol.registry.getAddress() }));
    expectOneLineError(r, "does not answer the InferenceOracle's views");
  });

  it('refuses a served model the registry does not know', async () => {
    const other = writeModelDir({ ...classifier, layers: classifier.layers.map((l, i) => (i === 0 ? { ...l, bias: l.bias.map((b) => b + 1) } : l)) }, 'other');
    const r = await vaiNode(args({ '--models': other }));
    expectOneLineError(r, /\[Param: models\] Model other \(0x[0-9a-f]{64}\) is not registered/);
  });

  it('refuses a chain other than the one required by --chain-id', async () => {
    const r = await vaiNode(args({ '--chain-id': '1' }));
    expectOneLineError(r, '[Param: chain-id] The RPC is on chain 31337, not 1.');
  });
});
