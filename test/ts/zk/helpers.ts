import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { compileCircuit, type CompileResult } from '../../../lib/zk/compile.js';
import { FIELD_PRIME } from '../../../lib/zk/layout.js';
import { CIRCUIT_BUILD_DIR } from '../../../lib/zk/paths.js';

/**
 * Compiles a one-template test circuit under circuits/build/test/<name>/ (circom2 must see it), with --O1 so
 * every hint stays a wire that a test can tamper with (--O2 only substitutes linear constraints away).
 */
export async function compileTestCircuit(name: string, source: string): Promise<CompileResult> {
  const dir = join(CIRCUIT_BUILD_DIR, 'test', name);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.circom`);
  await writeFile(path, `pragma circom 2.1.0;\n${source}\n`);
  return compileCircuit(path, { optimize: 'O1' });
}

const mod = (v: bigint): bigint => ((v % FIELD_PRIME) + FIELD_PRIME) % FIELD_PRIME;

/** The full witness (wire values, index 0 is the constant 1) of a circuit for an input. */
export async function witness(c: CompileResult, input: Record<string, unknown>): Promise<bigint[]> {
  const mem = { type: 'mem' as const };
  await snarkjs.wtns.calculate(input, c.wasm, mem);
  return (await snarkjs.wtns.exportJson(mem)).map(BigInt);
}

type Lc = Record<string, string>;

/** An R1CS evaluator: tells whether a (possibly hand-tampered) witness satisfies every constraint. */
export class R1cs {
  private constructor(
    private readonly constraints: [Lc, Lc, Lc][],
    readonly signals: Map<string, number>,
  ) {}

  static async load(c: CompileResult): Promise<R1cs> {
    const json = await (snarkjs.r1cs as unknown as { exportJson(f: string): Promise<{ constraints: [Lc, Lc, Lc][] }> }).exportJson(c.r1cs);
    const signals = new Map<string, number>();
    for (const line of (await readFile(c.sym, 'utf8')).split('\n')) {
      const [, wire, , name] = line.split(',');
      if (name && wire !== undefined && Number(wire) >= 0) signals.set(name, Number(wire));
    }
    return new R1cs(json.constraints, signals);
  }

  wire(name: string): number {
    const w = this.signals.get(name);
    if (w === undefined) throw new Error(`signal ${name} is not a wire (eliminated or unknown)`);
    return w;
  }

  /** How many constraints have a non-zero coefficient for `wire` in both A and B (a product of it). */
  quadraticIn(wire: number): number {
    const key = String(wire);
    return this.constraints.filter(([a, b]) => BigInt(a[key] ?? '0') !== 0n && BigInt(b[key] ?? '0') !== 0n).length;
  }

  satisfied(w: readonly bigint[]): boolean {
    const ev = (lc: Lc): bigint => {
      let s = 0n;
      for (const [k, v] of Object.entries(lc)) s += BigInt(v) * mod(w[Number(k)] ?? 0n);
      return mod(s);
    };
    return this.constraints.every(([a, b, c]) => mod(ev(a) * ev(b) - ev(c)) === 0n);
  }
}

export { mod as fieldMod };
