// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleSteps} from "./OracleSteps.sol";
import {MockConsumer} from "../utils/MockConsumer.sol";
import {OracleAutomation} from "../../../src-sol/periphery/OracleAutomation.sol";
import {RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice The Chainlink Automation periphery: proposals scheduled with what finalizing them needs, finalized in
/// bounded batches once matured, and pruned when they moved on.
contract AutomationTest is OracleSteps {
    OracleAutomation internal automation;

    struct Entry {
        uint256 id;
        RequestTerms terms;
        Proposal proposal;
        int256[] output;
    }

    function setUp() public override {
        super.setUp();
        automation = new OracleAutomation(oracle);
        _stake(proposer, 40 ether);
    }

    /// @dev A proposal on input `(a, b)` by `requester`'s consumer with its callback gas limit, scheduled.
    function _scheduled(MockConsumer requester, int256 a, int256 b, uint32 gasLimit) internal returns (Entry memory e) {
        int256[] memory input = _input(a, b);
        e.output = _correct(input);
        e.terms = _termsFor(modelId, input, 2);
        e.terms.requester = address(requester);
        e.terms.callbackGasLimit = gasLimit;
        e.id = requester.request(modelId, input, gasLimit, FEE);
        e.proposal = _propose(e.id, e.terms, e.output);
        automation.scheduleFinalization(e.id, e.terms, e.proposal, e.output);
    }

    function _scheduled(int256 a, int256 b) internal returns (Entry memory) {
        return _scheduled(consumer, a, b, CALLBACK_GAS);
    }

    function _ids(bytes memory performData) internal pure returns (uint256[] memory) {
        return abi.decode(performData, (uint256[]));
    }

    function _one(uint256 id) internal pure returns (bytes memory) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        return abi.encode(ids);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scheduling
    // ---------------------------------------------------------------------------------------------------------

    function test_scheduleFinalization_storesAndEmits() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationScheduled(id);
        vm.prank(stranger);
        automation.scheduleFinalization(id, terms, p, output);
        assertTrue(automation.isScheduled(id));
        assertEq(automation.scheduledCount(), 1);
        // Scheduling again keeps one entry.
        automation.scheduleFinalization(id, terms, p, output);
        assertEq(automation.scheduledCount(), 1);
    }

    function test_scheduleFinalization_revertsIfNotProposed() public {
        (uint256 id, RequestTerms memory terms) = _request(_defaultInput());
        Proposal memory none = Proposal(address(0), address(0), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(OracleAutomation.OracleAutomationNotProposed.selector, id));
        automation.scheduleFinalization(id, terms, none, new int256[](2));
    }

    function test_scheduleFinalization_revertsIfTermsOrProposalDiffer() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        RequestTerms memory otherTerms = terms;
        otherTerms.callbackGasLimit = 1;
        vm.expectRevert(abi.encodeWithSelector(OracleAutomation.OracleAutomationNotProposed.selector, id));
        automation.scheduleFinalization(id, otherTerms, p, output);
        Proposal memory otherProposal = p;
        otherProposal.proposer = stranger;
        vm.expectRevert(abi.encodeWithSelector(OracleAutomation.OracleAutomationNotProposed.selector, id));
        automation.scheduleFinalization(id, terms, otherProposal, output);
    }

    function test_scheduleFinalization_revertsIfDisputed() public {
        (uint256 id, RequestTerms memory terms, Proposal memory d, int256[] memory correct) = _disputed(true);
        vm.expectRevert(abi.encodeWithSelector(OracleAutomation.OracleAutomationNotProposed.selector, id));
        automation.scheduleFinalization(id, terms, d, correct);
    }

    function test_scheduleFinalization_revertsIfOutputDiffers() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id, RequestTerms memory terms, Proposal memory p) = _requestAndPropose(output);
        vm.expectRevert(abi.encodeWithSelector(OracleAutomation.OracleAutomationOutputMismatch.selector, id));
        automation.scheduleFinalization(id, terms, p, _wrong(output));
    }

    // ---------------------------------------------------------------------------------------------------------
    // checkUpkeep / performUpkeep
    // ---------------------------------------------------------------------------------------------------------

    function test_checkUpkeep_nothingOnAnEmptySchedule() public view {
        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertFalse(needed);
        assertEq(_ids(performData).length, 0);
    }

    function test_checkUpkeep_returnsMaturedEntriesAndPerformFinalizesThem() public {
        Entry memory e = _scheduled(1, 2);
        (bool needed,) = automation.checkUpkeep("");
        assertFalse(needed, "window still open");
        vm.warp(block.timestamp + CHALLENGE_WINDOW - 1);
        (needed,) = automation.checkUpkeep("");
        assertFalse(needed, "one second before the end");
        vm.warp(block.timestamp + 1);
        bytes memory performData;
        (needed, performData) = automation.checkUpkeep(abi.encode(uint256(0), uint256(10)));
        assertTrue(needed);
        uint256[] memory ids = _ids(performData);
        assertEq(ids.length, 1);
        assertEq(ids[0], e.id);
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationUnscheduled(e.id, true);
        automation.performUpkeep(performData);
        _assertState(e.id, RequestState.Finalized);
        assertEq(consumer.lastOutput(), e.output);
        assertFalse(automation.isScheduled(e.id));
        assertEq(_free(proposer), 50 ether + FEE, "the proposer is paid as by a direct finalize");
        // A second run skips what is no longer scheduled.
        automation.performUpkeep(performData);
        assertEq(consumer.results(), 1);
        (needed,) = automation.checkUpkeep("");
        assertFalse(needed);
    }

    function test_checkUpkeep_boundsTheBatch() public {
        uint256 n = automation.MAX_BATCH() + 2;
        for (uint256 k = 0; k < n; ++k) {
            _scheduled(int256(k), 0);
        }
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertTrue(needed);
        assertEq(_ids(performData).length, automation.MAX_BATCH());
        automation.performUpkeep(performData);
        assertEq(automation.scheduledCount(), 2);
        (, performData) = automation.checkUpkeep("");
        assertEq(_ids(performData).length, 2, "the rest in the next upkeep");
        automation.performUpkeep(performData);
        assertEq(automation.scheduledCount(), 0);
        assertEq(consumer.results(), n);
    }

    function test_checkUpkeep_capsTheScanRange() public {
        Entry memory e = _scheduled(1, 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        assertEq(automation.scheduledCount(), 1);
        // A range that starts after its index finds nothing; a huge count is capped and still finds it.
        (bool needed,) = automation.checkUpkeep(abi.encode(uint256(1), uint256(10)));
        assertFalse(needed);
        (needed,) = automation.checkUpkeep(abi.encode(uint256(0), type(uint256).max - 1));
        assertTrue(needed);
        // Out-of-range starts neither overflow nor revert.
        (needed,) = automation.checkUpkeep(abi.encode(type(uint256).max, type(uint256).max));
        assertFalse(needed);
        bytes memory performData;
        (needed, performData) = automation.checkUpkeep(abi.encode(uint256(0), uint256(5)));
        assertTrue(needed);
        assertEq(_ids(performData)[0], e.id);
    }

    function test_checkUpkeep_scansOnlyTheGivenRange() public {
        _scheduled(1, 2);
        Entry memory second = _scheduled(3, 4);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (, bytes memory performData) = automation.checkUpkeep(abi.encode(uint256(1), uint256(1)));
        uint256[] memory ids = _ids(performData);
        assertEq(ids.length, 1);
        assertEq(ids[0], second.id);
    }

    function test_performUpkeep_prunesEntriesThatMovedOn() public {
        Entry memory a = _scheduled(1, 2);
        Entry memory challenged = _scheduled(3, 4);
        Entry memory done = _scheduled(5, 6);
        _challenge(challenged.id, challenged.terms, challenged.proposal);
        // Before the window ends only the challenged entry can be acted on: it is pruned.
        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertTrue(needed);
        uint256[] memory ids = _ids(performData);
        assertEq(ids.length, 1);
        assertEq(ids[0], challenged.id);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        oracle.finalize(done.id, done.terms, done.proposal, done.output);
        (, performData) = automation.checkUpkeep("");
        assertEq(_ids(performData).length, 3);
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationUnscheduled(a.id, true);
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationUnscheduled(challenged.id, false);
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationUnscheduled(done.id, false);
        automation.performUpkeep(performData);
        assertEq(automation.scheduledCount(), 0);
        _assertState(a.id, RequestState.Finalized);
        _assertState(challenged.id, RequestState.Disputed);
        assertEq(consumer.callbackCount(done.id), 1, "finalized once, directly");
    }

    function test_performUpkeep_pruningKeepsTheOtherEntriesReachable() public {
        Entry memory a = _scheduled(1, 2);
        Entry memory b = _scheduled(3, 4);
        Entry memory c = _scheduled(5, 6);
        // Prune the first entry (swap and pop moves the last one into its place).
        _challenge(a.id, a.terms, a.proposal);
        automation.performUpkeep(_one(a.id));
        assertFalse(automation.isScheduled(a.id));
        assertTrue(automation.isScheduled(b.id));
        assertTrue(automation.isScheduled(c.id));
        assertEq(automation.scheduledCount(), 2);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (, bytes memory performData) = automation.checkUpkeep("");
        assertEq(_ids(performData).length, 2);
        automation.performUpkeep(performData);
        _assertState(b.id, RequestState.Finalized);
        _assertState(c.id, RequestState.Finalized);
        assertEq(automation.scheduledCount(), 0);
    }

    function test_performUpkeep_skipsUnscheduledAndUnknownIds() public {
        int256[] memory output = _correct(_defaultInput());
        (uint256 id,,) = _requestAndPropose(output);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        uint256[] memory ids = new uint256[](2);
        ids[0] = id;
        ids[1] = 999;
        automation.performUpkeep(abi.encode(ids));
        _assertState(id, RequestState.Proposed);
    }

    function test_performUpkeep_skipsEntriesNotYetMatured() public {
        Entry memory e = _scheduled(1, 2);
        automation.performUpkeep(_one(e.id));
        _assertState(e.id, RequestState.Proposed);
        assertTrue(automation.isScheduled(e.id));
    }

    function test_performUpkeep_dropsAnEntryWhoseFinalizationFails() public {
        Entry memory e = _scheduled(1, 2);
        Entry memory other = _scheduled(3, 4);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        vm.mockCallRevert(
            address(oracle), abi.encodeCall(oracle.finalize, (e.id, e.terms, e.proposal, e.output)), "finalize fails"
        );
        (, bytes memory performData) = automation.checkUpkeep("");
        vm.expectEmit(address(automation));
        emit OracleAutomation.FinalizationUnscheduled(e.id, false);
        automation.performUpkeep(performData);
        vm.clearMockedCalls();
        assertFalse(automation.isScheduled(e.id), "dropped, so it cannot fail the batch forever");
        _assertState(e.id, RequestState.Proposed);
        _assertState(other.id, RequestState.Finalized);
        // Anyone can still finalize it directly.
        oracle.finalize(e.id, e.terms, e.proposal, e.output);
        _assertState(e.id, RequestState.Finalized);
    }

    function test_checkUpkeep_gasCapSkipsATooExpensiveEntryWithoutBlockingOthers() public {
        uint32 maxGas = oracle.MAX_CALLBACK_GAS_LIMIT();
        Entry memory big1 = _scheduled(consumer, 1, 2, maxGas);
        Entry memory big2 = _scheduled(consumer, 3, 4, maxGas);
        Entry memory small = _scheduled(5, 6);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (bool needed, bytes memory performData) = automation.checkUpkeep("");
        assertTrue(needed);
        uint256[] memory ids = _ids(performData);
        assertEq(ids.length, 2, "two large callbacks do not fit one upkeep");
        assertEq(ids[0], big1.id);
        assertEq(ids[1], small.id, "a cheaper entry behind the skipped one still goes");
        automation.performUpkeep(performData);
        _assertState(big1.id, RequestState.Finalized);
        _assertState(small.id, RequestState.Finalized);
        _assertState(big2.id, RequestState.Proposed);
        (, performData) = automation.checkUpkeep("");
        ids = _ids(performData);
        assertEq(ids.length, 1);
        assertEq(ids[0], big2.id, "the skipped entry goes next time");
    }

    function test_performUpkeep_consumerBurningGasCannotBlockTheBatch() public {
        MockConsumer burner = new MockConsumer(address(oracle));
        vm.deal(address(burner), 1 ether);
        burner.setMode(MockConsumer.Mode.BurnGas);
        Entry memory burning = _scheduled(burner, 1, 2, CALLBACK_GAS);
        Entry memory fine = _scheduled(3, 4);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (, bytes memory performData) = automation.checkUpkeep("");
        assertEq(_ids(performData).length, 2);
        automation.performUpkeep(performData);
        _assertState(burning.id, RequestState.Finalized);
        assertTrue(oracle.callbackOwed(burning.id), "its callback is owed");
        _assertState(fine.id, RequestState.Finalized);
        assertEq(consumer.callbackCount(fine.id), 1);
        assertEq(automation.scheduledCount(), 0);
    }

    function test_performUpkeep_stopsWhenItsGasRunsOut() public {
        Entry memory a = _scheduled(1, 2);
        Entry memory b = _scheduled(3, 4);
        vm.warp(block.timestamp + CHALLENGE_WINDOW);
        (, bytes memory performData) = automation.checkUpkeep("");
        // Enough for one finalization's allowance, not for two.
        automation.performUpkeep{gas: 550_000}(performData);
        _assertState(a.id, RequestState.Finalized);
        _assertState(b.id, RequestState.Proposed);
        assertTrue(automation.isScheduled(b.id), "left for the next upkeep, not dropped");
    }
}
