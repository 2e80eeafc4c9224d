pragma circom 2.1.0;

// BitsLessEqConst(n, R): asserts v <= R where v = sum bits[i] * 2^i is given by its n bits.
// Precondition: every bits[i] is constrained boolean by the caller (Num2Bits does), and R < 2^n.
//
// Walking from the top bit down, `eq` says "v's bits so far equal R's". Where R has a 1 bit,
// eq continues only if v's bit is 1 (one multiplication). Where R has a run of 0 bits, v's bits
// must be 0 while eq holds: eq * (sum of the run's bits) === 0 checks the whole run at once (bits are
// 0/1, the sum cannot wrap). Cost: (ones of R below its top bit) + (runs of zeros) constraints;
// for R = 2^k (for example an input range [0, 4096]) that is one constraint. Bits below R's lowest 0 bit
// need no check (any value of them keeps v <= R once the higher bits are equal), so the walk stops there.
template BitsLessEqConst(n, R) {
    assert(n >= 1 && n <= 252);
    assert(R >= 0 && R < (1 << n));
    signal input bits[n];

    // z = the lowest 0 bit of R (n when R = 2^n - 1: then every n-bit value is <= R).
    var z = n;
    for (var k = n - 1; k >= 0; k--) {
        if (((R >> k) & 1) == 0) {
            z = k;
        }
    }
    signal eq[n + 1];
    eq[n] <== 1;
    var run = 0;
    var inRun = 0;
    for (var k = n - 1; k >= z; k--) {
        var rk = (R >> k) & 1;
        if (rk == 1) {
            if (inRun == 1) {
                eq[k + 1] * run === 0;
                run = 0;
                inRun = 0;
            }
            eq[k] <== eq[k + 1] * bits[k];
        } else {
            run += bits[k];
            inRun = 1;
            eq[k] <== eq[k + 1];
        }
    }
    if (inRun == 1) {
        eq[z] * run === 0;
    }
}
