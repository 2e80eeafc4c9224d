import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { deploymentSchema, type Deployment } from '../../../lib/gov/deployment.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** anvil's well-known development keys (mnemonic "test … junk"): 0 deploys, 1–3 own the Safe, 4 guards, 5 relays. */
export const KEYS = {
  deployer: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  owners: [
    '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
    '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  ],
  guardian: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  relayer: '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  stranger: '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
} as const;

export function addressOf(key: string): string {
  return new Wallet(key).address;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => (a && typeof a === 'object' ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Moves chain time forward and mines a block, so views see the new time. */
export async function increaseTime(url: string, seconds: number): Promise<void> {
  await rpc(url, 'evm_increaseTime', [seconds]);
  await rpc(url, 'evm_mine');
}

export type Anvil = { url: string; stop(): Promise<void> };

/** anvil on a free port (spawned directly so that it is stopped by its own pid). */
export async function startAnvil(chainId = 31337): Promise<Anvil> {
  const port = await freePort();
  const bin = join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  const child: ChildProcess = spawn(bin, ['--port', String(port), '--chain-id', String(chainId), '--silent'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await rpc(url, 'eth_chainId');
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs script/DeployGovernance.s.sol against `url` (2-of-3 Safe, `minDelay` seconds) and reads what it wrote. */
export async function deployGovernance(url: string, minDelay: number, out: string): Promise<Deployment> {
  await run(
    'npx',
    ['forge', 'script', 'script/DeployGovernance.s.sol', '--rpc-url', url, '--broadcast', '--private-key', KEYS.deployer, '--non-interactive'],
    {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        GOV_OWNERS: KEYS.owners.map(addressOf).join(','),
        GOV_THRESHOLD: '2',
        GOV_MIN_DELAY: String(minDelay),
        GOV_GUARDIAN: addressOf(KEYS.guardian),
        GOV_DEPLOYMENT_OUT: out,
      },
    },
  );
  return deploymentSchema.parse(JSON.parse(await readFile(out, 'utf8')));
}

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs `vai gov …` as a subprocess (lib/gov/main.ts through tsx). */
export async function vaiGov(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/gov/main.ts'), 'gov', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
