// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IBisection} from "../../../src-sol/interfaces/IBisection.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";
import {TraceBuilder, BisectionModels} from "./TraceBuilder.sol";

/// @notice The oracle fixture with models whose disputes can be bisected, and a driver that plays a game from both
/// parties' traces the way a node would: every move computed from the mover's own trace and the game's state.
abstract contract BisectionFixture is OracleFixture {
    /// One party's trace: its states, their hashes and its root.
    struct Side {
        int256[][] states;
        bytes32[] hashes;
        bytes32 root;
    }

    /// A disputed request and both parties' traces.
    struct Dispute {
        uint256 id;
        uint256 model;
        RequestTerms terms;
        Proposal proposal;
        Side p;
        Side c;
    }

    /// 2 -> 4 -> 4 -> 4 -> 4 -> 3 logits: 5 steps, 6 states (padded to 8), no weights on chain, no verifier.
    uint256 internal deepId;
    /// 2 -> 3 logits: one step.
    uint256 internal oneStepId;
    /// The 64 -> 32 -> 10 argmax digits model of the gas benchmark: 2 steps, weights on chain.
    uint256 internal digitsId;

    function setUp() public virtual override {
        super.setUp();
        vm.startPrank(owner);
        deepId = _register(_deep(), "");
        oneStepId = _register(_oneStep(), "");
        bytes memory digits = ModelEncoder.encode(ModelEncoder.digits(1));
        digitsId = registry.registerModel(
            IModelRegistry.ModelSpec({
                modelHash: keccak256(digits),
                inputLength: 64,
                outputLength: 1,
                inputMin: 0,
                inputMax: 4096,
                scaleBits: 8,
                outputKind: OutputKind.ArgMax,
                verifier: IInferenceVerifier(address(0)),
                challengeWindow: CHALLENGE_WINDOW,
                minBond: BOND,
                fee: FEE
            }),
            digits
        );
        _commitSteps(digitsId, ModelEncoder.digits(1));
        _commitSteps(modelId, ModelEncoder.small());
        vm.stopPrank();
    }

    // ----- models -----

    function _model(uint256 id) internal view returns (ModelEncoder.Model memory) {
        if (id == deepId) return _deep();
        if (id == oneStepId) return _oneStep();
        if (id == digitsId) return ModelEncoder.digits(1);
        if (id == modelId) return ModelEncoder.small();
        revert("unknown model");
    }

    function _deep() internal pure returns (ModelEncoder.Model memory) {
        return BisectionModels.deep();
    }

    function _oneStep() internal pure returns (ModelEncoder.Model memory) {
        return BisectionModels.oneStep();
    }

    function _register(ModelEncoder.Model memory m, bytes memory weights) internal returns (uint256 id) {
        bytes memory encoding = ModelEncoder.encode(m);
        IModelRegistry.ModelSpec memory spec = _spec(
            encoding,
            uint16(m.layers[m.layers.length - 1].weights.length),
            OutputKind.Logits,
            IInferenceVerifier(address(0))
        );
        id = registry.registerModel(spec, weights);
        _commitSteps(id, m);
    }

    function _commitSteps(uint256 id, ModelEncoder.Model memory m) internal {
        registry.setStepsCommitment(
            id,
            IModelRegistry.StepsCommitment(
                TraceBuilder.root(TraceBuilder.stepLeaves(m)), uint32(m.layers.length), address(0)
            )
        );
    }

    function bisection() internal view returns (IBisection) {
        return IBisection(address(oracle));
    }

    // ----- disputes -----

    function _inputFor(uint256 id, uint256 seed) internal view returns (int256[] memory x) {
        ModelEncoder.Model memory m = _model(id);
        x = new int256[](m.layers[0].weights[0].length);
        for (uint256 i = 0; i < x.length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            x[i] = id == digitsId ? int256(r % 17) * 16 : int256(r % 2049) - 1024;
        }
    }

    function _side(int256[][] memory states) internal pure returns (Side memory s) {
        s.states = states;
        s.hashes = TraceBuilder.hashes(states);
        s.root = TraceBuilder.root(s.hashes);
    }

    /// @dev A disputed request on `id`: the proposer's trace lies from state `proposerLie` on (none when it is past the
    /// last state), the challenger's from `challengerLie` (by 2, so two liars never claim the same output).
    function _dispute(uint256 id, uint256 seed, uint256 proposerLie, uint256 challengerLie)
        internal
        returns (Dispute memory d)
    {
        ModelEncoder.Model memory m = _model(id);
        int256[] memory input = _inputFor(id, seed);
        int256[][] memory honest = TraceBuilder.states(m, input);
        d.model = id;
        d.p = _side(TraceBuilder.lie(m, honest, proposerLie, 1));
        d.c = _side(TraceBuilder.lie(m, honest, challengerLie, 2));
        uint256 n = m.layers.length;
        uint16 outLength = uint16(honest[n].length);
        d.terms = _termsFor(id, input, outLength);
        d.id = consumer.request(id, input, CALLBACK_GAS, FEE);
        d.proposal = _propose(d.id, d.terms, d.p.states[n]);
        d.proposal = _challengeWith(d.id, d.terms, d.proposal, d.c.hashes[n]);
    }

    function _steps(Dispute memory d) internal pure returns (uint256) {
        return d.p.hashes.length - 1;
    }

    function _leaf(Side memory s, uint256 index) internal pure returns (IBisection.TraceLeaf memory) {
        return IBisection.TraceLeaf(s.hashes[index], TraceBuilder.proof(s.hashes, index));
    }

    function _none() internal pure returns (IBisection.TraceLeaf memory leaf) {}

    function _traceRoot(Side memory s) internal pure returns (IBisection.TraceRoot memory) {
        uint256 n = s.hashes.length - 1;
        return IBisection.TraceRoot(s.root, TraceBuilder.proof(s.hashes, 0), TraceBuilder.proof(s.hashes, n));
    }

    function _open(Dispute memory d) internal {
        uint256 n = _steps(d);
        vm.prank(challenger);
        bisection().openBisection(
            d.id, d.terms, d.proposal, d.c.states[n], _traceRoot(d.c), n > 1 ? _leaf(d.c, n / 2) : _none()
        );
    }

    /// @dev The mover's answer to the game's pending state hash, from its own trace.
    function _answer(Side memory s, IBisection.BisectionGame memory g)
        internal
        pure
        returns (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext)
    {
        (uint256 lo, uint256 hi) = (g.lo, g.hi);
        if (hi - lo <= 1) return (atMid, atNext);
        uint256 mid = (lo + hi) / 2;
        atMid = _leaf(s, mid);
        if (s.hashes[mid] == g.pending) lo = mid;
        else hi = mid;
        if (hi - lo > 1) atNext = _leaf(s, (lo + hi) / 2);
    }

    function _commit(Dispute memory d) internal {
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) =
            _answer(d.p, bisection().bisectionOf(d.id));
        vm.prank(proposer);
        bisection().commitTrace(d.id, d.terms, d.proposal, _traceRoot(d.p), atMid, atNext);
    }

    /// @dev One move of whoever's turn it is.
    function _move(Dispute memory d) internal {
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        bool proposerMoves = g.phase == IBisection.BisectionPhase.ProposerToMove;
        (IBisection.TraceLeaf memory atMid, IBisection.TraceLeaf memory atNext) = _answer(proposerMoves ? d.p : d.c, g);
        vm.prank(proposerMoves ? proposer : challenger);
        bisection().bisect(d.id, atMid, atNext);
    }

    /// @dev Opens, commits and bisects until one step remains.
    function _narrow(Dispute memory d) internal {
        _open(d);
        _commit(d);
        while (bisection().bisectionOf(d.id).phase != IBisection.BisectionPhase.OneStep) {
            _move(d);
        }
    }

    function _weights(uint256 id, uint256 step) internal view returns (IBisection.StepWeights memory) {
        ModelEncoder.Model memory m = _model(id);
        return IBisection.StepWeights(
            TraceBuilder.stepEncoding(m, step), TraceBuilder.proof(TraceBuilder.stepLeaves(m), step)
        );
    }

    /// @dev Executes the remaining step as `caller`, settling with `output`.
    function _execute(Dispute memory d, address caller, int256[] memory output) internal {
        IBisection.BisectionGame memory g = bisection().bisectionOf(d.id);
        IBisection.StepWeights memory w = _weights(d.model, g.lo);
        vm.prank(caller);
        bisection().executeStep(d.id, d.terms, d.proposal, w, d.p.states[g.lo], output);
    }

    function _output(Side memory s) internal pure returns (int256[] memory) {
        return s.states[s.states.length - 1];
    }
}
