pragma circom 2.1.0;

include "./rescale.circom";
include "./relu.circom";

// Dense(nIn, nOut, S, M, relu, W, B): one layer of the canonical integer model (docs/SEMANTICS.md):
//   acc[j] = B[j] + sum_i W[j][i] * in[i]
//   out[j] = floor((acc[j] + 2^(S-1)) / 2^S), then max(0, .) when relu = 1.
// W (nOut x nIn) and B (nOut) are compile-time constants, so every accumulator is a linear combination of
// the inputs: the multiplications cost no constraints. Only the rescale (S + M + 1 per neuron) and the
// ReLU (1 per neuron) do.
// Precondition: the inputs are range-checked by the caller (the unpacked input or the previous layer's
// Rescale), and M comes from the static bounds so every quotient lies in [-2^M, 2^M).
template Dense(nIn, nOut, S, M, relu, W, B) {
    assert(relu == 0 || relu == 1);
    signal input in[nIn];
    signal output out[nOut];

    component rescale[nOut];
    component act[nOut];
    for (var j = 0; j < nOut; j++) {
        var acc = B[j];
        for (var i = 0; i < nIn; i++) {
            if (W[j][i] != 0) {
                acc += W[j][i] * in[i];
            }
        }
        rescale[j] = Rescale(S, M);
        rescale[j].in <== acc;
        if (relu == 1) {
            act[j] = SignedRelu();
            act[j].in <== rescale[j].out;
            act[j].nonNeg <== rescale[j].nonNeg;
            out[j] <== act[j].out;
        } else {
            out[j] <== rescale[j].out;
        }
    }
}
