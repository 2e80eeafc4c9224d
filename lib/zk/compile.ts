import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CircuitCompileError } from './errors.js';
import { CIRCUIT_BUILD_DIR, packageDir } from './paths.js';
import { PROJECT_ROOT } from '../project.js';

/** circomlib's circuits are copied here: circom2's sandbox cannot follow a symlinked node_modules. */
const DEPS_DIR = join(CIRCUIT_BUILD_DIR, '.deps');

export type CompileResult = {
  r1cs: string;
  wasm: string;
  sym: string;
  nonLinearConstraints: number;
  ms: number;
};

async function syncCircomlib(): Promise<void> {
  const pkgPath = join(packageDir('circomlib'), 'package.json');
  const { version } = JSON.parse(await readFile(pkgPath, 'utf8')) as { version: string };
  const stamp = join(DEPS_DIR, 'circomlib', 'VERSION');
  const have = await readFile(stamp, 'utf8').catch(() => '');
  if (have === version) return;
  await mkdir(join(DEPS_DIR, 'circomlib'), { recursive: true });
  await cp(join(dirname(pkgPath), 'circuits'), join(DEPS_DIR, 'circomlib', 'circuits'), { recursive: true, dereference: true });
  await writeFile(stamp, version);
}

function circomCli(): string {
  return join(packageDir('circom2'), 'cli.js');
}

/** The version line of circom2 (recorded in the set-up settings). */
export async function circomVersion(): Promise<string> {
  const { stdout } = await run([circomCli(), '--version']);
  return stdout.trim().split('\n').pop() ?? 'unknown';
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const stripAnsi = (s: string): string => s.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');

/**
 * Compiles `circuitPath` (a .circom file under the project root) with circom2 (--O2 by default: full
 * simplification of linear constraints; --O1 keeps linear constraints and every non-trivial signal as a
 * wire: model circuits use it so the constant-weight accumulators are not substituted into many
 * constraints, and template tests use it to tamper with hints), writing
 * `<name>.r1cs`, `<name>.sym` and `<name>_js/<name>.wasm` next to it.
 */
export async function compileCircuit(circuitPath: string, opts: { optimize?: 'O1' | 'O2' } = {}): Promise<CompileResult> {
  const rel = relative(PROJECT_ROOT, circuitPath);
  if (rel.startsWith('..')) throw new CircuitCompileError(`Circuit ${circuitPath} is outside the project root ${PROJECT_ROOT}: circom2 cannot read it.`);
  await syncCircomlib();
  const outDir = dirname(circuitPath);
  const name = rel
    .split('/')
    .pop()!
    .replace(/\.circom$/, '');
  const t0 = Date.now();
  const { code, stdout, stderr } = await run([
    circomCli(),
    rel,
    '--r1cs',
    '--wasm',
    '--sym',
    `--${opts.optimize ?? 'O2'}`,
    '-o',
    relative(PROJECT_ROOT, outDir),
    '-l',
    relative(PROJECT_ROOT, DEPS_DIR),
    '-l',
    '.',
  ]);
  const ms = Date.now() - t0;
  const text = stripAnsi(`${stdout}\n${stderr}`);
  if (code !== 0 || /error\[|previous errors/i.test(text))
    throw new CircuitCompileError(`circom2 failed on ${rel} (exit ${code}).`, { details: text.trim().split('\n').slice(-12).join('\n') });
  const match = /non-linear constraints:\s*(\d+)/.exec(text);
  const files = {
    r1cs: join(outDir, `${name}.r1cs`),
    wasm: join(outDir, `${name}_js`, `${name}.wasm`),
    sym: join(outDir, `${name}.sym`),
  };
  for (const f of Object.values(files))
    if (
      !(await stat(f).then(
        () => true,
        () => false,
      ))
    )
      throw new CircuitCompileError(`circom2 did not write ${f}.`, { details: text.trim() });
  return { ...files, nonLinearConstraints: match ? Number(match[1]) : -1, ms };
}
