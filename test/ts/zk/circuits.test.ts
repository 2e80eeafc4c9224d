import { beforeAll, describe, expect, it } from 'vitest';
import { argmax, rescale } from '../../../lib/semantics/index.js';
import type { CompileResult } from '../../../lib/zk/compile.js';
import { compileTestCircuit, fieldMod, R1cs, witness } from './helpers.js';
import { toJson } from '../../../lib/protocol/index.js';

const INC =
  'include "circuits/rescale.circom";\ninclude "circuits/relu.circom";\ninclude "circuits/argmax.circom";\ninclude "circuits/pack.circom";\ninclude "circuits/range.circom";';

/** All assignments of `bits` boolean wires. */
function* assignments(n: number): Generator<number[]> {
  for (let m = 0; m < 1 << n; m++) yield Array.from({ length: n }, (_, i) => (m >> i) & 1);
}

describe('Rescale + SignedRelu templates', () => {
  const S = 3;
  const M = 4;
  let c: CompileResult;
  let r1cs: R1cs;
  beforeAll(async () => {
    c = await compileTestCircuit(
      'rescale_relu',
      `${INC}
template T() {
    signal input in;
    signal output q;
    signal output nonNeg;
    signal output y;
    component r = Rescale(${S}, ${M});
    r.in <== in;
    q <== r.out;
    nonNeg <== r.nonNeg;
    component relu = SignedRelu();
    relu.in <== r.out;
    relu.nonNeg <== r.nonNeg;
    y <== relu.out;
}
component main = T();`,
    );
    r1cs = await R1cs.load(c);
  });

  it('costs S + M + 1 non-linear constraints for the rescale and 1 for the ReLU', () => {
    expect(c.nonLinearConstraints).toBe(S + M + 1 + 1);
  });

  it('matches floor((acc + 2^(S-1)) / 2^S) and max(0, .) around zero and at both ends of its range', async () => {
    // Quotients in [-2^M, 2^M): accumulators in [-2^(M+S) - 2^(S-1), 2^(M+S) - 2^(S-1)).
    const lo = -(1 << (M + S)) - (1 << (S - 1));
    const hi = (1 << (M + S)) - (1 << (S - 1)) - 1;
    const accs = [lo, lo + 1, lo + 7, lo + 8, hi - 8, hi - 7, hi - 1, hi];
    for (let acc = -20; acc <= 20; acc++) accs.push(acc);
    for (const acc of accs) {
      const w = await witness(c, { in: String(acc) });
      const q = rescale(BigInt(acc), S);
      expect(w[r1cs.wire('main.q')]).toBe(fieldMod(q));
      expect(w[r1cs.wire('main.nonNeg')]).toBe(q >= 0n ? 1n : 0n);
      expect(w[r1cs.wire('main.y')]).toBe(q > 0n ? q : 0n);
      expect(r1cs.satisfied(w)).toBe(true);
    }
  });

  it('refuses accumulators whose quotient is outside [-2^M, 2^M) (witness generation fails)', async () => {
    await expect(witness(c, { in: String((1 << (M + S)) - (1 << (S - 1))) })).rejects.toThrow();
    await expect(witness(c, { in: String(-(1 << (M + S)) - (1 << (S - 1)) - 1) })).rejects.toThrow();
  });

  it('admits no other witness: a wrong quotient, remainder, sign or ReLU output fails for every hint assignment', async () => {
    // The quotient's top bit is the sign: --O1 merges it with main.nonNeg, which each claim sets.
    const bitWires = [...Array.from({ length: S }, (_, i) => `main.r.rBits.out[${i}]`), ...Array.from({ length: M }, (_, i) => `main.r.qBits.out[${i}]`)].map(
      (n) => r1cs.wire(n),
    );
    for (const acc of [-132, -68, -5, -4, -1, 0, 3, 4, 60, 123]) {
      const honest = await witness(c, { in: String(acc) });
      const q = rescale(BigInt(acc), S);
      const claims: { q: bigint; nonNeg: bigint; y: bigint }[] = [
        { q: q + 1n, nonNeg: q + 1n >= 0n ? 1n : 0n, y: q + 1n > 0n ? q + 1n : 0n },
        { q: q - 1n, nonNeg: q - 1n >= 0n ? 1n : 0n, y: q - 1n > 0n ? q - 1n : 0n },
        { q, nonNeg: 1n - (q >= 0n ? 1n : 0n), y: q }, // flipped sign: a negative value passed through the ReLU
        { q, nonNeg: q >= 0n ? 1n : 0n, y: q < 0n ? q : q + 1n }, // ReLU output not max(0, q)
      ];
      for (const claim of claims) {
        let found = 0;
        for (const bits of assignments(S + M)) {
          const w = [...honest];
          for (const [k, b] of bits.entries()) w[bitWires[k]!] = BigInt(b);
          w[r1cs.wire('main.q')] = fieldMod(claim.q);
          w[r1cs.wire('main.nonNeg')] = claim.nonNeg;
          w[r1cs.wire('main.y')] = fieldMod(claim.y);
          if (r1cs.satisfied(w)) found++;
        }
        expect(found, `acc ${acc}, claim ${toJson(claim, 0)}`).toBe(0);
      }
      // The honest claim has exactly one witness: the hints are pinned.
      let honestCount = 0;
      for (const bits of assignments(S + M)) {
        const w = [...honest];
        for (const [k, b] of bits.entries()) w[bitWires[k]!] = BigInt(b);
        if (r1cs.satisfied(w)) honestCount++;
      }
      expect(honestCount).toBe(1);
    }
  });

  it('rejects a remainder pushed out of [0, 2^S) even with consistent integer arithmetic', async () => {
    // q' = q - 1 and r' = r + 2^S satisfy 2^S q' + r' = acc + 2^(S-1), but r' has no S-bit decomposition:
    // any attempt leaves the bit sum or the bit booleanity unsatisfied.
    const acc = 21;
    const honest = await witness(c, { in: String(acc) });
    const w = [...honest];
    const q = rescale(BigInt(acc), S);
    w[r1cs.wire('main.q')] = fieldMod(q - 1n);
    // Put r + 2^S into the top remainder bit as the value 2 (not boolean): the booleanity constraint fails.
    w[r1cs.wire(`main.r.rBits.out[${S - 1}]`)] = honest[r1cs.wire(`main.r.rBits.out[${S - 1}]`)]! + 2n;
    expect(r1cs.satisfied(w)).toBe(false);
  });
});

