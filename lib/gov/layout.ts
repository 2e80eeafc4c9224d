import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { GovLayoutError } from './errors.js';

const run = promisify(execFile);

/** Where `vai gov layout`, `deploy-impl` and `propose --upgrade` keep the layout build (profile `layout`). */
export const DEFAULT_LAYOUT_DIR = join('cache', 'layout');

export type BuildLayoutInfoParameters = {
  /** Project root (where foundry.toml is). */
  root: string;
  /** Output folder; emptied before a build, so the build info holds exactly one compilation. */
  outDir: string;
  /** Sources to compile (default: the protocol's sources). */
  paths?: readonly string[];
  /** Build even when the last build of the same paths is newer than every source. */
  force?: boolean;
};

type Stamp = { paths: string[] };

/** The newest modification time among the `.sol` files under `dirs` (and foundry.toml). */
function newestSource(root: string, dirs: readonly string[]): number {
  let newest = existsSync(join(root, 'foundry.toml')) ? statSync(join(root, 'foundry.toml')).mtimeMs : 0;
  for (const d of dirs) {
    const path = join(root, d);
    if (!existsSync(path)) continue;
    const s = statSync(path);
    if (s.isFile()) {
      newest = Math.max(newest, s.mtimeMs);
      continue;
    }
    for (const e of readdirSync(path, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && e.name.endsWith('.sol')) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The build-info directory with storage layouts that {@link validateLayout} reads, compiled with the `layout`
 * foundry profile. Compiling the protocol with solcjs takes about 25 s on a small machine, and that (not the
 * validation) is what made every `vai gov layout` slow: the last build is kept with a stamp naming its paths and
 * reused while no Solidity source (the paths, and src-sol/ which they import) is newer than it.
 */
export async function buildLayoutInfo({ root, outDir, paths = ['src-sol'], force = false }: BuildLayoutInfoParameters): Promise<string> {
  const buildInfo = join(outDir, 'out', 'build-info');
  const stampFile = join(outDir, 'stamp.json');
  const wanted = [...paths].sort();
  if (!force && existsSync(stampFile) && existsSync(buildInfo)) {
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as Stamp;
    const fresh = (await stat(stampFile)).mtimeMs >= newestSource(root, [...new Set([...paths, 'src-sol'])]);
    if (fresh && stamp.paths.join('\n') === wanted.join('\n') && (await readdir(buildInfo)).length > 0) return buildInfo;
  }
  await rm(outDir, { recursive: true, force: true });
  try {
    await run('npx', ['forge', 'build', '--out', join(outDir, 'out'), '--cache-path', join(outDir, 'cache'), ...paths], {
      cwd: root,
      env: { ...process.env, FOUNDRY_PROFILE: 'layout' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw new GovLayoutError('forge build (profile layout) failed.', { cause });
  }
  if (!existsSync(buildInfo)) throw new GovLayoutError(`forge build (profile layout) wrote no build info to ${buildInfo}.`);
  await writeFile(stampFile, JSON.stringify({ paths: wanted } satisfies Stamp));
  return buildInfo;
}

export type ValidateLayoutParameters = {
  buildInfoDir: string;
  /** One contract (name or `path:Name`); its reference comes from `@custom:oz-upgrades-from` unless given. */
  contract?: string | undefined;
  reference?: string | undefined;
  /** Source globs left out of a whole-project check. */
  exclude?: string[] | undefined;
};

export type ValidateLayoutReturnType = { ok: boolean; passed: number; total: number; report: string };

/** The cache key of a validation: the build-info files (forge names them by content) and the question asked. */
async function validationKey(p: ValidateLayoutParameters): Promise<string> {
  const files = (await readdir(p.buildInfoDir)).sort();
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(p.buildInfoDir, f))).size));
  return createHash('sha256')
    .update(JSON.stringify([files, sizes, p.contract ?? null, p.reference ?? null, p.exclude ?? null]))
    .digest('hex');
}

/**
 * Runs OpenZeppelin's upgrade-safety validation (storage layout against the reference, plus the usual
 * upgradeability rules) over forge build info. upgrades-core is loaded only here (about 0.3 s to import), and a
 * result is cached beside the build info: the same build and question give the same answer.
 */
export async function validateLayout(p: ValidateLayoutParameters): Promise<ValidateLayoutReturnType> {
  const cacheFile = join(dirname(p.buildInfoDir), 'layout-results.json');
  const key = await validationKey(p);
  let cache: Record<string, ValidateLayoutReturnType> = {};
  try {
    cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, ValidateLayoutReturnType>;
  } catch {
    // no cache yet
  }
  const hit = cache[key];
  if (hit) return hit;
  const { validateUpgradeSafety } = await import('@openzeppelin/upgrades-core');
  let report: Awaited<ReturnType<typeof validateUpgradeSafety>>;
  // upgrades-core prints its notes (e.g. "Reinitializers are not included") with console.error; they belong in
  // the report, not on stderr, where a command prints only its one error line.
  const notes: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    notes.push(args.map(String).join(' '));
  };
  try {
    report = await validateUpgradeSafety(p.buildInfoDir, p.contract, p.reference, {}, undefined, p.exclude);
  } catch (cause) {
    throw new GovLayoutError(`The layout check could not run: ${(cause as Error).message.split('\n')[0]}`, {
      metaMessages: ['Check --contract and --reference (a name, or path:Name, present in the build).'],
      cause,
    });
  } finally {
    console.error = consoleError;
  }
  const text = [report.explain(), ...notes.map((n) => stripVTControlCharacters(n).trimEnd())].join('\n\n');
  const result = { ok: report.ok, passed: report.numPassed, total: report.numTotal, report: text };
  cache[key] = result;
  await mkdir(dirname(cacheFile), { recursive: true });
  await writeFile(cacheFile, JSON.stringify(cache));
  return result;
}

type BuiltContract = { name: string; code: string; immutables: { start: number; length: number }[]; creation: string; abi: unknown[] };

/** Every deployable contract of the build info, by `path:Name`. */
export async function builtContracts(buildInfoDir: string): Promise<Map<string, BuiltContract>> {
  const out = new Map<string, BuiltContract>();
  for (const f of (await readdir(buildInfoDir)).filter((x) => x.endsWith('.json'))) {
    const info = JSON.parse(await readFile(join(buildInfoDir, f), 'utf8')) as {
      output: {
        contracts?: Record<
          string,
          Record<
            string,
            {
              abi: unknown[];
              evm: {
                bytecode: { object: string };
                deployedBytecode: { object: string; immutableReferences?: Record<string, { start: number; length: number }[]> };
              };
            }
          >
        >;
      };
    };
    for (const [path, contracts] of Object.entries(info.output.contracts ?? {})) {
      for (const [name, c] of Object.entries(contracts)) {
        if (!c.evm.deployedBytecode.object) continue;
        out.set(`${path}:${name}`, {
          name: `${path}:${name}`,
          code: c.evm.deployedBytecode.object.toLowerCase(),
          immutables: Object.values(c.evm.deployedBytecode.immutableReferences ?? {}).flat(),
          creation: `0x${c.evm.bytecode.object}`,
          abi: c.abi,
        });
      }
    }
  }
  return out;
}

/**
 * The contract whose runtime code is `code` (as read on chain), or null. Immutables (UUPS's `__self`, the oracle's
 * dispute module) differ per deployment, so their bytes are masked on both sides before comparing.
 */
export function matchCode(contracts: Map<string, BuiltContract>, code: string): string | null {
  const onChain = code.replace(/^0x/, '').toLowerCase();
  for (const c of contracts.values()) {
    if (c.code.length !== onChain.length) continue;
    let a = onChain;
    let b = c.code;
    for (const { start, length } of c.immutables) {
      const zero = '0'.repeat(length * 2);
      a = a.slice(0, start * 2) + zero + a.slice((start + length) * 2);
      b = b.slice(0, start * 2) + zero + b.slice((start + length) * 2);
    }
    if (a === b) return c.name;
  }
  return null;
}
