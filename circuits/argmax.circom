pragma circom 2.1.0;

include "./compare.circom";

// ArgMax(n, M): out = the index of the largest of in[0..n-1]; on a tie the lowest index wins
// (a later value replaces the running maximum only when it is strictly greater).
// Precondition: every in[j] lies in [-2^M, 2^M) (the caller range-checks them: Rescale does).
// Cost: (n - 1) * (M + 4) constraints.
template ArgMax(n, M) {
    assert(n >= 1);
    signal input in[n];
    signal output out;

    signal best[n];
    signal index[n];
    signal greater[n];
    component gt[n];
    best[0] <== in[0];
    index[0] <== 0;
    greater[0] <== 0;
    for (var j = 1; j < n; j++) {
        gt[j] = GreaterThanSigned(M);
        gt[j].in[0] <== in[j];
        gt[j].in[1] <== best[j - 1];
        greater[j] <== gt[j].out;
        best[j] <== best[j - 1] + greater[j] * (in[j] - best[j - 1]);
        index[j] <== index[j - 1] + greater[j] * (j - index[j - 1]);
    }
    out <== index[n - 1];
}
