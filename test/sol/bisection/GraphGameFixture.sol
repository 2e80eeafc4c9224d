// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {GraphStepExecutor} from "../../../src-sol/bisection/GraphStepExecutor.sol";
import {ProtocolArtifacts} from "../utils/ProtocolArtifacts.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {TraceBuilder} from "./TraceBuilder.sol";

/// @notice The oracle fixture with the committed GPT registered as a graph model whose disputes are bisected
/// (its steps root and a {GraphStepExecutor} in the registry), and a driver that plays a game on the GPT's real trace
/// (test/vectors/graph-game.json, `npm run vectors:graph-steps`): the honest side's state hashes are the reference's,
/// a liar's follow them up to a chosen state and differ from there on, so the game narrows to the step before it.
abstract contract GraphGameFixture is OracleFixture {
    string internal constant VECTORS = "test/vectors/graph-game.json";

    /// One party's trace: its state hashes and the levels of their Merkle tree (built once: 7,745 leaves).
    struct Trace {
        bytes32[] hashes;
        bytes32[][] levels;
        int256[] output;
    }

    /// A disputed GPT request and both parties' traces.
    struct Game {
        uint256 id;
        RequestTerms terms;
        Proposal proposal;
        Trace p;
        Trace c;
    }

    /// A step of the trace as the game executes it.
    struct Step {
        uint256 index;
        bytes encoding;
        bytes32[] proof;
        int256[] pre;
        bytes witness;
    }

    GraphStepExecutor internal executor;
    uint256 internal gptId;
    uint256 internal steps;
    bytes32 internal stepsRoot;
    int256[] internal input;
    int256[] internal answer;

    function setUp() public virtual override {
        super.setUp();
        string memory json = _json();
        steps = vm.parseJsonUint(json, ".steps");
        stepsRoot = vm.parseJsonBytes32(json, ".stepsRoot");
        input = abi.decode(vm.parseJsonBytes(json, ".input"), (int256[]));
        answer = abi.decode(vm.parseJsonBytes(json, ".output"), (int256[]));
        executor = GraphStepExecutor(ProtocolArtifacts.graphStepExecutor());
        vm.startPrank(owner);
        gptId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: vm.parseJsonBytes32(json, ".modelHash"),
                inputLength: uint16(vm.parseJsonUint(json, ".inputLength")),
                outputLength: uint16(vm.parseJsonUint(json, ".outputLength")),
                inputMin: int64(vm.parseJsonInt(json, ".inputMin")),
                inputMax: int64(vm.parseJsonInt(json, ".inputMax")),
                scaleBits: uint8(vm.parseJsonUint(json, ".scaleBits")),
                outputKind: OutputKind.Logits,
                verifier: IInferenceVerifier(address(0)),
                challengeWindow: CHALLENGE_WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            ""
        );
        registry.setStepsCommitment(gptId, IModelRegistry.StepsCommitment(stepsRoot, uint32(steps), address(executor)));
        vm.stopPrank();
    }

    /// @dev The game's data, read when used (in storage, its ~1 MB would cost more gas than a test frame has).
    function _json() internal view returns (string memory) {
        return vm.readFile(VECTORS);
    }

    /// @dev The honest trace's state hash at `index`.
    function _honest(uint256 index) internal view returns (bytes32) {
        return vm.parseJsonBytes32(_json(), string.concat(".hashes[", vm.toString(index), "]"));
    }

    function bisection() internal view returns (IBisection) {
        return IBisection(address(oracle));
    }

    // ----- traces -----

    /// @dev The honest trace, or (`from` <= steps) one that follows it up to state `from - 1` and differs from state
    /// `from` on, ending with a wrong output (`salt` tells two liars apart).
    function _trace(uint256 from, uint256 salt) internal view returns (Trace memory t) {
        t.hashes = vm.parseJsonBytes32Array(_json(), ".hashes");
        t.output = answer;
        if (from <= steps) {
            t.output = new int256[](answer.length);
            for (uint256 i = 0; i < answer.length; ++i) {
                t.output[i] = answer[i];
            }
            t.output[0] += int256(salt);
            for (uint256 j = from; j < steps; ++j) {
                t.hashes[j] = keccak256(abi.encode("lie", salt, j));
            }
            t.hashes[steps] = keccak256(abi.encodePacked(t.output));
        }
        t.levels = TraceBuilder.levels(t.hashes);
    }

    function _proof(Trace memory t, uint256 index) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](t.levels.length - 1);
        for (uint256 d = 0; d + 1 < t.levels.length; ++d) {
            p[d] = t.levels[d][index ^ 1];
            index /= 2;
        }
    }

    function _root(Trace memory t) internal pure returns (bytes32) {
        return t.levels[t.levels.length - 1][0];
    }

    function _leaf(Trace memory t, uint256 index) internal pure returns (IBisection.TraceLeaf memory) {
        return IBisection.TraceLeaf(t.hashes[index], _proof(t, index));
    }

    function _traceRoot(Trace memory t) internal view returns (IBisection.TraceRoot memory) {
        return IBisection.TraceRoot(_root(t), _proof(t, 0), _proof(t, steps));
    }

    // ----- the game -----

    /// @dev A disputed GPT request: the proposer's trace lies from state `proposerLie` on, the challenger's from
    /// `challengerLie` (past the last state: honest).
    function _game(uint256 proposerLie, uint256 challengerLie) internal returns (Game memory g) {
        g.p = _trace(proposerLie, 1);
        g.c = _trace(challengerLie, 2);
        g.terms = _termsFor(gptId, input, uint16(answer.length));
        g.id = consumer.request(gptId, input, CALLBACK_GAS, FEE);
        g.proposal = _propose(g.id, g.terms, g.p.output);
        g.proposal = _challengeWith(g.id, g.terms, g.proposal, g.c.hashes[steps]);
    }

    function _open(Game memory g) internal {
        vm.prank(challenger);
        bisection().openBisection(g.id, g.terms, g.proposal, g.c.output, _traceRoot(g.c), _leaf(g.c, steps / 2));
    }

    /// @dev The mover's answer to the game's pending state hash, from its own trace.
    function _answer(Trace memory t, IBisection.BisectionGame memory s)
        internal
        pure
        returns (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext)
    {
        (uint256 lo, uint256 hi) = (s.lo, s.hi);
        if (hi - lo <= 1) return (atMid, atNext);
        uint256 mid = (lo + hi) / 2;
        atMid = _leaf(t, mid);
        if (t.hashes[mid] == s.pending) lo = mid;
        else hi = mid;
        if (hi - lo > 1) atNext = _leaf(t, (lo + hi) / 2);
    }

    function _commit(Game memory g) internal {
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(g.p, bisection().bisectionOf(g.id));
        vm.prank(proposer);
        bisection().commitTrace(g.id, g.terms, g.proposal, _traceRoot(g.p), atMid, atNext);
    }

    function _move(Game memory g) internal {
        IBisection.BisectionGame memory s = bisection().bisectionOf(g.id);
        bool proposerMoves = s.phase == IBisection.BisectionPhase.ProposerToMove;
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(proposerMoves ? g.p : g.c, s);
        vm.prank(proposerMoves ? proposer : challenger);
        bisection().bisect(g.id, atMid, atNext);
    }

    /// @dev Opens, commits and bisects until one step remains; returns the number of moves.
    function _narrow(Game memory g) internal returns (uint256 moves) {
        _open(g);
        _commit(g);
        moves = 2;
        while (bisection().bisectionOf(g.id).phase != IBisection.BisectionPhase.OneStep) {
            _move(g);
            ++moves;
        }
    }

    // ----- steps -----

    /// @dev The vector whose name starts with `prefix`.
    function _vector(string memory prefix) internal view returns (uint256 n) {
        string memory json = _json();
        while (true) {
            string memory name = vm.parseJsonString(json, string.concat(".gameSteps[", vm.toString(n), "].name"));
            if (_startsWith(name, prefix)) return n;
            ++n;
        }
    }

    function _startsWith(string memory s, string memory prefix) private pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory b = bytes(prefix);
        if (a.length < b.length) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            if (a[i] != b[i]) return false;
        }
        return true;
    }

    /// @dev Vector `n` as the game executes it.
    function _step(uint256 n) internal view returns (Step memory s) {
        string memory json = _json();
        string memory key = string.concat(".gameSteps[", vm.toString(n), "]");
        s.index = vm.parseJsonUint(json, string.concat(key, ".index"));
        s.encoding = vm.parseJsonBytes(json, string.concat(key, ".encoding"));
        s.proof = vm.parseJsonBytes32Array(json, string.concat(key, ".stepProof"));
        s.pre = abi.decode(vm.parseJsonBytes(json, string.concat(key, ".pre")), (int256[]));
        s.witness = vm.parseJsonBytes(json, string.concat(key, ".witness"));
    }

    /// @dev The heaviest step of the trace: a row of the MLP's 64 -> 256 linear layer.
    function _heaviest() internal view returns (Step memory) {
        return _step(_vector("linear /blocks.0/fc/MatMul, row 5"));
    }

    function _weights(Step memory s) internal pure returns (IBisection.StepWeights memory) {
        return IBisection.StepWeights(s.encoding, s.proof);
    }

    /// @dev Executes the remaining step `s` as `caller`, settling with `output`.
    function _execute(Game memory g, Step memory s, address caller, int256[] memory output) internal {
        vm.prank(caller);
        bisection().executeStepWithWitness(g.id, g.terms, g.proposal, _weights(s), s.pre, s.witness, output);
    }
}
