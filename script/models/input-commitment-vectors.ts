// npm run vectors:commitments: writes test/vectors/input-commitments.json, the Poseidon input commitments
// (lib/semantics/input-hash.ts) that the forge tests recompute with src-sol/libraries/InputHash.sol: edge cases by
// hand (empty, one value, a word boundary, 1-bit and wide ranges, negative ranges, the 784-pixel image), then random
// lengths, ranges and values from a fixed seed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/project.js';
import { inputCommitment, type InputRange } from '../../lib/semantics/index.js';
import { seededRandom } from '../../lib/zk/sample-models.js';

export const COMMITMENT_VECTORS_FILE = join(PROJECT_ROOT, 'test', 'vectors', 'input-commitments.json');

type Case = { input: bigint[]; range: InputRange };
const next = seededRandom(784);
const int = (lo: bigint, hi: bigint): bigint => lo + BigInt(Math.floor(next() * Number(hi - lo + 1n)));
const fill = (n: number, range: InputRange, f: (k: number) => bigint): Case => ({ input: Array.from({ length: n }, (_, k) => f(k)), range });

const pixels: InputRange = { inputMin: 0n, inputMax: 255n };
const cases: Case[] = [
  fill(0, pixels, () => 0n),
  fill(1, pixels, () => 0n),
  fill(1, pixels, () => 255n),
  // 31 pixels fill a 253-bit word (8 bits each); 32 start a second; 93 fill the first permutation's three words.
  fill(31, pixels, (k) => BigInt(k)),
  fill(32, pixels, (k) => BigInt(255 - k)),
  fill(93, pixels, () => 255n),
  fill(94, pixels, () => 255n),
  fill(784, pixels, (k) => BigInt((k * 37) % 256)),
  fill(64, { inputMin: 0n, inputMax: 1n }, (k) => BigInt(k % 2)),
  fill(64, { inputMin: 0n, inputMax: 131072n }, (k) => BigInt(k * 2048)),
  fill(16, { inputMin: -(1n << 40n), inputMax: (1n << 40n) - 1n }, (k) => (k % 2 === 0 ? -(1n << 40n) : (1n << 40n) - 1n)),
  fill(5, { inputMin: 7n, inputMax: 7n }, () => 7n),
];
for (let i = 0; i < 40; i++) {
  const lo = int(-1000n, 1000n);
  const hi = lo + int(0n, 1n << BigInt(Math.floor(next() * 40)));
  const n = Math.floor(next() * 200);
  cases.push(fill(n, { inputMin: lo, inputMax: hi }, () => int(lo, hi)));
}

const vectors = cases.map((c) => ({
  inputMin: String(c.range.inputMin),
  inputMax: String(c.range.inputMax),
  input: c.input.map(String),
  commitment: inputCommitment(c.input, c.range),
}));
await mkdir(dirname(COMMITMENT_VECTORS_FILE), { recursive: true });
await writeFile(
  COMMITMENT_VECTORS_FILE,
  `${JSON.stringify({ generatedBy: 'npm run vectors:commitments (script/models/input-commitment-vectors.ts): do not edit', vectors }, null, 1)}\n`,
);
console.log(`${vectors.length} commitment vectors written to ${COMMITMENT_VECTORS_FILE}`);
