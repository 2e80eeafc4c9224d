// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "../utils/OracleFixture.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {TestVerifier} from "../utils/TestVerifier.sol";
import {InferenceOracle} from "../../../src-sol/oracle/InferenceOracle.sol";
import {StakeBook} from "../../../src-sol/oracle/StakeBook.sol";
import {OracleAutomation} from "../../../src-sol/periphery/OracleAutomation.sol";
import {IDisputes} from "../../../src-sol/interfaces/IDisputes.sol";
import {IOracleEvents} from "../../../src-sol/interfaces/IOracleEvents.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {OutputKind, RequestState, Provenance, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";
import {ModelEncoder} from "../utils/ModelEncoder.sol";

/// @notice An operator that is a contract without `receive`: ETH sent to it bounces.
contract NoReceiveOperator {
    InferenceOracle internal immutable oracle;

    constructor(InferenceOracle oracle_) {
        oracle = oracle_;
    }

    function deposit() external payable {
        oracle.depositStake{value: msg.value}();
    }

    function propose(uint256 id, RequestTerms calldata terms, int256[] calldata output) external {
        oracle.propose(id, terms, output);
    }

    function resolveByReexecution(
        uint256 id,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata input
    ) external {
        IDisputes(address(oracle)).resolveByReexecution(id, terms, proposal, input);
    }

    function requestWithdrawal(uint256 amount) external {
        oracle.requestWithdrawal(amount);
    }

    function withdrawStake(address payable to, uint256 amount) external {
        oracle.withdrawStake(to, amount);
    }

    function claim(address payable to) external {
        oracle.claim(to);
    }
}

/// @notice Helpers shared by the attack tests.
abstract contract AttackFixture is OracleFixture {
    /// A dispute and what settling it needs (one stack slot).
    struct OpenDispute {
        uint256 id;
        RequestTerms terms;
        Proposal d;
        int256[] input;
        int256[] correct;
        int256[] wrong;
        uint256 disputedAt;
    }

    /// Gas a settler may spend on a dispute settlement or an expiry, whatever the requester's callback does.
    uint256 internal constant SETTLE_GAS = 400_000;

    /// Everything an address owns in and out of the oracle: ETH, stake (free, locked, unbonding), claimable.
    function _wealth(address a) internal view returns (uint256) {
        StakeBook.Stake memory s = oracle.stakeOf(a);
        return a.balance + s.free + s.locked + s.unbonding + oracle.claimableOf(a);
    }

    function _h(int256[] memory v) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(v));
    }

    function _one(int256 v) internal pure returns (int256[] memory x) {
        x = new int256[](1);
        x[0] = v;
    }

    function _requestWithGas(int256[] memory input, uint32 gasLimit)
        internal
        returns (uint256 id, RequestTerms memory terms)
    {
        terms = _termsFor(modelId, input, 2);
        terms.callbackGasLimit = gasLimit;
        id = consumer.request(modelId, input, gasLimit, FEE);
    }

    function _requestBare(int256[] memory input, uint32 gasLimit)
        internal
        returns (uint256 id, RequestTerms memory terms)
    {
        terms = _termsFor(bareModelId, input, 1);
        terms.callbackGasLimit = gasLimit;
        id = consumer.request(bareModelId, input, gasLimit, FEE);
    }

    function _proposeAs(address who, uint256 id, RequestTerms memory terms, int256[] memory output)
        internal
        returns (Proposal memory p)
    {
        vm.prank(who);
        oracle.propose(id, terms, output);
        p = Proposal(who, address(0), _h(output), bytes32(0));
    }

    function _challengeAs(address who, uint256 id, RequestTerms memory terms, Proposal memory p, bytes32 claim)
        internal
        returns (Proposal memory d)
    {
        vm.prank(who);
        disputes().challenge(id, terms, p, claim);
        d = p;
        d.challenger = who;
        d.claimHash = claim;
    }

    /// @dev Runs `data` on the oracle from `caller` with at most `SETTLE_GAS` gas; it must succeed. Returns the gas
    /// used.
    function _withinSettleGas(address caller, bytes memory data) internal returns (uint256 used) {
        vm.prank(caller);
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = address(oracle).call{gas: SETTLE_GAS}(data);
        used = before - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        assertLt(used, SETTLE_GAS, "settler pays the callback");
    }

    /// @dev `TestVerifier.proofFor(prover)`, built here so that computing it between `vm.prank` and the call
    /// it is for makes no external call.
    function _proof(address prover) internal pure returns (bytes memory) {
        return abi.encodePacked(bytes("test-proof"), prover);
    }

    function _result(uint256 id, int256[] memory output) internal pure returns (bytes memory) {
        return abi.encodeCall(IInferenceConsumer.fulfillInference, (id, output));
    }

    function _cached(uint256 model, int256[] memory input)
        internal
        view
        returns (bool found, bytes32 outputHash, Provenance provenance)
    {
        int256[] memory output;
        (found, output, provenance) = oracle.cachedResult(model, _h(input));
        outputHash = found ? _h(output) : bytes32(0);
    }
}

