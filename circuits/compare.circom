pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// GreaterThanSigned(M): out = 1 when in[0] > in[1], else 0, for signed integers.
// Precondition (not checked here): both inputs lie in [-2^M, 2^M). Then in[0] - in[1] - 1 + 2^(M+1)
// lies in [0, 2^(M+2)) and its bit M+1 is set exactly when in[0] - in[1] - 1 >= 0.
// Cost: M + 2 constraints.
template GreaterThanSigned(M) {
    assert(M >= 1 && M + 2 <= 252);
    signal input in[2];
    signal output out;
    component bits = Num2Bits(M + 2);
    bits.in <== in[0] - in[1] - 1 + (1 << (M + 1));
    out <== bits.out[M + 1];
}
