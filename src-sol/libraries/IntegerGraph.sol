// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IntegerGraph
/// @notice Decodes an integer graph (format `VAG1`, docs/SEMANTICS.md "Integer graphs") and executes it exactly as the
/// TypeScript reference (`lib/semantics/graph-execute.ts`): exact int256 arithmetic, the one rounding rule
/// `rescale(a) = (a + 2^(S-1)) >> S` (an arithmetic shift: floor, also for negatives), argmax with the lowest index on
/// a tie. CNN ops only: conv (stride, padding, groups, depthwise), dense, affine, max and average pools, relu,
/// leakyrelu, clip, hardsigmoid, hardswish, piecewise (sigmoid, tanh), add, mul, concat, reshape, transpose. The
/// transformer ops (codes 32..39) are refused with {IntegerGraphUnsupportedOp}: a language model does not fit a block
/// and is disputed by bisection instead (docs/PROTOCOL.md).
/// @dev Every rule a decoder enforces (`decodeGraph` + `validateGraph`) is checked while decoding: magic, scale,
/// output kind, ranks, shapes, op parameters, integer widths (1, 2, 4 or 8 and minimal), safe integers, trailing
/// bytes. The static bounds analysis of the reference (every accumulator and value below 2^62) is not repeated on
/// chain, where it would cost as much as an execution: instead every accumulator and every value that can grow
/// (add, clip, input) is checked at run time, and {IntegerGraphOverflow} reverts before int256 could differ from the
/// reference. On every graph the reference accepts the check never fires, so the output is the reference's.
library IntegerGraph {
    /// @notice The encoding ends before a field it announces (`needed` bytes from its start).
    error IntegerGraphTruncated(uint256 needed, uint256 length);
    /// @notice The encoding does not start with "VAG1".
    error IntegerGraphBadMagic(bytes4 magic);
    /// @notice The scale is outside `1..32`.
    error IntegerGraphBadScale(uint256 scaleBits);
    /// @notice The output kind is neither 0 (logits) nor 1 (argmax).
    error IntegerGraphBadOutputKind(uint256 outputKind);
    /// @notice `inputMin > inputMax`.
    error IntegerGraphBadInputRange(int256 inputMin, int256 inputMax);
    /// @notice The node count is outside `1..256`.
    error IntegerGraphBadNodeCount(uint256 nodeCount);
    /// @notice A tensor's shape breaks the limits (rank 1..4, positive dimensions, at most 2^20 values); 0 = input.
    error IntegerGraphBadShape(uint256 tensor);
    /// @notice The op code is unknown, or a transformer op (not executed on chain).
    error IntegerGraphUnsupportedOp(uint256 node, uint256 opCode);
    /// @notice The node reads a tensor not written before it, or the wrong number of tensors for its op.
    error IntegerGraphBadInputs(uint256 node);
    /// @notice The node's parameters do not fit the shapes it reads (window, groups, counts, axis, perm, flags).
    error IntegerGraphBadParams(uint256 node);
    /// @notice The node declares a shape other than the one its op computes.
    error IntegerGraphShapeMismatch(uint256 node);
    /// @notice An integer array's width is not 1, 2, 4 or 8 (`offset`: the width byte).
    error IntegerGraphBadWidth(uint256 offset, uint256 width);
    /// @notice An integer array is not in its smallest width (`offset`: its first value).
    error IntegerGraphNonMinimalWidth(uint256 offset);
    /// @notice A constant is not a safe integer (|v| < 2^53) (`offset`: where).
    error IntegerGraphUnsafeInteger(uint256 offset);
    /// @notice Bytes follow the last node.
    error IntegerGraphTrailingBytes(uint256 consumed, uint256 length);
    /// @notice The input has the wrong number of values.
    error IntegerGraphInputLength(uint256 length, uint256 expected);
    /// @notice An input value lies outside `[inputMin, inputMax]` (rejected, never clamped).
    error IntegerGraphInputRange(uint256 index, int256 value);
    /// @notice An accumulator or value of the node reaches 2^62 (the reference refuses such a graph statically);
    /// `node` = type(uint256).max for the input.
    error IntegerGraphOverflow(uint256 node);

    bytes4 internal constant MAGIC = 0x56414731; // "VAG1"
    uint256 internal constant MIN_SCALE_BITS = 1;
    uint256 internal constant MAX_SCALE_BITS = 32;
    uint256 internal constant MAX_NODES = 256;
    uint256 internal constant MAX_RANK = 4;
    uint256 internal constant MAX_TENSOR_SIZE = 1 << 20;
    uint256 internal constant MAX_SEG_BITS = 40;
    uint256 internal constant OUTPUT_ARGMAX = 1;
    int256 internal constant MAX_SAFE = (1 << 53) - 1;
    int256 internal constant PIECEWISE_LO_LIMIT = 1 << 62;

    uint256 internal constant OP_CONV = 1;
    uint256 internal constant OP_DENSE = 2;
    uint256 internal constant OP_AFFINE = 3;
    uint256 internal constant OP_MAXPOOL = 4;
    uint256 internal constant OP_AVGPOOL = 5;
    uint256 internal constant OP_RELU = 6;
    uint256 internal constant OP_LEAKYRELU = 7;
    uint256 internal constant OP_CLIP = 8;
    uint256 internal constant OP_HARDSIGMOID = 9;
    uint256 internal constant OP_HARDSWISH = 10;
    uint256 internal constant OP_PIECEWISE = 11;
    uint256 internal constant OP_ADD = 12;
    uint256 internal constant OP_MUL = 13;
    uint256 internal constant OP_CONCAT = 14;
    uint256 internal constant OP_RESHAPE = 15;
    uint256 internal constant OP_TRANSPOSE = 16;

    /// @notice What a caller needs to know about a graph without running it.
    struct Header {
        uint256 scaleBits;
        uint256 outputKind;
        int256 inputMin;
        int256 inputMax;
        uint256 nodeCount;
        uint256 inputLength;
        /// The last tensor's size (logits) or 1 (argmax).
        uint256 outputLength;
    }

    /// @dev A read position in an encoding held in memory: `base` is the address of byte 0.
    struct Cursor {
        uint256 base;
        uint256 p;
        uint256 length;
    }

    /// @dev An integer array of the encoding: the memory address of its first value, its count and width.
    struct Ints {
        uint256 ptr;
        uint256 count;
        uint256 width;
    }

    /// @dev One decoded node. `win`: kh, kw, sh, sw, top, left, bottom, right.
    struct Node {
        uint256 op;
        uint256[] inputs;
        uint256[] shape;
        uint256[8] win;
        uint256 groups;
        uint256 flag;
        Ints a;
        Ints b;
        Ints c;
        int256 p1;
        int256 p2;
        uint256 segBits;
        uint256[] perm;
    }

    /// @dev The constants of one window sum, read by {_window} (field order is its memory layout).
    struct Window {
        uint256 wWidth;
        uint256 wShift;
        uint256 cols32;
        uint256 rows;
        uint256 xRow;
        uint256 wRow;
        uint256 xChannel;
        uint256 wChannel;
        uint256 channels;
    }

    /// @dev The input plane of a window op and the running state of its output (`xData`: address of the input's first
    /// value; `at`: next output index; `bad`: an accumulator reached the bound).
    struct Plane {
        uint256 xData;
        uint256 height;
        uint256 width;
        uint256 s;
        uint256 bad;
        uint256 at;
        uint256 row0;
        uint256 rows;
    }

    // ---------------------------------------------------------------- entry points

    /// @notice Checks the whole encoding (every rule a decoder enforces) without running it.
    function validate(bytes memory blob) internal pure returns (Header memory header) {
        (Cursor memory c, uint256[][] memory shapes) = _begin(blob, header);
        for (uint256 k = 0; k < header.nodeCount; ++k) {
            Node memory node = _node(c, k, shapes);
            shapes[k + 1] = node.shape;
        }
        _end(c, header, shapes);
    }

    /// @notice Runs the graph on `input` and returns the canonical output (the last tensor, or `[argmax]`).
    /// @dev Validates the encoding as it goes and the input against `[inputMin, inputMax]`.
    function execute(bytes memory blob, int256[] memory input) internal pure returns (int256[] memory output) {
        Header memory header;
        (Cursor memory c, uint256[][] memory shapes) = _begin(blob, header);
        if (input.length != header.inputLength) revert IntegerGraphInputLength(input.length, header.inputLength);
        for (uint256 i = 0; i < input.length; ++i) {
            int256 v = input[i];
            if (v < header.inputMin || v > header.inputMax) revert IntegerGraphInputRange(i, v);
        }
        _checkValues(input, type(uint256).max);
        int256[][] memory tensors = new int256[][](header.nodeCount + 1);
        tensors[0] = input;
        for (uint256 k = 0; k < header.nodeCount; ++k) {
            Node memory node = _node(c, k, shapes);
            shapes[k + 1] = node.shape;
            tensors[k + 1] = _run(node, k, tensors, shapes, header.scaleBits);
        }
        _end(c, header, shapes);
        int256[] memory last = tensors[header.nodeCount];
        if (header.outputKind == OUTPUT_ARGMAX) {
            uint256 best = 0;
            for (uint256 j = 1; j < last.length; ++j) {
                if (last[j] > last[best]) best = j;
            }
            output = new int256[](1);
            output[0] = int256(best);
        } else {
            output = last;
        }
    }

    // ---------------------------------------------------------------- header

    function _begin(bytes memory blob, Header memory h)
        private
        pure
        returns (Cursor memory c, uint256[][] memory shapes)
    {
        uint256 base;
        assembly ("memory-safe") {
            base := add(blob, 0x20)
        }
        c = Cursor(base, 0, blob.length);
        bytes4 magic = bytes4(uint32(_u(c, 4)));
        if (magic != MAGIC) revert IntegerGraphBadMagic(magic);
        h.scaleBits = _u(c, 1);
        if (h.scaleBits < MIN_SCALE_BITS || h.scaleBits > MAX_SCALE_BITS) revert IntegerGraphBadScale(h.scaleBits);
        h.outputKind = _u(c, 1);
        if (h.outputKind > OUTPUT_ARGMAX) revert IntegerGraphBadOutputKind(h.outputKind);
        h.inputMin = _i(c, 8);
        h.inputMax = _i(c, 8);
        if (h.inputMin > h.inputMax) revert IntegerGraphBadInputRange(h.inputMin, h.inputMax);
        uint256[] memory inputShape = _shape(c, 0);
        h.inputLength = _size(inputShape);
        h.nodeCount = _u(c, 2);
        if (h.nodeCount == 0 || h.nodeCount > MAX_NODES) revert IntegerGraphBadNodeCount(h.nodeCount);
        shapes = new uint256[][](h.nodeCount + 1);
        shapes[0] = inputShape;
    }

    function _end(Cursor memory c, Header memory h, uint256[][] memory shapes) private pure {
        if (c.p != c.length) revert IntegerGraphTrailingBytes(c.p, c.length);
        h.outputLength = h.outputKind == OUTPUT_ARGMAX ? 1 : _size(shapes[h.nodeCount]);
    }

    /// @dev `u8 rank, rank × u32`: rank 1..4, positive dimensions, at most 2^20 values.
    function _shape(Cursor memory c, uint256 tensor) private pure returns (uint256[] memory shape) {
        uint256 rank = _u(c, 1);
        if (rank == 0 || rank > MAX_RANK) revert IntegerGraphBadShape(tensor);
        shape = new uint256[](rank);
        uint256 total = 1;
        for (uint256 a = 0; a < rank; ++a) {
            uint256 d = _u(c, 4);
            if (d == 0) revert IntegerGraphBadShape(tensor);
            shape[a] = d;
            total *= d;
            if (total > MAX_TENSOR_SIZE) revert IntegerGraphBadShape(tensor);
        }
    }

    // ---------------------------------------------------------------- nodes

    /// @dev Decodes node `k` and checks it against the shapes of the tensors it reads (`inferShape` of the reference).
    function _node(Cursor memory c, uint256 k, uint256[][] memory shapes) private pure returns (Node memory n) {
        n.op = _u(c, 1);
        if (n.op == 0 || n.op > OP_TRANSPOSE) revert IntegerGraphUnsupportedOp(k, n.op);
        uint256 count = _u(c, 1);
        uint256 arity = n.op == OP_ADD || n.op == OP_MUL ? 2 : 1;
        if (n.op == OP_CONCAT ? count == 0 : count != arity) revert IntegerGraphBadInputs(k);
        n.inputs = new uint256[](count);
        for (uint256 j = 0; j < count; ++j) {
            uint256 id = _u(c, 2);
            if (id > k) revert IntegerGraphBadInputs(k);
            n.inputs[j] = id;
        }
        n.shape = _shape(c, k + 1);
        uint256[] memory x = shapes[n.inputs[0]];
        uint256 op = n.op;
        bool ok;
        if (op == OP_CONV) {
            _window(c, n);
            n.groups = _u(c, 2);
            uint256 outC = _u(c, 4);
            n.a = _ints(c);
            n.b = _ints(c);
            ok = _convShape(n, x, outC, k);
        } else if (op == OP_DENSE) {
            uint256 outDim = _u(c, 4);
            n.a = _ints(c);
            n.b = _ints(c);
            if (x.length != 1 || outDim == 0 || n.a.count != outDim * x[0] || n.b.count != outDim) {
                revert IntegerGraphBadParams(k);
            }
            ok = n.shape.length == 1 && n.shape[0] == outDim;
        } else if (op == OP_AFFINE) {
            n.a = _ints(c);
            n.b = _ints(c);
            if (n.a.count != x[0] || n.b.count != x[0]) revert IntegerGraphBadParams(k);
            ok = _same(n.shape, x);
        } else if (op == OP_MAXPOOL || op == OP_AVGPOOL) {
            _window(c, n);
            if (op == OP_AVGPOOL) {
                n.flag = _u(c, 1);
                if (n.flag > 1) revert IntegerGraphBadParams(k);
            }
            uint256[8] memory w = n.win;
            if (w[4] >= w[0] || w[6] >= w[0] || w[5] >= w[1] || w[7] >= w[1]) revert IntegerGraphBadParams(k);
            ok = _windowShape(n, x, x.length == 3 ? x[0] : 0, k);
        } else if (op == OP_LEAKYRELU) {
            n.p1 = _safe(c);
            ok = _same(n.shape, x);
        } else if (op == OP_CLIP) {
            n.p1 = _i(c, 8);
            n.p2 = _i(c, 8);
            if (n.p1 > n.p2) revert IntegerGraphBadParams(k);
            ok = _same(n.shape, x);
        } else if (op == OP_HARDSIGMOID || op == OP_HARDSWISH) {
            n.p1 = _safe(c);
            n.p2 = _safe(c);
            ok = _same(n.shape, x);
        } else if (op == OP_PIECEWISE) {
            if (_u(c, 1) > 1) revert IntegerGraphBadParams(k);
            n.p1 = _i(c, 8);
            n.segBits = _u(c, 1);
            n.a = _ints(c);
            n.b = _ints(c);
            n.c = _ints(c);
            if (
                n.a.count == 0 || n.b.count != n.a.count || n.c.count != n.a.count || n.segBits > MAX_SEG_BITS
                    || n.p1 < -PIECEWISE_LO_LIMIT || n.p1 > PIECEWISE_LO_LIMIT
            ) revert IntegerGraphBadParams(k);
            ok = _same(n.shape, x);
        } else if (op == OP_ADD || op == OP_MUL) {
            if (!_same(shapes[n.inputs[1]], x)) revert IntegerGraphBadParams(k);
            ok = _same(n.shape, x);
        } else if (op == OP_CONCAT) {
            n.flag = _u(c, 1);
            ok = _concatShape(n, shapes, k);
        } else if (op == OP_RESHAPE) {
            ok = _size(n.shape) == _size(x);
        } else if (op == OP_TRANSPOSE) {
            ok = _transposeShape(c, n, x, k);
        } else {
            // relu
            ok = _same(n.shape, x);
        }
        if (!ok) revert IntegerGraphShapeMismatch(k);
    }

    function _window(Cursor memory c, Node memory n) private pure {
        for (uint256 j = 0; j < 8; ++j) {
            n.win[j] = _u(c, 2);
        }
    }

    /// @dev Checks a window over `[C, H, W]` and whether the declared shape is `[channels, OH, OW]`.
    function _windowShape(Node memory n, uint256[] memory x, uint256 channels, uint256 k)
        private
        pure
        returns (bool)
    {
        uint256[8] memory w = n.win;
        if (x.length != 3 || w[0] == 0 || w[1] == 0 || w[2] == 0 || w[3] == 0) revert IntegerGraphBadParams(k);
        if (x[1] + w[4] + w[6] < w[0] || x[2] + w[5] + w[7] < w[1]) revert IntegerGraphBadParams(k);
        uint256 oh = (x[1] + w[4] + w[6] - w[0]) / w[2] + 1;
        uint256 ow = (x[2] + w[5] + w[7] - w[1]) / w[3] + 1;
        return n.shape.length == 3 && n.shape[0] == channels && n.shape[1] == oh && n.shape[2] == ow;
    }

    function _convShape(Node memory n, uint256[] memory x, uint256 outC, uint256 k) private pure returns (bool) {
        uint256 g = n.groups;
        if (x.length != 3 || g == 0 || x[0] % g != 0 || outC == 0 || outC % g != 0) revert IntegerGraphBadParams(k);
        if (n.a.count != outC * (x[0] / g) * n.win[0] * n.win[1] || n.b.count != outC) {
            revert IntegerGraphBadParams(k);
        }
        return _windowShape(n, x, outC, k);
    }

    function _concatShape(Node memory n, uint256[][] memory shapes, uint256 k) private pure returns (bool) {
        uint256 axis = n.flag;
        uint256[] memory x = shapes[n.inputs[0]];
        if (axis >= x.length) revert IntegerGraphBadParams(k);
        uint256 along = x[axis];
        for (uint256 j = 1; j < n.inputs.length; ++j) {
            uint256[] memory s = shapes[n.inputs[j]];
            if (s.length != x.length) revert IntegerGraphBadParams(k);
            for (uint256 a = 0; a < x.length; ++a) {
                if (a != axis && s[a] != x[a]) revert IntegerGraphBadParams(k);
            }
            along += s[axis];
        }
        if (n.shape.length != x.length) return false;
        for (uint256 a = 0; a < x.length; ++a) {
            if (n.shape[a] != (a == axis ? along : x[a])) return false;
        }
        return true;
    }

    function _transposeShape(Cursor memory c, Node memory n, uint256[] memory x, uint256 k)
        private
        pure
        returns (bool ok)
    {
        uint256 rank = _u(c, 1);
        n.perm = new uint256[](rank);
        uint256 seen;
        for (uint256 a = 0; a < rank; ++a) {
            uint256 p = _u(c, 1);
            n.perm[a] = p;
            if (p < 256) seen |= 1 << p;
        }
        if (rank != x.length || seen != (1 << rank) - 1) revert IntegerGraphBadParams(k);
        if (n.shape.length != rank) return false;
        ok = true;
        for (uint256 a = 0; a < rank; ++a) {
            if (n.shape[a] != x[n.perm[a]]) ok = false;
        }
    }

    // ---------------------------------------------------------------- execution

    function _run(Node memory n, uint256 k, int256[][] memory tensors, uint256[][] memory shapes, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        int256[] memory x = tensors[n.inputs[0]];
        uint256 op = n.op;
        if (op == OP_CONV) return _conv(n, k, x, shapes[n.inputs[0]], s);
        if (op == OP_DENSE) return _dense(n, k, x, s);
        if (op == OP_AFFINE) return _affine(n, k, x, s);
        if (op == OP_MAXPOOL || op == OP_AVGPOOL) return _pool(n, k, x, shapes[n.inputs[0]], s);
        if (op == OP_RESHAPE) return x; // tensors are never written after their node: sharing is safe
        if (op == OP_CONCAT) return _concat(n, tensors);
        if (op == OP_TRANSPOSE) return _transpose(n, x, shapes[n.inputs[0]]);
        if (op == OP_ADD || op == OP_MUL) return _binary(op, k, x, tensors[n.inputs[1]], s);
        if (op == OP_PIECEWISE) return _piecewise(n, k, x, s);
        return _elementwise(n, k, x, s);
    }

    /// @dev `y = rescale(B[o] + sum W[o][i][ky][kx] x[g·Cg + i][oy·sy + ky − top][ox·sx + kx − left])`, padding read 0:
    /// the window is clipped to the real plane, so padded positions are never visited.
    function _conv(Node memory n, uint256 k, int256[] memory x, uint256[] memory xs, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](n.shape[0] * n.shape[1] * n.shape[2]);
        Window memory w = Window({
            wWidth: n.a.width,
            wShift: 256 - 8 * n.a.width,
            cols32: 0,
            rows: 0,
            xRow: xs[2] * 32,
            wRow: n.win[1] * n.a.width,
            xChannel: xs[1] * xs[2] * 32,
            wChannel: n.win[0] * n.win[1] * n.a.width,
            channels: xs[0] / n.groups
        });
        Plane memory pl = Plane({xData: 0, height: xs[1], width: xs[2], s: s, bad: 0, at: 0, row0: 0, rows: 0});
        assembly ("memory-safe") {
            mstore(pl, add(x, 0x20))
        }
        for (uint256 o = 0; o < n.shape[0]; ++o) {
            _convChannel(n, w, pl, y, o);
        }
        if (pl.bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev Output channel `o` of a convolution.
    function _convChannel(Node memory n, Window memory w, Plane memory pl, int256[] memory y, uint256 o) private pure {
        int256 bias = _at(n.b, o);
        uint256 xg = pl.xData + (o / (n.shape[0] / n.groups)) * w.channels * w.xChannel;
        uint256 wo = n.a.ptr + o * w.channels * w.wChannel;
        for (uint256 oy = 0; oy < n.shape[1]; ++oy) {
            (uint256 kyLo, uint256 kyHi) = _clip(oy * n.win[2], n.win[4], pl.height, n.win[0]);
            w.rows = kyHi - kyLo;
            // Row oy·sy + kyLo − top (never negative: kyLo >= top − oy·sy) of the group's first channel.
            uint256 xr = xg + (oy * n.win[2] + kyLo - n.win[4]) * w.xRow;
            uint256 wr = wo + kyLo * w.wRow;
            for (uint256 ox = 0; ox < n.shape[2]; ++ox) {
                _convAt(n, w, pl, y, bias, xr, wr, ox);
            }
        }
    }

    /// @dev One output value of a convolution: the window at column `ox` of the row whose first real input and
    /// weight rows `xr` and `wr` address.
    function _convAt(
        Node memory n,
        Window memory w,
        Plane memory pl,
        int256[] memory y,
        int256 acc,
        uint256 xr,
        uint256 wr,
        uint256 ox
    ) private pure {
        (uint256 kxLo, uint256 kxHi) = _clip(ox * n.win[3], n.win[5], pl.width, n.win[1]);
        if (w.rows != 0 && kxHi != kxLo) {
            w.cols32 = (kxHi - kxLo) * 32;
            acc = _sum(w, acc, xr + (ox * n.win[3] + kxLo - n.win[5]) * 32, wr + kxLo * w.wWidth);
        }
        uint256 at = pl.at;
        (y[at], pl.bad) = _rescale(acc, pl.s, pl.bad);
        pl.at = at + 1;
    }

    /// @dev The kernel rows (or columns) `[lo, hi)` of a window starting at padded position `start` that fall on the
    /// real plane `[0, size)`: `start + t − pad` in range.
    function _clip(uint256 start, uint256 pad, uint256 size, uint256 kernel)
        private
        pure
        returns (uint256 lo, uint256 hi)
    {
        lo = pad > start ? pad - start : 0;
        hi = size + pad > start ? size + pad - start : 0;
        if (hi > kernel) hi = kernel;
        if (hi < lo) hi = lo;
    }

    /// @dev `acc + sum over channels, rows, cols of W · x`: the hot loop of conv and dense. `xc` and `wc` address the
    /// window's first input value and first weight; `w` holds the strides.
    function _sum(Window memory w, int256 acc, uint256 xc, uint256 wc) private pure returns (int256) {
        assembly ("memory-safe") {
            let wWidth := mload(w)
            let wShift := mload(add(w, 0x20))
            for { let ch := mload(add(w, 0x100)) } ch { ch := sub(ch, 1) } {
                let xr := xc
                let wr := wc
                for { let r := mload(add(w, 0x60)) } r { r := sub(r, 1) } {
                    let xp := xr
                    let wp := wr
                    let xe := add(xr, mload(add(w, 0x40)))
                    // Four products per turn while four remain (the loop's jumps cost as much as a product).
                    for {} lt(add(xp, 0x60), xe) {} {
                        acc := add(acc, mul(sar(wShift, mload(wp)), mload(xp)))
                        acc := add(acc, mul(sar(wShift, mload(add(wp, wWidth))), mload(add(xp, 0x20))))
                        acc := add(acc, mul(sar(wShift, mload(add(wp, shl(1, wWidth)))), mload(add(xp, 0x40))))
                        acc := add(acc, mul(sar(wShift, mload(add(wp, mul(3, wWidth)))), mload(add(xp, 0x60))))
                        xp := add(xp, 0x80)
                        wp := add(wp, shl(2, wWidth))
                    }
                    for {} lt(xp, xe) {} {
                        acc := add(acc, mul(sar(wShift, mload(wp)), mload(xp)))
                        xp := add(xp, 0x20)
                        wp := add(wp, wWidth)
                    }
                    xr := add(xr, mload(add(w, 0x80)))
                    wr := add(wr, mload(add(w, 0xa0)))
                }
                xc := add(xc, mload(add(w, 0xc0)))
                wc := add(wc, mload(add(w, 0xe0)))
            }
        }
        return acc;
    }

    /// @dev `rescale(acc)`, and `bad` set when `|acc| + 2^(S-1) >= 2^62` (the reference's bound on accumulators).
    function _rescale(int256 acc, uint256 s, uint256 bad) private pure returns (int256 y, uint256 flag) {
        assembly ("memory-safe") {
            let half := shl(sub(s, 1), 1)
            let lim := sub(sub(shl(62, 1), half), 1)
            flag := or(bad, gt(add(acc, lim), shl(1, lim)))
            y := sar(s, add(acc, half))
        }
    }

    /// @dev `bad` set when `|v| >= 2^62` (the reference's bound on values).
    function _bound(int256 v, uint256 bad) private pure returns (uint256 flag) {
        assembly ("memory-safe") {
            let lim := sub(shl(62, 1), 1)
            flag := or(bad, gt(add(v, lim), shl(1, lim)))
        }
    }

    function _dense(Node memory n, uint256 k, int256[] memory x, uint256 s) private pure returns (int256[] memory y) {
        y = new int256[](n.shape[0]);
        // One channel of one row of x.length columns; `wRow` is the stride between output rows of the weights.
        Window memory w = Window({
            wWidth: n.a.width,
            wShift: 256 - 8 * n.a.width,
            cols32: x.length * 32,
            rows: 1,
            xRow: 0,
            wRow: 0,
            xChannel: 0,
            wChannel: 0,
            channels: 1
        });
        Plane memory pl = Plane({xData: 0, height: 1, width: x.length, s: s, bad: 0, at: 0, row0: 0, rows: 0});
        assembly ("memory-safe") {
            mstore(pl, add(x, 0x20))
        }
        uint256 rowBytes = x.length * n.a.width;
        for (uint256 j = 0; j < y.length; ++j) {
            (y[j], pl.bad) = _rescale(_sum(w, _at(n.b, j), pl.xData, n.a.ptr + j * rowBytes), s, pl.bad);
        }
        if (pl.bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev Per channel (axis 0) `y = rescale(A[c] · x + B[c])`.
    function _affine(Node memory n, uint256 k, int256[] memory x, uint256 s) private pure returns (int256[] memory y) {
        y = new int256[](x.length);
        uint256 per = x.length / n.shape[0];
        uint256 bad;
        uint256 i;
        for (uint256 ch = 0; ch < n.shape[0]; ++ch) {
            int256 a = _at(n.a, ch);
            int256 b = _at(n.b, ch);
            for (uint256 e = 0; e < per; ++e) {
                (y[i], bad) = _rescale(a * x[i] + b, s, bad);
                ++i;
            }
        }
        if (bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev Max pool: the largest real position of the window. Average pool: `rescale(round(2^S / n) · sum)`, `n` the
    /// window's size (countPad) or its real positions, `round(2^S / n) = floor((2^(S+1) + n) / (2n))`.
    function _pool(Node memory n, uint256 k, int256[] memory x, uint256[] memory xs, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](n.shape[0] * n.shape[1] * n.shape[2]);
        Plane memory pl = Plane({xData: 0, height: xs[1], width: xs[2], s: s, bad: 0, at: 0, row0: 0, rows: 0});
        for (uint256 ch = 0; ch < n.shape[0]; ++ch) {
            for (uint256 oy = 0; oy < n.shape[1]; ++oy) {
                (uint256 kyLo, uint256 kyHi) = _clip(oy * n.win[2], n.win[4], pl.height, n.win[0]);
                pl.row0 = (ch * pl.height + oy * n.win[2] + kyLo - n.win[4]) * pl.width;
                pl.rows = kyHi - kyLo;
                for (uint256 ox = 0; ox < n.shape[2]; ++ox) {
                    _poolAt(n, pl, x, y, ox);
                }
            }
        }
        if (pl.bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev One output value of a pool: the window at column `ox` of the rows `pl.row0 ..` (`pl.rows` of them).
    function _poolAt(Node memory n, Plane memory pl, int256[] memory x, int256[] memory y, uint256 ox) private pure {
        (uint256 kxLo, uint256 kxHi) = _clip(ox * n.win[3], n.win[5], pl.width, n.win[1]);
        uint256 first = pl.row0 + ox * n.win[3] + kxLo - n.win[5];
        uint256 cols = kxHi - kxLo;
        if (n.op == OP_MAXPOOL) {
            y[pl.at] = _max(x, first, pl.rows, cols, pl.width);
        } else {
            uint256 count = n.flag == 1 ? n.win[0] * n.win[1] : pl.rows * cols;
            int256 sum = _total(x, first, pl.rows, cols, pl.width);
            (y[pl.at], pl.bad) = _rescale(int256(((uint256(1) << (pl.s + 1)) + count) / (2 * count)) * sum, pl.s, pl.bad);
        }
        ++pl.at;
    }

    function _max(int256[] memory x, uint256 first, uint256 rows, uint256 cols, uint256 width)
        private
        pure
        returns (int256 m)
    {
        m = x[first];
        for (uint256 r = 0; r < rows; ++r) {
            for (uint256 q = 0; q < cols; ++q) {
                int256 v = x[first + r * width + q];
                if (v > m) m = v;
            }
        }
    }

    function _total(int256[] memory x, uint256 first, uint256 rows, uint256 cols, uint256 width)
        private
        pure
        returns (int256 t)
    {
        for (uint256 r = 0; r < rows; ++r) {
            for (uint256 q = 0; q < cols; ++q) {
                t += x[first + r * width + q];
            }
        }
    }

    /// @dev relu, leakyrelu, clip, hardsigmoid, hardswish.
    function _elementwise(Node memory n, uint256 k, int256[] memory x, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](x.length);
        uint256 op = n.op;
        int256 one = int256(1) << s;
        uint256 bad;
        for (uint256 i = 0; i < x.length; ++i) {
            int256 v = x[i];
            if (op == OP_RELU) {
                y[i] = v < 0 ? int256(0) : v;
            } else if (op == OP_LEAKYRELU) {
                if (v < 0) (v, bad) = _rescale(n.p1 * v, s, bad);
                y[i] = v;
            } else if (op == OP_CLIP) {
                v = v < n.p1 ? n.p1 : v > n.p2 ? n.p2 : v;
                bad = _bound(v, bad);
                y[i] = v;
            } else {
                int256 h;
                (h, bad) = _rescale(n.p1 * v + n.p2, s, bad);
                h = h < 0 ? int256(0) : h > one ? one : h;
                if (op == OP_HARDSWISH) (h, bad) = _rescale(v * h, s, bad);
                y[i] = h;
            }
        }
        if (bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev `x' = clamp(x, lo, lo + n·2^b − 1)`, `u = x' − lo`, `k = u >> b`, `t = u − (k << b)`,
    /// `y = rescale(C0[k]·2^S + (C1[k] + rescale(C2[k]·t))·t)`.
    function _piecewise(Node memory n, uint256 k, int256[] memory x, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](x.length);
        int256 top = n.p1 + int256(n.a.count << n.segBits) - 1;
        uint256 bad;
        for (uint256 i = 0; i < x.length; ++i) {
            (y[i], bad) = _segment(n, x[i], top, s, bad);
        }
        if (bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev One value of a piecewise node whose clamp range is `[lo, top]` (`lo` = `n.p1`).
    function _segment(Node memory n, int256 v, int256 top, uint256 s, uint256 bad)
        private
        pure
        returns (int256 y, uint256 flag)
    {
        v = v < n.p1 ? n.p1 : v > top ? top : v;
        uint256 u = uint256(v - n.p1);
        uint256 seg = u >> n.segBits;
        int256 t = int256(u - (seg << n.segBits));
        int256 inner;
        (inner, flag) = _rescale(_at(n.c, seg) * t, s, bad);
        (y, flag) = _rescale((_at(n.a, seg) << s) + (_at(n.b, seg) + inner) * t, s, flag);
    }

    /// @dev add: `a + b` (exact); mul: `rescale(a · b)`.
    function _binary(uint256 op, uint256 k, int256[] memory a, int256[] memory b, uint256 s)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](a.length);
        uint256 bad;
        for (uint256 i = 0; i < a.length; ++i) {
            if (op == OP_ADD) {
                int256 v = a[i] + b[i];
                bad = _bound(v, bad);
                y[i] = v;
            } else {
                (y[i], bad) = _rescale(a[i] * b[i], s, bad);
            }
        }
        if (bad != 0) revert IntegerGraphOverflow(k);
    }

    /// @dev The inputs side by side on `axis`: for each index of the axes before it, each input's block in turn.
    function _concat(Node memory n, int256[][] memory tensors)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](_size(n.shape));
        uint256 axis = n.flag;
        uint256 outer = 1;
        for (uint256 a = 0; a < axis; ++a) {
            outer *= n.shape[a];
        }
        uint256 at;
        for (uint256 o = 0; o < outer; ++o) {
            for (uint256 j = 0; j < n.inputs.length; ++j) {
                int256[] memory t = tensors[n.inputs[j]];
                uint256 size = t.length / outer;
                for (uint256 e = 0; e < size; ++e) {
                    y[at++] = t[o * size + e];
                }
            }
        }
    }

    /// @dev Output axis `a` is input axis `perm[a]`; both row-major, padded to rank 4 with leading 1s.
    function _transpose(Node memory n, int256[] memory x, uint256[] memory xs) private pure returns (int256[] memory y) {
        y = new int256[](x.length);
        uint256 rank = xs.length;
        uint256[4] memory inStride;
        uint256 stride = 1;
        for (uint256 a = rank; a > 0; --a) {
            inStride[a - 1] = stride;
            stride *= xs[a - 1];
        }
        uint256[4] memory d = [uint256(1), 1, 1, 1];
        uint256[4] memory st;
        for (uint256 a = 0; a < rank; ++a) {
            d[4 - rank + a] = n.shape[a];
            st[4 - rank + a] = inStride[n.perm[a]];
        }
        uint256 at;
        for (uint256 i0 = 0; i0 < d[0]; ++i0) {
            for (uint256 i1 = 0; i1 < d[1]; ++i1) {
                for (uint256 i2 = 0; i2 < d[2]; ++i2) {
                    uint256 base = i0 * st[0] + i1 * st[1] + i2 * st[2];
                    for (uint256 i3 = 0; i3 < d[3]; ++i3) {
                        y[at++] = x[base + i3 * st[3]];
                    }
                }
            }
        }
    }

    function _checkValues(int256[] memory x, uint256 node) private pure {
        uint256 bad;
        for (uint256 i = 0; i < x.length; ++i) {
            bad = _bound(x[i], bad);
        }
        if (bad != 0) revert IntegerGraphOverflow(node);
    }

    // ---------------------------------------------------------------- reading

    function _need(Cursor memory c, uint256 n) private pure {
        if (c.p + n > c.length) revert IntegerGraphTruncated(c.p + n, c.length);
    }

    /// @dev Big-endian unsigned integer of `width` bytes (1..32) at the cursor, which moves past it.
    function _u(Cursor memory c, uint256 width) private pure returns (uint256 v) {
        _need(c, width);
        uint256 at = c.base + c.p;
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, width)), mload(at))
        }
        c.p += width;
    }

    /// @dev Big-endian two's-complement integer of `width` bytes at the cursor, sign-extended.
    function _i(Cursor memory c, uint256 width) private pure returns (int256 v) {
        _need(c, width);
        uint256 at = c.base + c.p;
        assembly ("memory-safe") {
            v := sar(sub(256, shl(3, width)), mload(at))
        }
        c.p += width;
    }

    /// @dev An i64 that must be a safe integer (leaky ReLU's and the hard sigmoid's constants).
    function _safe(Cursor memory c) private pure returns (int256 v) {
        uint256 at = c.p;
        v = _i(c, 8);
        if (v > MAX_SAFE || v < -MAX_SAFE) revert IntegerGraphUnsafeInteger(at);
    }

    /// @dev `u32 count, u8 width, count × width bytes`: width 1, 2, 4 or 8, the smallest that holds every value, every
    /// value a safe integer. A non-minimal width is found at the first value outside the next smaller width, so the
    /// scan of a canonical array usually stops early; only width 8 needs every value (the safe-integer rule).
    function _ints(Cursor memory c) private pure returns (Ints memory a) {
        a.count = _u(c, 4);
        uint256 widthAt = c.p;
        a.width = _u(c, 1);
        if (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8) {
            revert IntegerGraphBadWidth(widthAt, a.width);
        }
        uint256 bytes_ = a.count * a.width;
        _need(c, bytes_);
        a.ptr = c.base + c.p;
        if (a.width > 1) {
            // Values fit the half width iff (v xor sign(v)) < 2^(4·width − 1).
            uint256 limit = uint256(1) << (4 * a.width - 1);
            uint256 shift = 256 - 8 * a.width;
            uint256 ptr = a.ptr;
            uint256 end = ptr + bytes_;
            uint256 step = a.width;
            bool wide;
            bool unsafe_;
            bool full = step == 8;
            assembly ("memory-safe") {
                for { let q := ptr } lt(q, end) { q := add(q, step) } {
                    let v := sar(shift, mload(q))
                    let m := xor(v, sar(255, v))
                    if iszero(lt(m, limit)) {
                        wide := 1
                        if iszero(full) { break }
                    }
                    // |v| <= 2^53 − 1: v + (2^53 − 1) in [0, 2^54 − 2].
                    if gt(add(v, 0x1fffffffffffff), 0x3ffffffffffffe) { unsafe_ := 1 }
                }
            }
            if (unsafe_) revert IntegerGraphUnsafeInteger(c.p);
            if (!wide) revert IntegerGraphNonMinimalWidth(c.p);
        }
        c.p += bytes_;
    }

    /// @dev Value `i` of an integer array (the caller keeps `i < count`).
    function _at(Ints memory a, uint256 i) private pure returns (int256 v) {
        uint256 at = a.ptr + i * a.width;
        uint256 shift = 256 - 8 * a.width;
        assembly ("memory-safe") {
            v := sar(shift, mload(at))
        }
    }

    function _size(uint256[] memory shape) private pure returns (uint256 total) {
        total = 1;
        for (uint256 a = 0; a < shape.length; ++a) {
            total *= shape[a];
        }
    }

    function _same(uint256[] memory a, uint256[] memory b) private pure returns (bool) {
        if (a.length != b.length) return false;
        for (uint256 i = 0; i < a.length; ++i) {
            if (a[i] != b[i]) return false;
        }
        return true;
    }
}