/// @notice One test per behaviour the v1 security review found, each showing the attack now fails: the attacker's
/// balance does not grow, the honest side is paid, and nothing stays blocked.
contract OracleAttacksTest is AttackFixture {
    // -----------------------------------------------------------------------------------------------------------
    // 1. A callback that burns its gas holds bonds hostage
    // -----------------------------------------------------------------------------------------------------------

    /// A requester whose callback burns 5M gas cannot make a dispute settlement, a dispute expiry or a request
    /// expiry cost the settler its callback gas (each runs within 400k gas; the callback is owed instead), and one
    /// such request never stalls Automation: the rest of its batch finalizes, and the next upkeep moves on.
    function test_attack_callbackHoldsBondsHostage() public {
        uint32 bomb = oracle.MAX_CALLBACK_GAS_LIMIT();
        consumer.setMode(MockConsumer.Mode.BurnGas);

        uint256 id = _burnerDisputeSettledByProof(bomb);
        _burnerDisputeSettledByReexecution(bomb);
        _burnerDisputeExpired(bomb);
        _burnerRequestExpired(bomb);
        _burnerDisputeArbitrated(bomb);

        // The owed callback is the consumer's problem: delivering it fails while it burns its gas and stays owed;
        // once it behaves, anyone delivers it, exactly once.
        bytes memory data = _result(id, _correct(_input(1, 1)));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleCallbackFailed.selector, id));
        oracle.deliverCallback(id, address(consumer), bomb, data);
        assertTrue(oracle.callbackOwed(id));
        consumer.setMode(MockConsumer.Mode.Record);
        vm.prank(stranger);
        oracle.deliverCallback(id, address(consumer), bomb, data);
        assertEq(consumer.callbackCount(id), 1);
        assertFalse(oracle.callbackOwed(id));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNoPendingCallback.selector, id));
        oracle.deliverCallback(id, address(consumer), bomb, data);

        _automationIsNotStalledByABurningCallback(bomb);
    }

    /// A dispute settled by proof: the challenger is paid, the settler spends < 400k, the callback is owed.
    function _burnerDisputeSettledByProof(uint32 bomb) private returns (uint256 id) {
        (uint256 reward, uint256 resolverReward,) = disputes_().slashSplit(BOND);
        int256[] memory input = _input(1, 1);
        int256[] memory correct = _correct(input);
        RequestTerms memory terms;
        (id, terms) = _requestWithGas(input, bomb);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _wrong(correct)), _h(correct));
        verifier.setProven(input, correct, true);
        uint256 challengerBefore = _wealth(challenger);
        _withinSettleGas(
            stranger, abi.encodeCall(IDisputes.resolveWithProof, (id, terms, d, input, correct, _proof(stranger)))
        );
        assertEq(_wealth(challenger), challengerBefore + reward + FEE, "winner paid");
        assertEq(oracle.claimableOf(stranger), resolverReward, "resolver paid");
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertTrue(oracle.callbackOwed(id), "callback owed, not made");
    }

    function _burnerDisputeSettledByReexecution(uint32 bomb) private {
        int256[] memory input = _input(2, 2);
        int256[] memory correct = _correct(input);
        (uint256 id, RequestTerms memory terms) = _requestWithGas(input, bomb);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _wrong(correct)), _h(correct));
        _withinSettleGas(stranger, abi.encodeCall(IDisputes.resolveByReexecution, (id, terms, d, input)));
        assertTrue(oracle.callbackOwed(id));
        assertEq(_locked(proposer) + _locked(challenger), 0, "no bond left locked");
    }

    /// A dispute nobody resolved, expired by a third party: the proposer is paid.
    function _burnerDisputeExpired(uint32 bomb) private {
        (uint256 reward,,) = disputes_().slashSplit(BOND);
        int256[] memory input = _input(3, 3);
        int256[] memory correct = _correct(input);
        (uint256 id, RequestTerms memory terms) = _requestWithGas(input, bomb);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, correct), _h(_wrong(correct)));
        vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
        uint256 proposerBefore = _wealth(proposer);
        _withinSettleGas(stranger, abi.encodeCall(IDisputes.expireDispute, (id, terms, d, correct)));
        assertEq(_wealth(proposer), proposerBefore + reward + FEE, "proposer paid");
        assertTrue(oracle.callbackOwed(id));
    }

    /// A request nobody answered, expired by a third party: the fee goes back to the requester.
    function _burnerRequestExpired(uint32 bomb) private {
        (uint256 id, RequestTerms memory terms) = _requestWithGas(_input(4, 4), bomb);
        vm.warp(block.timestamp + REQUEST_TIMEOUT + 1);
        uint256 refundBefore = oracle.claimableOf(address(consumer));
        _withinSettleGas(stranger, abi.encodeCall(IDisputes.expire, (id, terms)));
        assertEq(oracle.claimableOf(address(consumer)), refundBefore + FEE);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Expired));
        assertTrue(oracle.callbackOwed(id));
    }

    /// A dispute the arbitrator settles.
    function _burnerDisputeArbitrated(uint32 bomb) private {
        (uint256 id, RequestTerms memory terms) = _requestBare(_input(5, 5), bomb);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _one(0)), _h(_one(1)));
        _withinSettleGas(arbitrator, abi.encodeCall(IDisputes.resolveByArbitration, (id, terms, d, _one(1))));
        assertTrue(oracle.callbackOwed(id));
    }

    /// Two proposals whose callbacks burn 5M gas and two healthy ones, scheduled in the order burn, healthy,
    /// burn, healthy. The batch takes what fits `MAX_BATCH_GAS` (the first burner and both healthy requests), all
    /// of them finalize (the burner's callback owed), and the next upkeep takes the second burner: no batch comes
    /// back, and the upkeep spends on a burner no more than the gas limit its requester declared.
    function _automationIsNotStalledByABurningCallback(uint32 bomb) private {
        OracleAutomation automation = new OracleAutomation(oracle);
        MockConsumer healthy = new MockConsumer(address(oracle));
        vm.deal(address(healthy), 1 ether);
        consumer.setMode(MockConsumer.Mode.BurnGas);
        uint256[4] memory ids;
        for (uint256 k = 0; k < 4; ++k) {
            int256[] memory input = _input(100 + int256(k), 7);
            bool burns = k % 2 == 0;
            RequestTerms memory terms = _termsFor(modelId, input, 2);
            if (burns) {
                terms.callbackGasLimit = bomb;
                ids[k] = consumer.request(modelId, input, bomb, FEE);
            } else {
                terms.requester = address(healthy);
                ids[k] = healthy.request(modelId, input, CALLBACK_GAS, FEE);
            }
            Proposal memory p = _propose(ids[k], terms, _correct(input));
            automation.scheduleFinalization(ids[k], terms, p, _correct(input));
        }
        vm.warp(block.timestamp + CHALLENGE_WINDOW);

        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertTrue(needed);
        uint256[] memory batch = abi.decode(performData, (uint256[]));
        assertEq(batch.length, 3, "the second burner does not fit the batch gas");
        assertEq(batch[0], ids[0]);
        assertEq(batch[1], ids[1]);
        assertEq(batch[2], ids[3]);
        uint256 healthyBudget = 2
            * (automation.FINALIZE_GAS_BASE()
                + 2
                * automation.FINALIZE_GAS_PER_VALUE()
                + CALLBACK_GAS
                + CALLBACK_GAS
                / 63);
        uint256 before = gasleft();
        automation.performUpkeep(performData);
        uint256 used = before - gasleft();
        assertLe(used, uint256(bomb) + bomb / 63 + healthyBudget + 200_000, "bounded by the declared gas limits");
        for (uint256 k = 0; k < 4; ++k) {
            if (k == 2) continue;
            assertEq(uint8(oracle.requestState(ids[k])), uint8(RequestState.Finalized));
            assertFalse(automation.isScheduled(ids[k]));
        }
        assertTrue(oracle.callbackOwed(ids[0]), "burner's callback owed");
        assertEq(healthy.callbackCount(ids[1]) + healthy.callbackCount(ids[3]), 2, "healthy callbacks delivered");

        (needed, performData) = automation.checkUpkeep("");
        batch = abi.decode(performData, (uint256[]));
        assertEq(batch.length, 1);
        assertEq(batch[0], ids[2], "the next upkeep moves on to the request left out");
        automation.performUpkeep(performData);
        assertEq(uint8(oracle.requestState(ids[2])), uint8(RequestState.Finalized));
        (needed,) = automation.checkUpkeep("");
        assertFalse(needed, "nothing comes back");
        assertEq(automation.scheduledCount(), 0);
    }

    // -----------------------------------------------------------------------------------------------------------
    // 2. An unresolved dispute costs nothing
    // -----------------------------------------------------------------------------------------------------------

    /// A proposer that challenges its own wrong answer from a second key (so that no honest challenger can) loses
    /// money when nobody resolves the dispute and it expires, and more when a third party settles or expires it.
    /// A griefer that challenges an honest proposal loses its bond, and the proposer earns the fee either way.
    function test_attack_unresolvedDisputeCostsNothing() public {
        address attacker2 = makeAddr("attacker2");
        _stake(attacker2, STAKE);
        (uint256 reward, uint256 resolverReward,) = disputes_().slashSplit(BOND);
        int256[] memory correct = _correct(_defaultInput());
        int256[] memory wrong = _wrong(correct);

        // Self-challenge of a wrong answer. The attacker is `proposer` (key 1) and `attacker2` (key 2).
        uint256 snap = vm.snapshotState();
        uint256 before = _wealth(proposer) + _wealth(attacker2);
        // Nobody resolves: the attacker expires the dispute itself, earning the resolver's share back.
        _selfChallengeEndedBy(0, proposer, attacker2, wrong, _h(correct));
        uint256 lossAlone = before - (_wealth(proposer) + _wealth(attacker2));
        assertEq(lossAlone, BOND - reward - resolverReward - FEE, "self-challenge loses half a bond less the fee");
        assertGt(lossAlone, 0);
        assertEq(_locked(proposer) + _locked(attacker2), 0);

        // A third party expires it: the attacker loses the resolver's share on top.
        vm.revertToState(snap);
        _selfChallengeEndedBy(0, stranger, attacker2, wrong, _h(correct));
        assertEq(before - (_wealth(proposer) + _wealth(attacker2)), lossAlone + resolverReward, "loses more");
        assertEq(oracle.claimableOf(stranger), resolverReward);

        // A third party settles it by re-execution (the attacker's second key claimed the right output).
        vm.revertToState(snap);
        _selfChallengeEndedBy(1, stranger, attacker2, wrong, _h(correct));
        assertEq(before - (_wealth(proposer) + _wealth(attacker2)), lossAlone + resolverReward);
        (bool found, bytes32 cachedHash, Provenance p) = _cached(modelId, _defaultInput());
        assertTrue(found);
        assertEq(cachedHash, _h(correct), "the settled result is the right one");
        assertEq(uint8(p), uint8(Provenance.Reexecution));

        // The second key claims a wrong output too: a third party's proof slashes both bonds.
        vm.revertToState(snap);
        _selfChallengeEndedBy(2, stranger, attacker2, wrong, _h(_wrong(wrong)));
        assertEq(before - (_wealth(proposer) + _wealth(attacker2)), 2 * BOND, "both bonds lost");
        assertEq(oracle.claimableOf(stranger), 2 * resolverReward + FEE, "the prover earns the fee");

        // A griefing challenge against an honest proposal (`proposer` honest, `attacker2` the griefer): expired
        // or settled, the griefer loses its bond and the proposer earns the fee and the winner's share.
        for (uint8 how = 0; how < 3; ++how) {
            vm.revertToState(snap);
            _griefingChallengeLoses(how, attacker2);
        }
    }

    function _griefingChallengeLoses(uint8 how, address griefer) private {
        (uint256 reward,,) = disputes_().slashSplit(BOND);
        int256[] memory correct = _correct(_defaultInput());
        uint256 grieferBefore = _wealth(griefer);
        uint256 honestBefore = _wealth(proposer);
        _selfChallengeEndedBy(how, stranger, griefer, correct, _h(_wrong(correct)));
        assertEq(grieferBefore - _wealth(griefer), BOND, "griefer loses its bond");
        assertEq(_wealth(proposer), honestBefore + reward + FEE, "honest proposer paid");
        assertEq(_locked(proposer), 0, "honest bond released");
    }

    /// A request of the default input, proposed by `proposer` with `output`, challenged by `key2` with `claim`, then
    /// ended by `by`: 0 dispute expiry after the window, 1 re-execution, 2 a proof of the right output.
    function _selfChallengeEndedBy(uint8 how, address by, address key2, int256[] memory output, bytes32 claim) private {
        OpenDispute memory x;
        x.input = _defaultInput();
        x.correct = _correct(x.input);
        x.wrong = output;
        (x.id, x.terms) = _request(x.input);
        x.d = _challengeAs(key2, x.id, x.terms, _propose(x.id, x.terms, output), claim);
        if (how == 0) {
            vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
            vm.prank(by);
            disputes().expireDispute(x.id, x.terms, x.d, x.wrong);
        } else if (how == 1) {
            vm.prank(by);
            disputes().resolveByReexecution(x.id, x.terms, x.d, x.input);
        } else {
            verifier.setProven(x.input, x.correct, true);
            vm.prank(by);
            disputes().resolveWithProof(x.id, x.terms, x.d, x.input, x.correct, _proof(by));
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // 3. Self-dealing pays
    // -----------------------------------------------------------------------------------------------------------

    struct Deal {
        uint96 bond;
        uint96 fee;
        uint256 model;
        bool arbitration;
        address requester;
        address resolver;
        int256[] input;
        int256[] proposed;
        int256[] claimed;
        int256[] decided;
    }

    /// The registry refuses a fee above half the bond, and at exactly half, an attacker that plays requester (or
    /// not), proposer, challenger (a second key) and resolver never ends with more than it started with, whatever
    /// the outcome: proof, re-execution, dispute expiry, arbitration (either claim or neither), or no challenge.
    function test_attack_selfDealingPays(uint96 bond, uint8 outcome, bool attackerRequests, bool attackerResolves)
        public
    {
        bond = uint96(bound(bond, 2, 50 ether));
        _registryRefusesFeeAboveHalfTheBond(bond);
        outcome = outcome % 11;
        // Without a challenge, the only self-dealing is answering one's own request.
        if (outcome == 10) attackerRequests = true;

        address key1 = makeAddr("key1");
        address key2 = makeAddr("key2");
        Deal memory deal = _deal(bond, outcome, attackerRequests ? key1 : address(consumer));
        deal.resolver = deal.arbitration ? arbitrator : attackerResolves ? key1 : stranger;
        vm.deal(key1, uint256(deal.fee) + 2 * uint256(bond));
        vm.deal(key2, bond);
        vm.prank(key1);
        oracle.depositStake{value: bond}();
        vm.prank(key2);
        oracle.depositStake{value: bond}();
        uint256 before = _wealth(key1) + _wealth(key2);

        (uint256 id, RequestTerms memory terms) = _dealRequest(deal);
        Proposal memory p = _proposeAs(key1, id, terms, deal.proposed);
        if (outcome == 10) {
            vm.warp(block.timestamp + CHALLENGE_WINDOW);
            vm.prank(key1);
            oracle.finalize(id, terms, p, deal.proposed);
        } else {
            p = _challengeAs(key2, id, terms, p, _h(deal.claimed));
            _settleDeal(outcome, id, terms, p, deal);
        }

        uint256 afterwards = _wealth(key1) + _wealth(key2);
        assertLe(afterwards, before, "self-dealing never pays");
        assertEq(_locked(key1) + _locked(key2), 0, "no bond left locked");
        RequestState s = oracle.requestState(id);
        assertTrue(s == RequestState.Finalized || s == RequestState.Expired, "the request ended");
    }

    function _registryRefusesFeeAboveHalfTheBond(uint96 bond) private {
        uint96 fee = bond / 2;
        IModelRegistry.ModelSpec memory spec = _spec(smallEncoding, 2, OutputKind.Logits, verifier);
        spec.minBond = bond;
        spec.fee = fee + 1;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryBondBelowTwiceFee.selector, bond, fee + 1));
        vm.prank(owner);
        registry.registerModel(spec, smallEncoding);

        // The fixture's model: bond 1 ether, fee 0.01 ether.
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryBondBelowTwiceFee.selector, BOND, BOND / 2 + 1)
        );
        vm.prank(owner);
        registry.setFee(modelId, BOND / 2 + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryBondBelowTwiceFee.selector, 2 * FEE - 1, FEE)
        );
        vm.prank(owner);
        registry.setMinBond(modelId, 2 * FEE - 1);
    }

    /// Outcomes: 0-2 proof (proposer right, challenger right, neither), 3-5 the same by re-execution, 6 dispute
    /// expiry (the attacker's wrong answer stands), 7-9 arbitration (proposer, challenger, neither), 10 no challenge.
    function _deal(uint96 bond, uint8 outcome, address requester) private returns (Deal memory deal) {
        deal.bond = bond;
        deal.fee = bond / 2;
        deal.requester = requester;
        deal.arbitration = outcome >= 7 && outcome <= 9;
        IModelRegistry.ModelSpec memory spec = deal.arbitration
            ? _spec(
                ModelEncoder.encode(ModelEncoder.smallArgMax()), 1, OutputKind.ArgMax, IInferenceVerifier(address(0))
            )
            : _spec(smallEncoding, 2, OutputKind.Logits, verifier);
        spec.minBond = bond;
        spec.fee = deal.fee;
        vm.prank(owner);
        deal.model = registry.registerModel(spec, deal.arbitration ? bytes("") : smallEncoding);
        deal.input = _input(17, -3);
        if (deal.arbitration) {
            deal.proposed = _one(0);
            deal.claimed = _one(1);
            deal.decided = outcome == 7 ? deal.proposed : outcome == 8 ? deal.claimed : new int256[](0);
            return deal;
        }
        int256[] memory correct = _correct(deal.input);
        uint8 side = outcome < 6 ? outcome % 3 : 1;
        // side 0: the proposer is right; 1: the challenger is; 2: neither.
        deal.proposed = side == 0 ? correct : _wrong(correct);
        deal.claimed = side == 1 ? correct : side == 0 ? _wrong(correct) : _wrong(_wrong(correct));
        deal.decided = correct;
    }

    function _dealRequest(Deal memory deal) private returns (uint256 id, RequestTerms memory terms) {
        terms = _termsFor(deal.model, deal.input, deal.arbitration ? 1 : 2);
        terms.modelId = uint64(deal.model);
        terms.fee = deal.fee;
        terms.bond = deal.bond;
        terms.disputeWindow = deal.arbitration ? ARBITRATION_WINDOW : DISPUTE_WINDOW;
        terms.verifierVersion = deal.arbitration ? 0 : 1;
        terms.requester = deal.requester;
        if (deal.requester == address(consumer)) {
            id = consumer.request(deal.model, deal.input, CALLBACK_GAS, deal.fee);
        } else {
            terms.callbackGasLimit = 0;
            vm.prank(deal.requester);
            id = oracle.requestInference{value: deal.fee}(deal.model, deal.input, 0, 0);
        }
    }

    function _settleDeal(uint8 outcome, uint256 id, RequestTerms memory terms, Proposal memory p, Deal memory deal)
        private
    {
        if (outcome < 3) {
            verifier.setProven(deal.input, deal.decided, true);
            bytes memory proof = _proof(deal.resolver);
            vm.prank(deal.resolver);
            disputes().resolveWithProof(id, terms, p, deal.input, deal.decided, proof);
        } else if (outcome < 6) {
            vm.prank(deal.resolver);
            disputes().resolveByReexecution(id, terms, p, deal.input);
        } else if (outcome == 6) {
            vm.warp(block.timestamp + DISPUTE_WINDOW + 1);
            vm.prank(deal.resolver);
            disputes().expireDispute(id, terms, p, deal.proposed);
        } else {
            vm.prank(deal.resolver);
            disputes().resolveByArbitration(id, terms, p, deal.decided);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // 4. A missed challenge poisons the cache
    // -----------------------------------------------------------------------------------------------------------

    /// An unchallenged wrong answer is cached as Optimistic; a consumer that accepts only proofs is not served it
    /// (and no optimistic proposal can answer it); a proof or a re-execution that contradicts the entry replaces
    /// it; a deprecated model's entries are not served; a proof for a duplicate made while the key's own request
    /// is open is kept, and becomes the entry when that request finalizes with a wrong optimistic answer.
    function test_attack_missedChallengePoisonsCache() public {
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        int256[] memory wrong = _wrong(correct);

        // The missed challenge: a wrong answer finalizes and is cached as Optimistic.
        _finalizeUnchallenged(input, wrong);
        (bool found, bytes32 cachedHash, Provenance prov) = _cached(modelId, input);
        assertTrue(found);
        assertEq(cachedHash, _h(wrong));
        assertEq(uint8(prov), uint8(Provenance.Optimistic), "recorded as optimistic");

        _proofOnlyConsumerIsNotServedAndItsProofReplaces(input);
        (found, cachedHash, prov) = _cached(modelId, input);
        assertEq(cachedHash, _h(correct), "the proof replaced the wrong entry");
        assertEq(uint8(prov), uint8(Provenance.Proof));

        // A weak result never changes it back: an optimistic-only request, answered wrongly and unchallenged.
        uint8 optimisticOnly = uint8(1 << uint8(Provenance.Optimistic));
        uint256 idWeak = consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, optimisticOnly);
        RequestTerms memory termsWeak = _termsFor(modelId, input, 2);
        termsWeak.accepts = optimisticOnly;
        Proposal memory pWeak = _propose(idWeak, termsWeak, wrong);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(idWeak, termsWeak, pWeak, wrong);
        (, cachedHash,) = _cached(modelId, input);
        assertEq(cachedHash, _h(correct), "a weak result does not replace a strong one");

        _reexecutionReplaces();

        // A deprecated model's entries are not served (nor is the model).
        vm.prank(owner);
        registry.setDeprecated(modelId, true);
        (found,,) = _cached(modelId, input);
        assertFalse(found, "deprecated: no cached answer");
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleModelDeprecated.selector, modelId));
        consumer.request(modelId, input, CALLBACK_GAS, FEE);
        vm.prank(owner);
        registry.setDeprecated(modelId, false);

        _proofForDuplicateIsKept();
    }

    function _finalizeUnchallenged(int256[] memory input, int256[] memory output) private returns (uint256 id) {
        RequestTerms memory terms;
        (id, terms) = _request(input);
        Proposal memory p = _propose(id, terms, output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, output);
    }

    /// A consumer that accepts only proofs is not served the optimistic entry: its request stays open, no
    /// optimistic answer can take it, and the proof that answers it replaces the contradicting entry.
    function _proofOnlyConsumerIsNotServedAndItsProofReplaces(int256[] memory input) private {
        uint8 proofOnly = uint8(1 << uint8(Provenance.Proof));
        int256[] memory correct = _correct(input);
        uint256 id = consumer.requestAccepting(modelId, input, CALLBACK_GAS, FEE, proofOnly);
        assertFalse(consumer.answeredDuringRequest(), "not served from the cache");
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Requested));
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.accepts = proofOnly;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleProvenanceNotAccepted.selector, id, Provenance.Optimistic
            )
        );
        vm.prank(proposer);
        oracle.propose(id, terms, _wrong(correct));
        verifier.setProven(input, correct, true);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, _h(input), _h(correct), Provenance.Proof, true);
        vm.prank(stranger);
        oracle.proposeWithProof(id, terms, input, correct, _proof(stranger));
        assertEq(consumer.resultHash(id), _h(correct));
    }

    /// A re-execution replaces a contradicting entry too (anyone may ask for it), once.
    function _reexecutionReplaces() private {
        int256[] memory input = _input(-7, 9);
        int256[] memory correct = _correct(input);
        _finalizeUnchallenged(input, _wrong(correct));
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IOracleEvents.CacheUpdated(modelId, _h(input), _h(correct), Provenance.Reexecution, true);
        vm.prank(stranger);
        disputes().correctCacheByReexecution(modelId, input);
        (, bytes32 cachedHash, Provenance prov) = _cached(modelId, input);
        assertEq(cachedHash, _h(correct));
        assertEq(uint8(prov), uint8(Provenance.Reexecution));
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleNothingToCorrect.selector, modelId, _h(input))
        );
        disputes().correctCacheByReexecution(modelId, input);
    }

    /// The key's own request is open when a duplicate of it is proven: the proven result waits, and becomes the
    /// entry when the key's request finalizes with a wrong optimistic answer (whose requester still gets its own
    /// result).
    function _proofForDuplicateIsKept() private {
        int256[] memory input = _input(33, 44);
        int256[] memory correct = _correct(input);
        int256[] memory wrong = _wrong(correct);
        uint256 keyed = oracle.keyedRequestId(modelId, _h(input));
        (uint256 idKeyed, RequestTerms memory termsKeyed) = _request(input);
        assertEq(idKeyed, keyed);
        (uint256 idDup, RequestTerms memory termsDup) = _request(input);
        assertTrue(idDup != keyed, "a duplicate takes a sequence id");

        verifier.setProven(input, correct, true);
        vm.prank(stranger);
        oracle.proposeWithProof(idDup, termsDup, input, correct, _proof(stranger));
        assertEq(consumer.resultHash(idDup), _h(correct));
        assertEq(oracle.waitingResultHash(keyed), _h(correct), "the proven result waits for the key's request");

        Proposal memory p = _propose(idKeyed, termsKeyed, wrong);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(idKeyed, termsKeyed, p, wrong);
        assertEq(consumer.resultHash(idKeyed), _h(wrong), "the keyed request got its own (unchallenged) answer");
        (bool found, bytes32 cachedHash, Provenance prov) = _cached(modelId, input);
        assertTrue(found);
        assertEq(cachedHash, _h(correct), "the proven result became the entry");
        assertEq(uint8(prov), uint8(Provenance.Proof));
        assertEq(oracle.waitingResultHash(keyed), bytes32(0));
    }

    // -----------------------------------------------------------------------------------------------------------
    // 5. A copied proof takes the fee
    // -----------------------------------------------------------------------------------------------------------

    /// A proof copied from the mempool by another address is rejected by proposeWithProof, resolveWithProof and
    /// correctCacheWithProof; the prover it was made for collects.
    function test_attack_copiedProofTakesFee() public {
        address prover = makeAddr("prover");
        address copier = makeAddr("copier");
        assertEq(_proof(prover), verifier.proofFor(prover));

        // proposeWithProof: the copy is refused, the prover earns the fee.
        (uint256 id, RequestTerms memory terms, int256[] memory input, int256[] memory correct) = _provenRequest(1);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(copier);
        oracle.proposeWithProof(id, terms, input, correct, _proof(prover));
        vm.prank(prover);
        oracle.proposeWithProof(id, terms, input, correct, _proof(prover));
        assertEq(_free(prover), FEE, "the prover earns the fee");
        assertEq(_wealth(copier), 0);

        // resolveWithProof: the copier cannot take the resolver's reward.
        (id, terms, input, correct) = _provenRequest(2);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _wrong(correct)), _h(correct));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, id));
        vm.prank(copier);
        disputes().resolveWithProof(id, terms, d, input, correct, _proof(prover));
        vm.prank(prover);
        disputes().resolveWithProof(id, terms, d, input, correct, _proof(prover));
        (, uint256 resolverReward,) = disputes_().slashSplit(BOND);
        assertEq(oracle.claimableOf(prover), resolverReward, "the prover earns the resolver's reward");
        assertEq(_wealth(copier), 0);

        // correctCacheWithProof: a copied correction is refused as well.
        (id, terms, input, correct) = _provenRequest(3);
        Proposal memory p = _propose(id, terms, _wrong(correct));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, _wrong(correct));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, 0));
        vm.prank(copier);
        disputes().correctCacheWithProof(modelId, input, correct, _proof(prover));
        vm.prank(prover);
        disputes().correctCacheWithProof(modelId, input, correct, _proof(prover));
        (, bytes32 cachedHash,) = _cached(modelId, input);
        assertEq(cachedHash, _h(correct));
    }

    function _provenRequest(int256 seed)
        private
        returns (uint256 id, RequestTerms memory terms, int256[] memory input, int256[] memory correct)
    {
        input = _input(seed, seed);
        correct = _correct(input);
        verifier.setProven(input, correct, true);
        (id, terms) = _request(input);
    }

    // -----------------------------------------------------------------------------------------------------------
    // 6. The arbitrator settles any output
    // -----------------------------------------------------------------------------------------------------------

    /// The arbitrator can only choose one of the two claims (or reject both), and only for models that neither a
    /// proof nor a re-execution can decide.
    function test_attack_arbitratorSettlesAnyOutput() public {
        (uint256 reward,,) = disputes_().slashSplit(BOND);
        int256[] memory input = _input(5, 6);
        (uint256 id, RequestTerms memory terms) = _requestBare(input, CALLBACK_GAS);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _one(0)), _h(_one(1)));

        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleNotAClaim.selector, id, _h(_one(2))));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, _one(2));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleUnauthorizedArbitrator.selector, stranger));
        vm.prank(stranger);
        disputes().resolveByArbitration(id, terms, d, _one(1));
        // It can choose a claim; the side that made it is paid.
        uint256 challengerBefore = _wealth(challenger);
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, _one(1));
        assertEq(_wealth(challenger), challengerBefore + reward + FEE);
        assertEq(consumer.resultHash(id), bytes32(0), "the settlement does not call the consumer");
        assertTrue(oracle.callbackOwed(id));

        // A model with weights and a verifier (the fixture's), one with only a verifier, one with only weights:
        // re-execution or a proof decides, never the arbitrator.
        _arbitrationRefused(modelId, 1);
        vm.startPrank(owner);
        uint256 verifiedOnly = registry.registerModel(_spec(smallEncoding, 2, OutputKind.Logits, verifier), "");
        uint256 weightsOnly = registry.registerModel(
            _spec(smallEncoding, 2, OutputKind.Logits, IInferenceVerifier(address(0))), smallEncoding
        );
        vm.stopPrank();
        _arbitrationRefused(verifiedOnly, 1);
        _arbitrationRefused(weightsOnly, 0);
    }

    function _arbitrationRefused(uint256 m, uint16 version) private {
        int256[] memory input = _input(11, 12);
        RequestTerms memory terms = _termsFor(m, input, 2);
        terms.disputeWindow = DISPUTE_WINDOW;
        terms.verifierVersion = version;
        uint256 id = consumer.request(m, input, CALLBACK_GAS, FEE);
        int256[] memory correct = _correct(input);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _wrong(correct)), _h(correct));
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleArbitrationNotAllowed.selector, id));
        vm.prank(arbitrator);
        disputes().resolveByArbitration(id, terms, d, correct);
    }

    // -----------------------------------------------------------------------------------------------------------
    // 7. A contract operator's stake is stuck
    // -----------------------------------------------------------------------------------------------------------

    /// An operator contract that cannot receive ETH withdraws its stake, and claims its rewards, to an address it
    /// names.
    function test_attack_contractOperatorStakeStuck() public {
        NoReceiveOperator op = new NoReceiveOperator(oracle);
        address payable payee = payable(makeAddr("payee"));
        op.deposit{value: 3 ether}();

        // It earns a fee as proposer and a resolver's reward.
        _operatorContractEarns(op);
        (, uint256 resolverReward,) = disputes_().slashSplit(BOND);
        assertEq(oracle.claimableOf(address(op)), resolverReward);

        uint256 stake = 3 ether + FEE;
        assertEq(_free(address(op)), stake);
        op.requestWithdrawal(stake);
        vm.warp(block.timestamp + UNBONDING_DELAY);
        // To itself the transfer bounces (and nothing is lost: the call reverts)...
        vm.expectRevert(
            abi.encodeWithSelector(IOracleEvents.InferenceOracleTransferFailed.selector, address(op), 1 ether)
        );
        op.withdrawStake(payable(address(op)), 1 ether);
        // ...to the address it names, in parts, it arrives.
        op.withdrawStake(payee, 1 ether);
        op.withdrawStake(payee, stake - 1 ether);
        op.claim(payee);
        assertEq(payee.balance, stake + resolverReward, "stake and rewards reach the named address");
        assertEq(_wealth(address(op)), 0);
    }

    function _operatorContractEarns(NoReceiveOperator op) private {
        int256[] memory input = _defaultInput();
        int256[] memory correct = _correct(input);
        (uint256 id, RequestTerms memory terms) = _request(input);
        op.propose(id, terms, correct);
        Proposal memory p = Proposal(address(op), address(0), _h(correct), bytes32(0));
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, correct);
        input = _input(1, 2);
        correct = _correct(input);
        (id, terms) = _request(input);
        Proposal memory d = _challengeWith(id, terms, _propose(id, terms, _wrong(correct)), _h(correct));
        op.resolveByReexecution(id, terms, d, input);
    }

    // -----------------------------------------------------------------------------------------------------------
    // 8. Governance re-decides an open dispute
    // -----------------------------------------------------------------------------------------------------------

    /// A verifier swap or a change of the windows, the challenge window, the fee or the bond after a request was
    /// made changes neither how its dispute is decided nor when it can be settled or expired.
    function test_attack_governanceRedecidesOpenDispute() public {
        OpenDispute memory x;
        x.input = _defaultInput();
        x.correct = _correct(x.input);
        x.wrong = _wrong(x.correct);
        verifier.setProven(x.input, x.correct, true);
        (x.id, x.terms) = _request(x.input);
        x.d = _challengeWith(x.id, x.terms, _propose(x.id, x.terms, x.wrong), _h(x.correct));
        x.disputedAt = block.timestamp;

        // Governance swaps in a verifier that "proves" the proposer's wrong output, and raises fee and bond.
        TestVerifier rogue = new TestVerifier(keccak256(smallEncoding));
        rogue.setProven(x.input, x.wrong, true);
        vm.startPrank(owner);
        registry.setVerifier(modelId, rogue);
        registry.setMinBond(modelId, 3 ether);
        registry.setFee(modelId, 0.5 ether);
        registry.setChallengeWindow(modelId, 7 days);
        // And shrinks both dispute windows to a minute.
        oracle.setWindows(1 minutes, 1 minutes, UNBONDING_DELAY);
        vm.stopPrank();
        assertEq(oracle.modelCopy(modelId).verifierVersion, 2, "new requests take the new verifier");

        // The dispute is still decided by the request's verifier: the rogue proof of the wrong output fails...
        vm.warp(x.disputedAt + 2 minutes);
        vm.expectRevert(abi.encodeWithSelector(IOracleEvents.InferenceOracleInvalidProof.selector, x.id));
        vm.prank(proposer);
        disputes().resolveWithProof(x.id, x.terms, x.d, x.input, x.wrong, _proof(proposer));
        // ...nor can it be expired before the request's own window ends...
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleEvents.InferenceOracleOutsideWindow.selector,
                x.id,
                x.disputedAt + DISPUTE_WINDOW + 1,
                type(uint40).max
            )
        );
        vm.prank(proposer);
        disputes().expireDispute(x.id, x.terms, x.d, x.wrong);
        // ...and the proof of the right output settles it at the last second of that window, at the old bond.
        (uint256 reward,,) = disputes_().slashSplit(BOND);
        uint256 challengerBefore = _wealth(challenger);
        vm.warp(x.disputedAt + DISPUTE_WINDOW);
        vm.prank(stranger);
        disputes().resolveWithProof(x.id, x.terms, x.d, x.input, x.correct, _proof(stranger));
        assertEq(_wealth(challenger), challengerBefore + reward + FEE, "decided by the old verifier, at the old terms");

        // A proposal made before the change keeps its challenge window; a dispute made before a lengthening keeps
        // its dispute window.
        _windowsFixedAtRequest();
    }

    function _windowsFixedAtRequest() private {
        // Terms as the registry now has them: bond 3 ether, fee 0.5 ether, version 2, challenge window 7 days.
        vm.startPrank(owner);
        registry.setFee(modelId, FEE);
        registry.setMinBond(modelId, BOND);
        registry.setChallengeWindow(modelId, CHALLENGE_WINDOW);
        vm.stopPrank();
        int256[] memory input = _input(21, 22);
        int256[] memory correct = _correct(input);
        RequestTerms memory terms = _termsFor(modelId, input, 2);
        terms.verifierVersion = 2;
        terms.disputeWindow = 1 minutes;
        uint256 id = consumer.request(modelId, input, CALLBACK_GAS, FEE);
        Proposal memory p = _propose(id, terms, correct);
        vm.prank(owner);
        registry.setChallengeWindow(modelId, 7 days);
        // Finalizable when the request's own challenge window ends, not a week later.
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(id, terms, p, correct);

        int256[] memory input2 = _input(23, 24);
        int256[] memory correct2 = _correct(input2);
        RequestTerms memory terms2 = _termsFor(modelId, input2, 2);
        terms2.verifierVersion = 2;
        terms2.disputeWindow = 1 minutes;
        terms2.challengeWindow = 7 days;
        uint256 id2 = consumer.request(modelId, input2, CALLBACK_GAS, FEE);
        Proposal memory d2 = _challengeWith(id2, terms2, _propose(id2, terms2, correct2), _h(_wrong(correct2)));
        uint256 disputedAt = block.timestamp;
        vm.prank(owner);
        oracle.setWindows(30 days, 30 days, 38 days);
        // The dispute still ends a minute after it started.
        vm.warp(disputedAt + 1 minutes + 1);
        vm.prank(stranger);
        disputes().expireDispute(id2, terms2, d2, correct2);
        assertEq(uint8(oracle.requestState(id2)), uint8(RequestState.Finalized));
    }

    // -----------------------------------------------------------------------------------------------------------
    // 9. The Automation scan misses old entries
    // -----------------------------------------------------------------------------------------------------------

    /// 600 proposals scheduled (more than `DEFAULT_SCAN`), the first 520 finalized directly, one challenged: the
    /// scan of the first 512 entries finds the dead ones and prunes them, which brings the live ones into the scan,
    /// so repeated upkeeps finalize every matured proposal and leave nothing scheduled.
    struct Scheduled {
        uint256[] ids;
        RequestTerms[] terms;
        Proposal[] props;
        int256[][] outputs;
    }

    function test_attack_automationScanMissesOldEntries() public {
        OracleAutomation automation = new OracleAutomation(oracle);
        uint256 n = 600;
        assertGt(n, automation.DEFAULT_SCAN());
        Scheduled memory sch = _scheduleMany(automation, n);
        assertEq(automation.scheduledCount(), n);
        // The last one is challenged (it must be pruned, not stuck).
        _challenge(sch.ids[n - 1], sch.terms[n - 1], sch.props[n - 1]);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        // The first 520 are finalized directly: the first 512 entries the default scan looks at are all dead.
        for (uint256 k = 0; k < 520; ++k) {
            oracle.finalize(sch.ids[k], sch.terms[k], sch.props[k], sch.outputs[k]);
        }

        uint256 rounds;
        uint256 maxRounds = n / automation.MAX_BATCH() + 1;
        while (true) {
            (bool needed, bytes memory performData) = automation.checkUpkeep("");
            if (!needed) break;
            automation.performUpkeep(performData);
            ++rounds;
            assertLe(rounds, maxRounds, "every upkeep makes progress");
        }
        assertEq(automation.scheduledCount(), 0, "nothing left scheduled");
        for (uint256 k = 0; k < n - 1; ++k) {
            assertEq(uint8(oracle.requestState(sch.ids[k])), uint8(RequestState.Finalized), "matured one finalized");
            assertFalse(automation.isScheduled(sch.ids[k]));
        }
        assertEq(uint8(oracle.requestState(sch.ids[n - 1])), uint8(RequestState.Disputed));
        assertFalse(automation.isScheduled(sch.ids[n - 1]), "the challenged one was pruned");
        assertEq(consumer.results(), n - 1, "one callback per finalized request");
    }

    function _scheduleMany(OracleAutomation automation, uint256 n) private returns (Scheduled memory sch) {
        _stake(proposer, n * BOND);
        sch.ids = new uint256[](n);
        sch.terms = new RequestTerms[](n);
        sch.props = new Proposal[](n);
        sch.outputs = new int256[][](n);
        for (uint256 k = 0; k < n; ++k) {
            int256[] memory input = _input(int256(k) - 500, 0);
            sch.outputs[k] = _correct(input);
            (sch.ids[k], sch.terms[k]) = _request(input);
            sch.props[k] = _propose(sch.ids[k], sch.terms[k], sch.outputs[k]);
            automation.scheduleFinalization(sch.ids[k], sch.terms[k], sch.props[k], sch.outputs[k]);
        }
    }

    function disputes_() private view returns (IDisputesSplit) {
        return IDisputesSplit(address(oracle));
    }
}

/// @notice The dispute module's public constant and split, answered at the oracle's address.
interface IDisputesSplit {
    function slashSplit(uint256 bond) external pure returns (uint256 reward, uint256 resolverReward, uint256 toTreasury);
}