describe('ArgMax template', () => {
  const N = 4;
  const M = 3;
  let c: CompileResult;
  beforeAll(async () => {
    c = await compileTestCircuit('argmax', `${INC}\ncomponent main = ArgMax(${N}, ${M});`);
  });

  it('returns the index of the largest value, the lowest index on ties', async () => {
    const table: number[][] = [
      [0, 0, 0, 0],
      [-8, -8, -8, -8],
      [7, 7, 7, 7],
      [1, 3, 3, 2],
      [-8, 7, -8, 7],
      [5, -1, 5, 6],
      [-3, -2, -1, -1],
      [7, -8, 6, 7],
    ];
    for (const row of table) {
      const w = await witness(c, { in: row.map(String) });
      expect(w[1], JSON.stringify(row)).toBe(BigInt(argmax(row.map(BigInt))));
    }
  });

  it('agrees with the reference argmax on random vectors', async () => {
    let seed = 5;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed % 16) - 8;
    };
    for (let k = 0; k < 40; k++) {
      const row = Array.from({ length: N }, next);
      const w = await witness(c, { in: row.map(String) });
      expect(w[1]).toBe(BigInt(argmax(row.map(BigInt))));
    }
  });

  it('a tampered output index does not satisfy the constraints', async () => {
    const r1cs = await R1cs.load(c);
    const w = await witness(c, { in: ['1', '3', '3', '2'] });
    expect(r1cs.satisfied(w)).toBe(true);
    for (const wrong of [0n, 2n, 3n]) {
      const t = [...w];
      t[1] = wrong;
      expect(r1cs.satisfied(t)).toBe(false);
    }
  });
});

