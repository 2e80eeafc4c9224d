import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { startAnvil as startDevnetAnvil, type Anvil } from '../../../lib/devnet/anvil.js';
import { deployGovernance as deployDevnetGovernance } from '../../../lib/devnet/governance.js';
import type { Deployment } from '../../../lib/gov/deployment.js';
import { buildLayoutInfo } from '../../../lib/gov/layout.js';

const run = promisify(execFile);

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

export { increaseTime, rpc, type Anvil } from '../../../lib/devnet/anvil.js';

/** anvil on a free port with the given chain id. */
export function startAnvil(chainId = 31337): Promise<Anvil> {
  return startDevnetAnvil(['--chain-id', String(chainId)]);
}

/** Runs script/DeployGovernance.s.sol against `url` (2-of-3 Safe, `minDelay` seconds) and reads what it wrote. */
export function deployGovernance(url: string, minDelay: number, out: string): Promise<Deployment> {
  return deployDevnetGovernance({
    rpc: url,
    deployerKey: KEYS.deployer,
    owners: KEYS.owners.map(addressOf),
    threshold: 2,
    guardian: addressOf(KEYS.guardian),
    minDelay,
    out,
  });
}

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs `vai gov …` as a subprocess (bin/vai.js). */
export async function vaiGov(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'vai.js'), 'gov', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The layout build the gov tests share (the protocol and the V2 fixtures): compiled once, then reused by its stamp. */
export const LAYOUT_TEST_DIR = join(ROOT, 'cache/layout-test');

/**
 * The shared layout build's build-info folder. Test files run in parallel processes; a directory made with `mkdir`
 * serves as a lock so that only one of them compiles (about 25 s with solcjs) while the others wait and reuse it.
 */
export async function sharedLayoutBuild(): Promise<string> {
  const lock = `${LAYOUT_TEST_DIR}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > 10 * 60_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await buildLayoutInfo({ root: ROOT, outDir: LAYOUT_TEST_DIR, paths: ['src-sol', 'test/sol/governance/fixtures'] });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
