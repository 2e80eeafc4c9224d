// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title GraphStep
/// @notice Executes one step of a generation model's trace (docs/SEMANTICS.md, "Graph traces"): the window of a
/// token, one node of the integer graph over a range of rows, or the argmax of the last real logits row, with exactly
/// the arithmetic of the TypeScript reference (lib/semantics/graph-transformer-execute.ts, graph-execute.ts).
///
/// A state between steps is the words `[input (1 + P), answer (N), tensorHash_0 .. tensorHash_{tensors-1}]`, hashed
/// as `keccak256(abi.encodePacked(int256[] words))`; `tensorHash = keccak256(rowHash_0 ++ ..)`, `rowHash =
/// keccak256(abi.encodePacked(int256[] row))`, a row being a tensor's last axis. State 0 is the request input and the
/// last state the answer (both hashed the same way), so the first window step reads the input and the last argmax
/// step writes the answer. A node step proves the rows it reads against the row hashes of its input tensors, which
/// it proves against the state, and replaces the row hashes of the rows it writes.
///
/// The step encoding ("VGS1", big-endian):
/// ```
/// 0   u32 magic "VGS1" | 4 u8 kind (1 window, 2 node, 3 argmax) | 5 u8 S | 6 u16 token | 8 u16 P | 10 u16 N
/// 12  u16 tensors
/// window: 14 u16 T, 16 tensors × u32 row counts
/// argmax: 14 u16 T, 16 u32 V, 20 u8 last
/// node:   14 u16 node, 16 u8 op, 17 u32 rowStart, 21 u32 rowEnd, 25 u8 inputs, per input u16 tensor, u8 rank,
///         rank × u32 dims; u8 rank, rank × u32 dims of the output; the op's constants (integer arrays are
///         u32 count, u8 width 1|2|4|8, count × width bytes)
/// ```
library GraphStep {
    /// @notice Thrown when a step encoding breaks a rule of its format (`offset`: where).
    error GraphStepMalformed(uint256 offset);
    /// @notice Thrown when a step encoding ends before a field it announces (`needed`: the bytes the field needs).
    error GraphStepTruncated(uint256 length, uint256 needed);
    /// @notice Thrown for an op code the step executor does not run.
    error GraphStepUnsupportedOp(uint256 op);
    /// @notice Thrown when the state before the step does not have the words of its layout.
    error GraphStepStateLength(uint256 length, uint256 expected);
    /// @notice Thrown when the row hashes given for a tensor do not hash to its hash in the state.
    error GraphStepTensorMismatch(uint256 tensor);
    /// @notice Thrown when the rows given for a tensor are not the ones the step reads (or not their length).
    error GraphStepRowsMismatch(uint256 tensor, uint256 lo, uint256 hi);
    /// @notice Thrown when a row's values do not hash to the row hash of the tensor.
    error GraphStepRowMismatch(uint256 tensor, uint256 row);
    /// @notice Thrown when an embedding reads a token id outside the vocabulary.
    error GraphStepTokenOutOfRange(uint256 position, int256 id);

    /// @notice The rows `[lo, hi)` of one tensor a node step reads, with every row hash of the tensor.
    struct TensorRows {
        bytes32[] rowHashes;
        uint256 lo;
        uint256 hi;
        int256[] values;
    }

    /// @notice What a step reads besides the state words: its input tensors' rows (node steps), the row hashes of the
    /// tensor it writes (node steps) or of the logits (argmax steps), and the logits row an argmax step reads.
    struct Witness {
        TensorRows[] inputs;
        bytes32[] outputRowHashes;
        int256[] logitsRow;
    }

    bytes4 internal constant MAGIC = 0x56475331; // "VGS1"
    uint256 internal constant KIND_WINDOW = 1;
    uint256 internal constant KIND_NODE = 2;
    uint256 internal constant KIND_ARGMAX = 3;
    int256 private constant PAD = -1;

    uint256 private constant OP_AFFINE = 3;
    uint256 private constant OP_RELU = 6;
    uint256 private constant OP_ADD = 12;
    uint256 private constant OP_MUL = 13;
    uint256 private constant OP_RESHAPE = 15;
    uint256 private constant OP_TRANSPOSE = 16;
    uint256 private constant OP_EMBEDDING = 32;
    uint256 private constant OP_LINEAR = 33;
    uint256 private constant OP_MATMUL = 34;
    uint256 private constant OP_SOFTMAX = 35;
    uint256 private constant OP_LAYERNORM = 36;
    uint256 private constant OP_GELU = 37;
    uint256 private constant OP_SLICE = 38;

    /// @dev The common header.
    struct Header {
        uint256 kind;
        uint256 scaleBits;
        uint256 token;
        uint256 promptLength;
        uint256 maxTokens;
        uint256 tensors;
        /// The index of tensorHash_0 in the state words: 1 + P + N.
        uint256 base;
    }

    /// @dev A node step's decoded fields.
    struct Node {
        uint256 index;
        uint256 op;
        uint256 r0;
        uint256 r1;
        uint256[] ids;
        uint256[][] inShapes;
        uint256[] outShape;
        /// Where the op's constants start.
        uint256 params;
        uint256 scaleBits;
    }

    /// @dev An integer array of the encoding.
    struct Ints {
        uint256 start;
        uint256 count;
        uint256 width;
    }

    /// @notice Runs the step on the state `pre` and returns the hash of the state after it.
    function execute(bytes calldata step, int256[] calldata pre, Witness calldata w) internal pure returns (bytes32) {
        Header memory h = decodeHeader(step);
        if (h.kind == KIND_WINDOW) return _window(step, h, pre);
        int256[] memory words = _words(h, pre);
        if (h.kind == KIND_ARGMAX) return _argmax(step, h, words, w);
        return _node(step, h, words, w);
    }

    /// @notice Decodes and checks the common header of a step encoding.
    function decodeHeader(bytes calldata step) internal pure returns (Header memory h) {
        _need(step, 14);
        if (bytes4(step[0:4]) != MAGIC) revert GraphStepMalformed(0);
        h.kind = uint8(step[4]);
        if (h.kind < KIND_WINDOW || h.kind > KIND_ARGMAX) revert GraphStepMalformed(4);
        h.scaleBits = uint8(step[5]);
        if (h.scaleBits < 1 || h.scaleBits > 32) revert GraphStepMalformed(5);
        h.token = _u16(step, 6);
        h.promptLength = _u16(step, 8);
        h.maxTokens = _u16(step, 10);
        h.tensors = _u16(step, 12);
        if (h.promptLength == 0) revert GraphStepMalformed(8);
        if (h.maxTokens == 0 || h.token >= h.maxTokens) revert GraphStepMalformed(6);
        if (h.tensors < 2) revert GraphStepMalformed(12);
        h.base = 1 + h.promptLength + h.maxTokens;
    }

    // ---------------------------------------------------------------- window and argmax

    function _window(bytes calldata step, Header memory h, int256[] calldata pre) private pure returns (bytes32) {
        _need(step, 16 + 4 * h.tensors);
        if (step.length != 16 + 4 * h.tensors) revert GraphStepTruncated(step.length, 16 + 4 * h.tensors);
        uint256 context = _u16(step, 14);
        if (context == 0) revert GraphStepMalformed(14);
        if (_u32(step, 16) != 1) revert GraphStepMalformed(16);
        int256[] memory words;
        if (h.token == 0) {
            if (pre.length != 1 + h.promptLength) revert GraphStepStateLength(pre.length, 1 + h.promptLength);
            words = new int256[](h.base + h.tensors);
            for (uint256 i = 0; i < pre.length; ++i) {
                words[i] = pre[i];
            }
            for (uint256 t = 0; t < h.maxTokens; ++t) {
                words[1 + h.promptLength + t] = PAD;
            }
            for (uint256 k = 1; k < h.tensors; ++k) {
                words[h.base + k] = int256(uint256(_zeroRowsHash(_u32(step, 16 + 4 * k))));
            }
        } else {
            words = _words(h, pre);
        }
        words[h.base] = int256(uint256(keccak256(abi.encodePacked(_windowRow(words, h, context)))));
        return _hashMemory(words);
    }

    /// @dev The row hash of the window: the last `context` ids of the prompt then the answer so far, padded with id 0
    /// (docs/SEMANTICS.md, "Generation").
    function _windowRow(int256[] memory words, Header memory h, uint256 context) private pure returns (bytes32) {
        int256[] memory ids = new int256[](h.promptLength + h.maxTokens);
        uint256 n = _ids(words, 1 + h.promptLength, h.maxTokens, ids, _ids(words, 1, h.promptLength, ids, 0));
        int256[] memory window = new int256[](context);
        uint256 first = n > context ? n - context : 0;
        for (uint256 i = first; i < n; ++i) {
            window[i - first] = ids[i];
        }
        return _hashMemory(window);
    }

    function _argmax(bytes calldata step, Header memory h, int256[] memory words, Witness calldata w)
        private
        pure
        returns (bytes32)
    {
        if (step.length != 21) revert GraphStepTruncated(step.length, 21);
        uint8 last = uint8(step[20]);
        if (last > 1 || (last == 1) != (h.token == h.maxTokens - 1)) revert GraphStepMalformed(20);
        uint256 best = _bestOfRow(step, h, words, w);
        if (int256(h.token) < words[0]) words[1 + h.promptLength + h.token] = int256(best);
        if (last == 0) return _hashMemory(words);
        int256[] memory answer = new int256[](h.maxTokens);
        for (uint256 t = 0; t < h.maxTokens; ++t) {
            answer[t] = words[1 + h.promptLength + t];
        }
        return _hashMemory(answer);
    }

    /// @dev The argmax (lowest id on a tie) of the last real logits row, proven against the logits tensor.
    function _bestOfRow(bytes calldata step, Header memory h, int256[] memory words, Witness calldata w)
        private
        pure
        returns (uint256 best)
    {
        uint256 logits = h.tensors - 1;
        if (_hashRowHashes(w.outputRowHashes) != bytes32(uint256(words[h.base + logits]))) {
            revert GraphStepTensorMismatch(logits);
        }
        uint256 real = _idCount(words, h);
        uint256 context = _u16(step, 14);
        if (real > context) real = context;
        if (real == 0 || real > w.outputRowHashes.length) revert GraphStepRowsMismatch(logits, real, real);
        if (w.logitsRow.length != _u32(step, 16)) revert GraphStepRowsMismatch(logits, real - 1, real);
        if (_hashCalldata(w.logitsRow) != w.outputRowHashes[real - 1]) revert GraphStepRowMismatch(logits, real - 1);
        int256[] calldata row = w.logitsRow;
        for (uint256 j = 1; j < row.length; ++j) {
            if (row[j] > row[best]) best = j;
        }
    }

    /// @dev How many ids the prompt and the answer so far hold.
    function _idCount(int256[] memory words, Header memory h) private pure returns (uint256) {
        int256[] memory ids = new int256[](h.promptLength + h.maxTokens);
        return _ids(words, 1 + h.promptLength, h.maxTokens, ids, _ids(words, 1, h.promptLength, ids, 0));
    }

    /// @dev Appends the values of `words[from .. from + count)` before the first -1 to `ids` from `n`; returns the new length.
    function _ids(int256[] memory words, uint256 from, uint256 count, int256[] memory ids, uint256 n)
        private
        pure
        returns (uint256)
    {
        for (uint256 i = from; i < from + count; ++i) {
            if (words[i] == PAD) break;
            ids[n++] = words[i];
        }
        return n;
    }

    function _words(Header memory h, int256[] calldata pre) private pure returns (int256[] memory words) {
        if (pre.length != h.base + h.tensors) revert GraphStepStateLength(pre.length, h.base + h.tensors);
        words = pre;
    }

    // ---------------------------------------------------------------- node steps

    function _node(bytes calldata step, Header memory h, int256[] memory words, Witness calldata w)
        private
        pure
        returns (bytes32)
    {
        Node memory nd = decodeNode(step, h);
        if (w.inputs.length != nd.ids.length) revert GraphStepMalformed(25);
        for (uint256 j = 0; j < nd.ids.length; ++j) {
            _checkInput(step, nd, j, w.inputs[j], words[h.base + nd.ids[j]]);
        }
        uint256 out = nd.index + 1;
        uint256 rows = _rows(nd.outShape);
        if (w.outputRowHashes.length != rows) revert GraphStepRowsMismatch(out, 0, w.outputRowHashes.length);
        if (_hashRowHashes(w.outputRowHashes) != bytes32(uint256(words[h.base + out]))) {
            revert GraphStepTensorMismatch(out);
        }
        if (nd.r1 > rows) revert GraphStepMalformed(21);
        int256[] memory y = _run(step, nd, w);
        bytes32 th = _writeRows(w.outputRowHashes, y, nd.r0, nd.r1, _last(nd.outShape));
        words[h.base + out] = int256(uint256(th));
        return _hashMemory(words);
    }

    /// @dev The tensor hash after rows `[r0, r1)` take the values `y` (`len` a row).
    function _writeRows(bytes32[] calldata before, int256[] memory y, uint256 r0, uint256 r1, uint256 len)
        private
        pure
        returns (bytes32 th)
    {
        bytes32[] memory hashes = before;
        for (uint256 r = r0; r < r1; ++r) {
            bytes32 rh;
            assembly ("memory-safe") {
                rh := keccak256(add(add(y, 0x20), shl(5, mul(sub(r, r0), len))), shl(5, len))
            }
            hashes[r] = rh;
        }
        assembly ("memory-safe") {
            th := keccak256(add(hashes, 0x20), shl(5, mload(hashes)))
        }
    }

    /// @notice Decodes and checks a node step's fields (the op's constants are checked where the op reads them).
    function decodeNode(bytes calldata step, Header memory h) internal pure returns (Node memory nd) {
        _need(step, 26);
        nd.index = _u16(step, 14);
        if (nd.index + 1 >= h.tensors) revert GraphStepMalformed(14);
        nd.op = uint8(step[16]);
        nd.r0 = _u32(step, 17);
        nd.r1 = _u32(step, 21);
        if (nd.r0 >= nd.r1) revert GraphStepMalformed(17);
        uint256 arity = uint8(step[25]);
        uint256 expected = nd.op == OP_ADD || nd.op == OP_MUL || nd.op == OP_MATMUL ? 2 : 1;
        if (arity != expected) revert GraphStepMalformed(25);
        nd.ids = new uint256[](arity);
        nd.inShapes = new uint256[][](arity);
        uint256 at = 26;
        for (uint256 j = 0; j < arity; ++j) {
            _need(step, at + 2);
            nd.ids[j] = _u16(step, at);
            if (nd.ids[j] > nd.index) revert GraphStepMalformed(at);
            (nd.inShapes[j], at) = _shape(step, at + 2);
        }
        (nd.outShape, at) = _shape(step, at);
        nd.params = at;
        nd.scaleBits = h.scaleBits;
    }

    function _shape(bytes calldata step, uint256 at) private pure returns (uint256[] memory shape, uint256 next) {
        _need(step, at + 1);
        uint256 rank = uint8(step[at]);
        if (rank < 1 || rank > 4) revert GraphStepMalformed(at);
        _need(step, at + 1 + 4 * rank);
        shape = new uint256[](rank);
        for (uint256 a = 0; a < rank; ++a) {
            shape[a] = _u32(step, at + 1 + 4 * a);
            if (shape[a] == 0) revert GraphStepMalformed(at + 1 + 4 * a);
        }
        next = at + 1 + 4 * rank;
    }

    function _checkInput(bytes calldata step, Node memory nd, uint256 j, TensorRows calldata t, int256 tensorHash)
        private
        pure
    {
        uint256 id = nd.ids[j];
        if (t.rowHashes.length != _rows(nd.inShapes[j])) revert GraphStepRowsMismatch(id, 0, t.rowHashes.length);
        if (_hashRowHashes(t.rowHashes) != bytes32(uint256(tensorHash))) revert GraphStepTensorMismatch(id);
        (uint256 lo, uint256 hi) = readRows(step, nd, j);
        uint256 len = _last(nd.inShapes[j]);
        if (t.lo != lo || t.hi != hi || hi > t.rowHashes.length || t.values.length != (hi - lo) * len) {
            revert GraphStepRowsMismatch(id, lo, hi);
        }
        _checkRows(t, id, len);
    }

    /// @dev Each row of `t` hashes to its row hash.
    function _checkRows(TensorRows calldata t, uint256 id, uint256 len) private pure {
        int256[] calldata values = t.values;
        uint256 lo = t.lo;
        for (uint256 r = lo; r < t.hi; ++r) {
            bytes32 rh;
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                let bytesLen := shl(5, len)
                calldatacopy(ptr, add(values.offset, mul(sub(r, lo), bytesLen)), bytesLen)
                rh := keccak256(ptr, bytesLen)
            }
            if (rh != t.rowHashes[r]) revert GraphStepRowMismatch(id, r);
        }
    }

    /// @notice The rows `[lo, hi)` of input `j` that the node's output rows `[r0, r1)` read (lib/semantics/graph-steps.ts).
    function readRows(bytes calldata step, Node memory nd, uint256 j) internal pure returns (uint256 lo, uint256 hi) {
        uint256[] memory inShape = nd.inShapes[j];
        uint256 lin = _last(inShape);
        uint256 lout = _last(nd.outShape);
        if (nd.op == OP_EMBEDDING) return (nd.r0 / lin, (nd.r1 - 1) / lin + 1);
        if (nd.op == OP_RESHAPE) return (nd.r0 * lout / lin, Math.ceilDiv(nd.r1 * lout, lin));
        if (nd.op == OP_MATMUL && j == 1) {
            uint256 m = nd.outShape[nd.outShape.length - 2];
            uint256 k = inShape[inShape.length - 2];
            return ((nd.r0 / m) * k, ((nd.r1 - 1) / m + 1) * k);
        }
        if (nd.op == OP_TRANSPOSE) return _transposeRows(step, nd, lin, lout);
        return (nd.r0, nd.r1);
    }

    function _run(bytes calldata step, Node memory nd, Witness calldata w) private pure returns (int256[] memory y) {
        uint256 op = nd.op;
        TensorRows calldata x = w.inputs[0];
        uint256 xBase = x.lo * _last(nd.inShapes[0]);
        if (op == OP_LINEAR) return _linear(step, nd, x.values, xBase);
        if (op == OP_MATMUL) return _matmul(nd, x, w.inputs[1]);
        if (op == OP_SOFTMAX) return _softmax(step, nd, x.values, xBase);
        if (op == OP_LAYERNORM) return _layerNorm(step, nd, x.values, xBase);
        if (op == OP_GELU) return _gelu(step, nd, x.values, xBase);
        if (op == OP_EMBEDDING) return _embedding(step, nd, x.values, xBase);
        if (op == OP_AFFINE) return _affine(step, nd, x.values, xBase);
        if (op == OP_SLICE) return _slice(step, nd, x.values, xBase);
        if (op == OP_TRANSPOSE) return _transpose(step, nd, x.values, xBase);
        if (op == OP_RESHAPE || op == OP_RELU) return _copy(step, nd, x.values, xBase, op == OP_RELU);
        if (op == OP_ADD || op == OP_MUL) return _pair(step, nd, x.values, w.inputs[1].values, op == OP_MUL);
        revert GraphStepUnsupportedOp(op);
    }

    // ---------------------------------------------------------------- ops

    function _linear(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        Lin memory l;
        l.n = _u32Checked(step, nd.params);
        l.k = _last(nd.inShapes[0]);
        l.wts = _ints(step, nd.params + 4);
        l.bias = _ints(step, l.wts.start + l.wts.count * l.wts.width);
        if (l.n != _last(nd.outShape) || l.wts.count != l.n * l.k || l.bias.count != l.n) revert GraphStepMalformed(nd.params);
        _end(step, l.bias);
        l.s = nd.scaleBits;
        l.xa = nd.r0 * l.k - xBase;
        y = new int256[]((nd.r1 - nd.r0) * l.n);
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = _linearValue(step, l, x, i);
        }
    }

    /// @dev A linear layer's constants and where its first row starts in the rows read.
    struct Lin {
        Ints wts;
        Ints bias;
        uint256 n;
        uint256 k;
        uint256 s;
        uint256 xa;
    }

    /// @dev Output value `i` of the step (row `i / n`, output `i % n`).
    function _linearValue(bytes calldata step, Lin memory l, int256[] calldata x, uint256 i) private pure returns (int256) {
        uint256 o = i % l.n;
        int256 acc = _at(step, l.bias, o) + _dot(step, l.wts, o * l.k, x, l.xa + (i / l.n) * l.k, l.k);
        return _rescale(acc, l.s);
    }

    /// @dev `sum_t W[wa + t] * x[xa + t]` for `t < k`: the weights read in place from the calldata.
    function _dot(bytes calldata step, Ints memory wts, uint256 wa, int256[] calldata x, uint256 xa, uint256 k)
        private
        pure
        returns (int256 acc)
    {
        uint256 width = wts.width;
        uint256 shift = 256 - 8 * width;
        uint256 wp;
        uint256 xp;
        assembly ("memory-safe") {
            wp := add(add(step.offset, mload(wts)), mul(wa, width))
            xp := add(x.offset, shl(5, xa))
        }
        // Bounds: wa + k <= count (checked by the caller's shapes) and xa + k <= x.length (the rows were checked).
        if (xa + k > x.length) revert GraphStepMalformed(0);
        assembly ("memory-safe") {
            for { let t := 0 } lt(t, k) { t := add(t, 1) } {
                acc := add(acc, mul(sar(shift, calldataload(wp)), calldataload(xp)))
                wp := add(wp, width)
                xp := add(xp, 0x20)
            }
        }
    }

    /// @dev A matrix product's sizes (`a` is [.., M, K], `b` is [.., K, N]), the first flat index of the rows given of
    /// each, and where the current output value's row and column start in them: kept in memory, the stack being full
    /// of calldata pointers.
    struct Mm {
        uint256 k;
        uint256 n;
        uint256 m;
        uint256 r0;
        uint256 aBase;
        uint256 bBase;
        uint256 s;
        uint256 ai;
        uint256 bi;
    }

    function _matmul(Node memory nd, TensorRows calldata a, TensorRows calldata b) private pure returns (int256[] memory y) {
        Mm memory mm;
        mm.k = _last(nd.inShapes[0]);
        mm.n = _last(nd.outShape);
        mm.m = nd.outShape[nd.outShape.length - 2];
        (mm.r0, mm.aBase, mm.bBase, mm.s) = (nd.r0, a.lo * mm.k, b.lo * mm.n, nd.scaleBits);
        y = new int256[]((nd.r1 - nd.r0) * mm.n);
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = _matmulValue(mm, a, b, i);
        }
    }

    /// @dev Output `i`: row `r0 + i / n` of A against column `i % n` of the [K, N] block of B for the row's batch index.
    function _matmulValue(Mm memory mm, TensorRows calldata a, TensorRows calldata b, uint256 i)
        private
        pure
        returns (int256)
    {
        uint256 r = mm.r0 + i / mm.n;
        mm.ai = r * mm.k - mm.aBase;
        mm.bi = (r / mm.m) * mm.k * mm.n + (i % mm.n) - mm.bBase;
        return _column(mm, a.values, b.values);
    }

    /// @dev `rescale(sum_t a[ai + t] * b[bi + t * n])` for `t < k`.
    function _column(Mm memory mm, int256[] calldata a, int256[] calldata b) private pure returns (int256) {
        (uint256 n, uint256 k, uint256 ai, uint256 bi) = (mm.n, mm.k, mm.ai, mm.bi);
        int256 acc;
        for (uint256 t = 0; t < k; ++t) {
            acc += a[ai + t] * b[bi + t * n];
        }
        return _rescale(acc, mm.s);
    }

    /// @dev Softmax constants: `ln2`, `a`, `b`, `c` at 2^S and the causal flag.
    struct Exp {
        int256 ln2;
        int256 a;
        int256 b;
        int256 c;
        int256 floor;
        uint256 s;
        bool causal;
        uint256 square;
        uint256 cols;
        uint256 r0;
        uint256 xBase;
    }

    function _softmax(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        Exp memory e = _softmaxConstants(step, nd);
        e.xBase = xBase;
        y = new int256[]((nd.r1 - nd.r0) * e.cols);
        for (uint256 r = nd.r0; r < nd.r1; ++r) {
            _softmaxRow(e, x, r, y);
        }
    }

    function _softmaxConstants(bytes calldata step, Node memory nd) private pure returns (Exp memory e) {
        uint256 p = nd.params;
        _need(step, p + 33);
        if (step.length != p + 33) revert GraphStepTruncated(step.length, p + 33);
        uint8 causal = uint8(step[p]);
        if (causal > 1) revert GraphStepMalformed(p);
        e.causal = causal == 1;
        (e.ln2, e.a, e.b, e.c) = (_i64(step, p + 1), _i64(step, p + 9), _i64(step, p + 17), _i64(step, p + 25));
        if (e.ln2 <= 0 || e.a <= 0 || e.c < 0 || e.b <= e.ln2) revert GraphStepMalformed(p + 1);
        e.s = nd.scaleBits;
        e.floor = -int256(2 * e.s + 1) * e.ln2;
        e.square = nd.outShape.length >= 2 ? nd.outShape[nd.outShape.length - 2] : 1;
        e.cols = _last(nd.outShape);
        e.r0 = nd.r0;
        if (e.causal && e.square != _last(nd.outShape)) revert GraphStepMalformed(p);
    }

    /// @dev Row `r`: the causal mask lets through columns `c <= r % T` (probability 0 beyond).
    function _softmaxRow(Exp memory e, int256[] calldata x, uint256 r, int256[] memory y) private pure {
        uint256 allowed = e.causal ? (r % e.square) + 1 : e.cols;
        uint256 xa = r * e.cols - e.xBase;
        uint256 ya = (r - e.r0) * e.cols;
        int256 m = x[xa];
        for (uint256 i = 1; i < allowed; ++i) {
            if (x[xa + i] > m) m = x[xa + i];
        }
        int256 sum;
        for (uint256 i = 0; i < allowed; ++i) {
            int256 v = _exp(e, x[xa + i] - m);
            y[ya + i] = v;
            sum += v;
        }
        uint256 two = e.s + 1;
        for (uint256 i = 0; i < allowed; ++i) {
            y[ya + i] = ((y[ya + i] << two) + sum) / (2 * sum);
        }
    }

    /// @dev i-exp of `d <= 0` (at 2^S), at 2^(2S): `rescale(a q^2 + c 2^(2S)) >> z` (docs/SEMANTICS.md, "Transformer ops").
    function _exp(Exp memory e, int256 d) private pure returns (int256) {
        int256 dd = d < e.floor ? e.floor : d;
        int256 z = -dd / e.ln2;
        int256 q = dd + z * e.ln2 + e.b;
        int256 v = _rescale(e.a * q * q + (e.c << (2 * e.s)), e.s);
        return v >> uint256(z);
    }

    function _layerNorm(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        Norm memory nm = _normConstants(step, nd);
        nm.xBase = xBase;
        nm.r0 = nd.r0;
        y = new int256[]((nd.r1 - nd.r0) * nm.gamma.count);
        for (uint256 r = nd.r0; r < nd.r1; ++r) {
            _layerNormRow(step, nm, x, r, y);
        }
    }

    function _normConstants(bytes calldata step, Node memory nd) private pure returns (Norm memory nm) {
        nm.gamma = _ints(step, nd.params);
        nm.beta = _ints(step, nm.gamma.start + nm.gamma.count * nm.gamma.width);
        uint256 ep = nm.beta.start + nm.beta.count * nm.beta.width;
        _need(step, ep + 8);
        if (step.length != ep + 8) revert GraphStepTruncated(step.length, ep + 8);
        nm.eps = _i64(step, ep);
        nm.s = nd.scaleBits;
        uint256 d = _last(nd.outShape);
        if (nm.gamma.count != d || nm.beta.count != d || nm.eps < 0) revert GraphStepMalformed(nd.params);
    }

    /// @dev Layer norm constants: `gamma` at 2^S, `beta` and `eps` at 2^(2S).
    struct Norm {
        Ints gamma;
        Ints beta;
        int256 eps;
        uint256 s;
        int256 mean;
        int256 root;
        uint256 xBase;
        uint256 r0;
    }

    function _layerNormRow(bytes calldata step, Norm memory nm, int256[] calldata x, uint256 r, int256[] memory y)
        private
        pure
    {
        uint256 xa = r * nm.gamma.count - nm.xBase;
        uint256 ya = (r - nm.r0) * nm.gamma.count;
        int256 v;
        (nm.mean, v) = _moments(x, xa, nm.gamma.count);
        nm.root = int256(Math.sqrt(uint256(v / int256(nm.gamma.count) + nm.eps)));
        for (uint256 i = 0; i < nm.gamma.count; ++i) {
            y[ya + i] = _normValue(step, nm, x[xa + i], i);
        }
    }

    /// @dev `rescale(gamma[i] n + beta[i])`, `n = round((v - mean) 2^S / root)` (0 when the root is 0).
    function _normValue(bytes calldata step, Norm memory nm, int256 v, uint256 i) private pure returns (int256) {
        int256 n = nm.root == 0 ? int256(0) : _roundDiv((v - nm.mean) * (int256(1) << nm.s), nm.root);
        return _rescale(_at(step, nm.gamma, i) * n + _at(step, nm.beta, i), nm.s);
    }

    /// @dev The rounded mean of a row and the sum of its squared deviations from it.
    function _moments(int256[] calldata x, uint256 xa, uint256 d) private pure returns (int256 mean, int256 v) {
        int256 sum;
        for (uint256 i = 0; i < d; ++i) {
            sum += x[xa + i];
        }
        mean = _roundDiv(sum, int256(d));
        for (uint256 i = 0; i < d; ++i) {
            int256 c = x[xa + i] - mean;
            v += c * c;
        }
    }

    function _gelu(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        _need(step, nd.params + 1);
        uint256 segBits = uint8(step[nd.params]);
        Ints[3] memory c;
        c[0] = _ints(step, nd.params + 1);
        c[1] = _ints(step, c[0].start + c[0].count * c[0].width);
        c[2] = _ints(step, c[1].start + c[1].count * c[1].width);
        _end(step, c[2]);
        if (segBits > 40 || c[0].count == 0 || c[1].count != c[0].count || c[2].count != c[0].count) {
            revert GraphStepMalformed(nd.params);
        }
        uint256 start = nd.r0 * _last(nd.outShape) - xBase;
        uint256[2] memory sizes = [segBits, nd.scaleBits];
        y = new int256[]((nd.r1 - nd.r0) * _last(nd.outShape));
        _geluInto(step, c, sizes, x, start, y);
    }

    function _geluInto(
        bytes calldata step,
        Ints[3] memory c,
        uint256[2] memory sizes,
        int256[] calldata x,
        uint256 start,
        int256[] memory y
    ) private pure {
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = _geluValue(step, c, sizes, x[start + i]);
        }
    }

    /// @dev `max(v, 0) - rescale(h(|v|))`, `h` the quadratic of |v|'s segment, 0 past the last segment.
    function _geluValue(bytes calldata step, Ints[3] memory c, uint256[2] memory sizes, int256 v)
        private
        pure
        returns (int256)
    {
        (uint256 segBits, uint256 s) = (sizes[0], sizes[1]);
        int256 a = v < 0 ? -v : v;
        int256 corr;
        if (a < int256(c[0].count << segBits)) {
            uint256 k = uint256(a) >> segBits;
            corr = _segment(step, c, k, a - int256(k << segBits), s);
        }
        return (v > 0 ? v : int256(0)) - _rescale(corr, s);
    }

    /// @dev `C0[k] 2^S + (C1[k] + rescale(C2[k] t)) t`, the quadratic of segment `k` before its last rescale.
    function _segment(bytes calldata step, Ints[3] memory c, uint256 k, int256 t, uint256 s) private pure returns (int256) {
        return _at(step, c[0], k) * (int256(1) << s) + (_at(step, c[1], k) + _rescale(_at(step, c[2], k) * t, s)) * t;
    }

    function _embedding(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        Emb memory e;
        e.vocab = _u32Checked(step, nd.params);
        e.table = _ints(step, nd.params + 4);
        e.pos = _ints(step, e.table.start + e.table.count * e.table.width);
        _end(step, e.pos);
        e.context = _last(nd.inShapes[0]);
        if (e.vocab == 0 || e.table.count == 0 || e.table.count % e.vocab != 0) revert GraphStepMalformed(nd.params);
        e.d = e.table.count / e.vocab;
        if (e.d != _last(nd.outShape) || (e.pos.count != 0 && e.pos.count != e.context * e.d)) {
            revert GraphStepMalformed(nd.params);
        }
        e.r0 = nd.r0;
        y = new int256[]((nd.r1 - nd.r0) * e.d);
        for (uint256 r = nd.r0; r < nd.r1; ++r) {
            int256 id = x[r - xBase];
            if (id < 0 || uint256(id) >= e.vocab) revert GraphStepTokenOutOfRange(r, id);
            _embedRow(step, e, uint256(id), r, y);
        }
    }

    /// @dev An embedding's tables and sizes.
    struct Emb {
        Ints table;
        Ints pos;
        uint256 vocab;
        uint256 context;
        uint256 d;
        uint256 r0;
    }

    function _embedRow(bytes calldata step, Emb memory e, uint256 id, uint256 r, int256[] memory y) private pure {
        uint256 pa = (r % e.context) * e.d;
        uint256 ya = (r - e.r0) * e.d;
        for (uint256 j = 0; j < e.d; ++j) {
            int256 v = _at(step, e.table, id * e.d + j);
            if (e.pos.count != 0) v += _at(step, e.pos, pa + j);
            y[ya + j] = v;
        }
    }

    function _affine(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        Ints[2] memory sb;
        sb[0] = _ints(step, nd.params);
        sb[1] = _ints(step, sb[0].start + sb[0].count * sb[0].width);
        _end(step, sb[1]);
        if (sb[0].count != nd.outShape[0] || sb[1].count != nd.outShape[0]) revert GraphStepMalformed(nd.params);
        uint256[2] memory ps = [_size(nd.outShape) / nd.outShape[0], nd.scaleBits];
        uint256 f0 = nd.r0 * _last(nd.outShape);
        y = new int256[]((nd.r1 - nd.r0) * _last(nd.outShape));
        _affineInto(step, sb, ps, x, f0 - xBase, f0, y);
    }

    /// @dev `y[i]` from `x[xa + i]`, flat index `f0 + i`.
    function _affineInto(
        bytes calldata step,
        Ints[2] memory sb,
        uint256[2] memory ps,
        int256[] calldata x,
        uint256 xa,
        uint256 f0,
        int256[] memory y
    ) private pure {
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = _affineValue(step, sb, ps, f0 + i, x[xa + i]);
        }
    }

    /// @dev `rescale(scale[ch] v + bias[ch])`, `ch = f / per` (`ps`: per channel, S).
    function _affineValue(bytes calldata step, Ints[2] memory sb, uint256[2] memory ps, uint256 f, int256 v)
        private
        pure
        returns (int256)
    {
        uint256 ch = f / ps[0];
        return _rescale(_at(step, sb[0], ch) * v + _at(step, sb[1], ch), ps[1]);
    }

    function _slice(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        uint256 p = nd.params;
        _need(step, p + 9);
        if (step.length != p + 9) revert GraphStepTruncated(step.length, p + 9);
        uint256 start = _u32(step, p + 1);
        uint256 lin = _last(nd.inShapes[0]);
        uint256 lout = _last(nd.outShape);
        if (uint8(step[p]) != nd.outShape.length - 1 || _u32(step, p + 5) != start + lout || start + lout > lin) {
            revert GraphStepMalformed(p);
        }
        y = new int256[]((nd.r1 - nd.r0) * lout);
        // The rows read start at the step's first row (xBase = rowStart * lin): value i is at row i / lout.
        uint256 first = nd.r0 * lin + start - xBase;
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = x[first + (i / lout) * lin + (i % lout)];
        }
    }

    function _transpose(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[]((nd.r1 - nd.r0) * _last(nd.outShape));
        _gather(x, xBase, nd.inShapes[0], _permOf(step, nd), nd.r0 * _last(nd.outShape), y);
    }

    /// @dev `y[i] = x[transposeIndex(f0 + i) - xBase]`.
    function _gather(
        int256[] calldata x,
        uint256 xBase,
        uint256[] memory inShape,
        uint256[] memory perm,
        uint256 f0,
        int256[] memory y
    ) private pure {
        for (uint256 i = 0; i < y.length; ++i) {
            y[i] = x[_transposeIndex(inShape, perm, f0 + i) - xBase];
        }
    }

    function _copy(bytes calldata step, Node memory nd, int256[] calldata x, uint256 xBase, bool relu)
        private
        pure
        returns (int256[] memory y)
    {
        if (step.length != nd.params) revert GraphStepTruncated(step.length, nd.params);
        if (_size(nd.outShape) != _size(nd.inShapes[0])) revert GraphStepMalformed(nd.params);
        uint256 len = _last(nd.outShape);
        uint256 f0 = nd.r0 * len;
        y = new int256[]((nd.r1 - nd.r0) * len);
        for (uint256 i = 0; i < y.length; ++i) {
            int256 v = x[f0 + i - xBase];
            y[i] = relu && v < 0 ? int256(0) : v;
        }
    }

    function _pair(bytes calldata step, Node memory nd, int256[] calldata a, int256[] calldata b, bool product)
        private
        pure
        returns (int256[] memory y)
    {
        if (step.length != nd.params) revert GraphStepTruncated(step.length, nd.params);
        if (_size(nd.inShapes[0]) != _size(nd.outShape) || _size(nd.inShapes[1]) != _size(nd.outShape)) {
            revert GraphStepMalformed(nd.params);
        }
        uint256 len = (nd.r1 - nd.r0) * _last(nd.outShape);
        y = new int256[](len);
        for (uint256 i = 0; i < len; ++i) {
            y[i] = product ? _rescale(a[i] * b[i], nd.scaleBits) : a[i] + b[i];
        }
    }

    // ---------------------------------------------------------------- transpose indexing

    /// @dev The permutation of a transpose step, checked: `u8 rank, rank × u8 axes`, a permutation of the input's axes.
    function _permOf(bytes calldata step, Node memory nd) private pure returns (uint256[] memory perm) {
        uint256 p = nd.params;
        uint256 rank = nd.inShapes[0].length;
        _need(step, p + 1 + rank);
        if (uint8(step[p]) != rank || step.length != p + 1 + rank || nd.outShape.length != rank) {
            revert GraphStepMalformed(p);
        }
        perm = new uint256[](rank);
        uint256 seen;
        for (uint256 a = 0; a < rank; ++a) {
            perm[a] = uint8(step[p + 1 + a]);
            if (perm[a] >= rank || (seen >> perm[a]) & 1 == 1 || nd.outShape[a] != nd.inShapes[0][perm[a]]) {
                revert GraphStepMalformed(p + 1 + a);
            }
            seen |= uint256(1) << perm[a];
        }
    }

    /// @dev The rows between the lowest and the highest input index a transpose's output rows gather.
    function _transposeRows(bytes calldata step, Node memory nd, uint256 lin, uint256 lout)
        private
        pure
        returns (uint256, uint256)
    {
        uint256[] memory perm = _permOf(step, nd);
        uint256 lo = type(uint256).max;
        uint256 hi;
        for (uint256 f = nd.r0 * lout; f < nd.r1 * lout; ++f) {
            uint256 src = _transposeIndex(nd.inShapes[0], perm, f);
            if (src < lo) lo = src;
            if (src > hi) hi = src;
        }
        return (lo / lin, hi / lin + 1);
    }

    /// @dev The input flat index that output flat index `f` of a transpose reads.
    function _transposeIndex(uint256[] memory inShape, uint256[] memory perm, uint256 f) private pure returns (uint256 src) {
        uint256 rank = inShape.length;
        uint256 rest = f;
        for (uint256 a = rank; a > 0; --a) {
            uint256 axis = perm[a - 1];
            uint256 d = inShape[axis];
            uint256 stride = 1;
            for (uint256 b = axis + 1; b < rank; ++b) {
                stride *= inShape[b];
            }
            src += (rest % d) * stride;
            rest /= d;
        }
    }

    // ---------------------------------------------------------------- arithmetic

    function _rescale(int256 acc, uint256 s) private pure returns (int256) {
        return (acc + (int256(1) << (s - 1))) >> s;
    }

    /// @dev `round(a / b)`, ties up, for `b > 0`: `floor((2a + b) / (2b))`.
    function _roundDiv(int256 a, int256 b) private pure returns (int256 q) {
        int256 num = 2 * a + b;
        int256 den = 2 * b;
        q = num / den;
        if (num % den < 0) --q;
    }

    // ---------------------------------------------------------------- hashing

    function _hashMemory(int256[] memory values) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(add(values, 0x20), shl(5, mload(values)))
        }
    }

    function _hashCalldata(int256[] calldata values) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := shl(5, values.length)
            calldatacopy(ptr, values.offset, len)
            h := keccak256(ptr, len)
        }
    }

    function _hashRowHashes(bytes32[] calldata hashes) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := shl(5, hashes.length)
            calldatacopy(ptr, hashes.offset, len)
            h := keccak256(ptr, len)
        }
    }

    /// @dev The hash of a tensor none of whose `rows` rows is written yet (every row hash zero).
    function _zeroRowsHash(uint256 rows) private pure returns (bytes32 h) {
        bytes memory zeros = new bytes(rows * 32);
        h = keccak256(zeros);
    }

    // ---------------------------------------------------------------- shapes

    function _last(uint256[] memory shape) private pure returns (uint256) {
        return shape[shape.length - 1];
    }

    function _size(uint256[] memory shape) private pure returns (uint256 n) {
        n = 1;
        for (uint256 a = 0; a < shape.length; ++a) {
            n *= shape[a];
        }
    }

    function _rows(uint256[] memory shape) private pure returns (uint256) {
        return _size(shape) / _last(shape);
    }

    // ---------------------------------------------------------------- reading the encoding

    function _need(bytes calldata step, uint256 needed) private pure {
        if (step.length < needed) revert GraphStepTruncated(step.length, needed);
    }

    function _u16(bytes calldata step, uint256 at) private pure returns (uint256) {
        return uint16(bytes2(step[at:at + 2]));
    }

    function _u32(bytes calldata step, uint256 at) private pure returns (uint256) {
        return uint32(bytes4(step[at:at + 4]));
    }

    function _u32Checked(bytes calldata step, uint256 at) private pure returns (uint256) {
        _need(step, at + 4);
        return _u32(step, at);
    }

    function _i64(bytes calldata step, uint256 at) private pure returns (int256) {
        return int256(int64(uint64(bytes8(step[at:at + 8]))));
    }

    /// @dev The integer array at `at`: `u32 count, u8 width`, then the values (inside the encoding).
    function _ints(bytes calldata step, uint256 at) private pure returns (Ints memory a) {
        _need(step, at + 5);
        a.count = _u32(step, at);
        a.width = uint8(step[at + 4]);
        if (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8) revert GraphStepMalformed(at + 4);
        a.start = at + 5;
        _need(step, a.start + a.count * a.width);
    }

    /// @dev The encoding must end right after the op's last array.
    function _end(bytes calldata step, Ints memory a) private pure {
        uint256 end = a.start + a.count * a.width;
        if (step.length != end) revert GraphStepTruncated(step.length, end);
    }

    /// @dev Value `i` of an array, big-endian two's complement (inside the checked length).
    function _at(bytes calldata step, Ints memory a, uint256 i) private pure returns (int256 v) {
        uint256 shift = 256 - 8 * a.width;
        uint256 at = a.start + i * a.width;
        assembly ("memory-safe") {
            v := sar(shift, calldataload(add(step.offset, at)))
        }
    }
}
