// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {
    AutomationCompatibleInterface
} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

import {InferenceOracle} from "../oracle/InferenceOracle.sol";
import {RequestState, RequestTerms, Proposal} from "../types/InferenceTypes.sol";
import {RequestWord} from "../libraries/RequestWord.sol";

/// @title OracleAutomation
/// @notice Chainlink Automation for the oracle, outside its core: finalizes scheduled proposals once their window
/// has passed. The oracle stores only commitments and a view cannot read logs, so whoever wants a proposal
/// finalized by Automation schedules it here once with its terms, proposal and output (checked against the
/// oracle's commitment); the optimistic hot path stores nothing extra.
/// @dev Each upkeep finalizes at most `MAX_BATCH` requests whose callback gas, plus a finalization allowance, fits
/// `MAX_BATCH_GAS`; a request that does not fit is left for a later upkeep rather than starving the batch, and one
/// whose finalization fails is dropped from the schedule (anyone can still finalize it directly), so a consumer can
/// never make the same batch fail forever. Finalized and no-longer-proposed entries are pruned (swap and pop), so
/// the scan always starts at live entries.
contract OracleAutomation is AutomationCompatibleInterface {
    /// @notice Most requests finalized in one upkeep.
    uint256 public constant MAX_BATCH = 16;
    /// @notice Most gas one upkeep's finalizations may need in total (callbacks included).
    uint256 public constant MAX_BATCH_GAS = 8_000_000;
    /// @notice Entries scanned by `checkUpkeep` when `checkData` is empty, and at most.
    uint256 public constant DEFAULT_SCAN = 512;
    uint256 public constant MAX_SCAN = 2_048;
    /// @notice Gas a finalization needs besides the callback: the proxy hop, the word, events, and 22,100 for each
    /// word of a cached output's tail (four values a word).
    uint256 public constant FINALIZE_GAS_BASE = 120_000;
    uint256 public constant FINALIZE_GAS_PER_VALUE = 6_000;

    /// @notice The oracle this contract finalizes for.
    InferenceOracle public immutable oracle;

    mapping(uint256 requestId => bytes record) private _records;
    mapping(uint256 requestId => uint256 indexPlusOne) private _index;
    uint256[] private _ids;

    /// @notice Thrown when the supplied terms, proposal and output are not those of a Proposed request.
    error OracleAutomationNotProposed(uint256 requestId);
    /// @notice Thrown when the supplied output does not hash to the proposal's.
    error OracleAutomationOutputMismatch(uint256 requestId);
    /// @notice Thrown when a finalization would need more gas than Automation pays for one request.
    error OracleAutomationTooExpensive(uint256 requestId, uint256 gasNeeded, uint256 maxGas);

    /// @notice Emitted when a proposal is scheduled for finalization.
    event FinalizationScheduled(uint256 indexed requestId);
    /// @notice Emitted when a scheduled entry leaves the schedule: `finalized` false when its finalization failed
    /// or the request had already moved on (challenged, finalized).
    event FinalizationUnscheduled(uint256 indexed requestId, bool finalized);

    constructor(InferenceOracle oracle_) {
        oracle = oracle_;
    }

    /// @notice Stores what finalizing `requestId` needs (anyone may call it; the caller pays the storage). A proposal
    /// whose finalization could never fit one upkeep's gas (`MAX_BATCH_GAS`) is refused here rather than skipped
    /// forever. Whoever funds the upkeep pays the callbacks of what is scheduled, up to `MAX_BATCH_GAS` an upkeep
    /// (docs/PROTOCOL.md, "Chainlink Automation").
    function scheduleFinalization(
        uint256 requestId,
        RequestTerms calldata terms,
        Proposal calldata proposal,
        int256[] calldata output
    ) external {
        (RequestState state,, uint256 commitment) = oracle.requestRecord(requestId);
        if (state != RequestState.Proposed || commitment != oracle.commitmentOf(requestId, terms, proposal)) {
            revert OracleAutomationNotProposed(requestId);
        }
        if (keccak256(abi.encodePacked(output)) != proposal.outputHash) {
            revert OracleAutomationOutputMismatch(requestId);
        }
        uint256 needed = _gasFor(terms);
        if (needed > MAX_BATCH_GAS) revert OracleAutomationTooExpensive(requestId, needed, MAX_BATCH_GAS);
        if (_index[requestId] == 0) {
            _ids.push(requestId);
            _index[requestId] = _ids.length;
        }
        _records[requestId] = abi.encode(terms, proposal, output);
        emit FinalizationScheduled(requestId);
    }

    /// @notice Returns scheduled requests to act on: finalizable ones whose gas fits the batch, and entries that
    /// can be pruned.
    /// @param checkData Empty (scan the first `DEFAULT_SCAN` entries) or `abi.encode(uint256 first, uint256 count)`
    /// (count capped at `MAX_SCAN`).
    /// @return upkeepNeeded Whether any entry can be acted on.
    /// @return performData `abi.encode(uint256[] requestIds)`.
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData) {
        uint256 first;
        uint256 count = DEFAULT_SCAN;
        if (checkData.length != 0) {
            (first, count) = abi.decode(checkData, (uint256, uint256));
            if (count > MAX_SCAN) count = MAX_SCAN;
        }
        uint256 total = _ids.length;
        uint256 end = first >= total ? first : (total - first > count ? first + count : total);
        uint256[] memory ids = new uint256[](MAX_BATCH);
        uint256 found;
        uint256 gasBudget = MAX_BATCH_GAS;
        for (uint256 k = first; k < end && found < MAX_BATCH; ++k) {
            uint256 id = _ids[k];
            uint256 word = oracle.requestWord(id);
            if (!_stillProposed(word)) {
                ids[found++] = id;
            } else if (oracle.isMatured(word)) {
                uint256 needed = _gasNeeded(id);
                if (needed <= gasBudget) {
                    gasBudget -= needed;
                    ids[found++] = id;
                }
            }
        }
        assembly ("memory-safe") {
            mstore(ids, found)
        }
        return (found != 0, abi.encode(ids));
    }

    /// @notice Finalizes or prunes the scheduled requests in `performData`, skipping any that cannot be acted on.
    function performUpkeep(bytes calldata performData) external {
        uint256[] memory ids = abi.decode(performData, (uint256[]));
        for (uint256 k = 0; k < ids.length; ++k) {
            uint256 id = ids[k];
            if (_index[id] == 0) continue;
            uint256 word = oracle.requestWord(id);
            if (!_stillProposed(word)) {
                _unschedule(id, false);
                continue;
            }
            if (!oracle.isMatured(word)) continue;
            uint256 needed = _gasNeeded(id);
            if (gasleft() < needed + needed / 63 + 50_000) break;
            (RequestTerms memory terms, Proposal memory proposal, int256[] memory output) =
                abi.decode(_records[id], (RequestTerms, Proposal, int256[]));
            bool finalized;
            try oracle.finalize{gas: needed}(id, terms, proposal, output) {
                finalized = true;
            } catch {}
            _unschedule(id, finalized);
        }
    }

    /// @notice Whether `requestId` is scheduled.
    function isScheduled(uint256 requestId) external view returns (bool) {
        return _index[requestId] != 0;
    }

    /// @notice The number of scheduled entries (the range `checkUpkeep` scans).
    function scheduledCount() external view returns (uint256) {
        return _ids.length;
    }

    function _stillProposed(uint256 word) private pure returns (bool) {
        return word != 0 && RequestWord.state(word) == RequestState.Proposed;
    }

    function _gasNeeded(uint256 requestId) private view returns (uint256) {
        (RequestTerms memory terms,,) = abi.decode(_records[requestId], (RequestTerms, Proposal, int256[]));
        return _gasFor(terms);
    }

    function _gasFor(RequestTerms memory terms) private pure returns (uint256) {
        return FINALIZE_GAS_BASE + uint256(terms.outputLength) * FINALIZE_GAS_PER_VALUE + terms.callbackGasLimit
            + terms.callbackGasLimit / 63;
    }

    function _unschedule(uint256 requestId, bool finalized) private {
        uint256 index = _index[requestId] - 1;
        uint256 last = _ids[_ids.length - 1];
        _ids[index] = last;
        _index[last] = index + 1;
        _ids.pop();
        delete _index[requestId];
        delete _records[requestId];
        emit FinalizationUnscheduled(requestId, finalized);
    }
}
