pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "./range.circom";

// UnpackRange(count, width, lo, hi): splits a packed field element into `count` values of `width` bits
// (value i in bits [i*width, (i+1)*width)), each offset by `lo`, and range-checks every value to [lo, hi].
// out[i] = lo + v_i with 0 <= v_i <= hi - lo. The bit decomposition pins the packing (count*width <= 253 bits,
// below the field size, so the decomposition is unique) and the lower bound; BitsLessEqConst adds the upper
// bound when hi - lo + 1 is not a power of two. Cost: count*width (+ the upper-bound checks) constraints.
template UnpackRange(count, width, lo, hi) {
    assert(count >= 1 && width >= 1 && count * width <= 253);
    assert(hi - lo >= 0 && hi - lo < (1 << width));
    signal input in;
    signal output out[count];

    component bits = Num2Bits(count * width);
    bits.in <== in;
    var full = (hi - lo) == (1 << width) - 1;
    component le[count];
    for (var i = 0; i < count; i++) {
        var v = 0;
        for (var b = 0; b < width; b++) {
            v += bits.out[i * width + b] * (1 << b);
        }
        out[i] <== v + lo;
        if (!full) {
            le[i] = BitsLessEqConst(width, hi - lo);
            for (var b = 0; b < width; b++) {
                le[i].bits[b] <== bits.out[i * width + b];
            }
        }
    }
}

// Pack(count, width, lo): out = sum_i (in[i] - lo) * 2^(i*width), the inverse layout of UnpackRange.
// Precondition (not checked here): every in[i] - lo lies in [0, 2^width); the compiler sizes width from the
// static bounds of the values, which the range-checked computation that produces them respects.
// Cost: none (a linear combination).
template Pack(count, width, lo) {
    assert(count >= 1 && width >= 1 && count * width <= 253);
    signal input in[count];
    signal output out;
    var acc = 0;
    for (var i = 0; i < count; i++) {
        acc += (in[i] - lo) * (1 << (i * width));
    }
    out <== acc;
}
