pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// Rescale(S, M): out = floor((in + 2^(S-1)) / 2^S), the canonical rescale of docs/SEMANTICS.md
// (round half up, floor also for negatives), and nonNeg = 1 when out >= 0, else 0.
//
// Precondition (the caller's static bounds): the true quotient lies in [-2^M, 2^M), and |in| is far
// below the field size (the compiler's bounds keep it below 2^62 for honest and 2^200 for any
// range-checked inputs). Then the constraints below have exactly one solution: the remainder is
// pinned to [0, 2^S) by S bits and the shifted quotient out + 2^M to [0, 2^(M+1)) by M+1 bits, so
// 2^S * q + r = in + 2^(S-1) holds over the integers, not only modulo p. Its top bit is the sign.
// Cost: S + M + 1 constraints.
template Rescale(S, M) {
    assert(S >= 1 && S <= 32);
    assert(M >= 1 && M + 1 + S <= 240);
    signal input in;
    signal output out;
    signal output nonNeg;

    // Offset so that both hints are non-negative integers below 2^(S+M+1).
    var shifted = in + (1 << (S - 1)) + (1 << (M + S));
    signal r;
    signal qShifted;
    r <-- shifted % (1 << S);
    qShifted <-- shifted \ (1 << S);

    component rBits = Num2Bits(S);
    rBits.in <== r;
    component qBits = Num2Bits(M + 1);
    qBits.in <== qShifted;
    qShifted * (1 << S) + r === in + (1 << (S - 1)) + (1 << (M + S));

    out <== qShifted - (1 << M);
    nonNeg <== qBits.out[M];
}
