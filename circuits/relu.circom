pragma circom 2.1.0;

// SignedRelu(): out = max(0, in), given nonNeg = 1 exactly when in >= 0.
// Precondition: nonNeg is a boolean pinned to the sign of `in` by the caller (Rescale's nonNeg output is),
// so a negative value cannot pass through. Cost: 1 constraint.
template SignedRelu() {
    signal input in;
    signal input nonNeg;
    signal output out;
    out <== in * nonNeg;
}