describe('BitsLessEqConst template', () => {
  const n = 5;
  for (const R of [0, 16, 21, 30]) {
    it(`accepts exactly the values v <= ${R} among all ${1 << n} values of ${n} bits`, async () => {
      const c = await compileTestCircuit(
        `leconst_${R}`,
        `${INC}
template T() {
    signal input in;
    component bits = Num2Bits(${n});
    bits.in <== in;
    component le = BitsLessEqConst(${n}, ${R});
    for (var i = 0; i < ${n}; i++) { le.bits[i] <== bits.out[i]; }
}
component main = T();`,
      );
      for (let v = 0; v < 1 << n; v++) {
        const ok = await witness(c, { in: String(v) }).then(
          () => true,
          () => false,
        );
        expect(ok, `v = ${v}`).toBe(v <= R);
      }
    });
  }
});

describe('UnpackRange / Pack templates', () => {
  let c: CompileResult;
  let r1cs: R1cs;
  const [count, width, lo, hi] = [3, 4, -3, 9];
  beforeAll(async () => {
    c = await compileTestCircuit(
      'unpack',
      `${INC}
template T() {
    signal input in;
    signal output out[${count}];
    signal output repacked;
    component u = UnpackRange(${count}, ${width}, ${lo}, ${hi});
    u.in <== in;
    component p = Pack(${count}, ${width}, ${lo});
    for (var i = 0; i < ${count}; i++) { out[i] <== u.out[i]; p.in[i] <== u.out[i]; }
    repacked <== p.out;
}
component main = T();`,
    );
    r1cs = await R1cs.load(c);
  });

  const pack = (vals: number[]): bigint => vals.reduce((acc, v, i) => acc + (BigInt(v - lo) << BigInt(i * width)), 0n);

  it('unpacks values in [lo, hi] (offset by lo) and packs them back', async () => {
    for (const vals of [
      [-3, -3, -3],
      [9, 9, 9],
      [0, -1, 5],
      [-3, 9, 2],
    ]) {
      const w = await witness(c, { in: pack(vals).toString() });
      expect([1, 2, 3].map((i) => w[i])).toEqual(vals.map((v) => fieldMod(BigInt(v))));
      expect(w[4]).toBe(pack(vals));
    }
  });

  it('rejects a packed value above hi and a packed signal wider than count * width bits', async () => {
    // v - lo = 13 > hi - lo = 12 fits the 4 bits but not the range.
    await expect(witness(c, { in: (13n << 4n).toString() })).rejects.toThrow();
    await expect(witness(c, { in: (1n << 12n).toString() })).rejects.toThrow();
  });

  it('a hand-built witness for an out-of-range value does not satisfy the constraints', async () => {
    const honest = await witness(c, { in: '0' });
    const w = [...honest];
    // Value 0 := 13 + lo (bits 1011 then 1101 = 13), other values 0 + lo.
    const bitsOf13 = [1, 0, 1, 1];
    w[r1cs.wire('main.in')] = 13n;
    for (const [i, b] of bitsOf13.entries()) w[r1cs.wire(`main.u.bits.out[${i}]`)] = BigInt(b);
    w[1] = fieldMod(13n + BigInt(lo));
    w[4] = 13n;
    expect(r1cs.satisfied(honest)).toBe(true);
    // R = hi - lo = 12 = 0b1100: eq[3] = b3 = 1, then eq[2] = eq[3] * b2 must be 1 (--O1 merges eq[2..0],
    // the zero run's flag, into eq[0]); whatever the prover puts there, either eq[2] = eq[3] * b2 or
    // eq[2] * (b1 + b0) = 0 fails.
    w[r1cs.wire('main.u.le[0].eq[3]')] = 1n;
    for (const eq of [0n, 1n, 2n]) {
      w[r1cs.wire('main.u.le[0].eq[0]')] = eq;
      expect(r1cs.satisfied(w)).toBe(false);
    }
  });
});
