// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {LinkToken} from "@chainlink/contracts/src/v0.8/shared/token/ERC677/LinkToken.sol";
import {ChainlinkClient} from "@chainlink/contracts/src/v0.8/operatorforwarder/ChainlinkClient.sol";
import {Chainlink} from "@chainlink/contracts/src/v0.8/operatorforwarder/Chainlink.sol";

/// @dev The part of Chainlink's Operator (0.8.19, deployed by artifact) that the benchmark calls.
interface IBenchOperator {
    function setAuthorizedSenders(address[] calldata senders) external;
    function fulfillOracleRequest2(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes calldata data
    ) external returns (bool);
}

/// @dev A minimal direct-request consumer: `request` sends LINK with `transferAndCall` to the Operator's
/// `oracleRequest`; the callback records the fulfilment (ChainlinkClient's modifier) and does nothing else.
contract BenchChainlinkConsumer is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    constructor(address link, address operator) {
        _setChainlinkToken(link);
        _setChainlinkOracle(operator);
    }

    function request(bytes32 specId, uint256 payment) external returns (bytes32) {
        Chainlink.Request memory req = _buildChainlinkRequest(specId, address(this), this.fulfill.selector);
        return _sendChainlinkRequest(req, payment);
    }

    function fulfill(bytes32 requestId, int256) external recordChainlinkFulfillment(requestId) {}
}

/// @dev Same, but the callback keeps the result in one storage slot: the like-for-like counterpart of our
/// finalization, which writes the result into the on-chain cache.
contract BenchChainlinkStoringConsumer is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    mapping(bytes32 requestId => int256) public results;

    constructor(address link, address operator) {
        _setChainlinkToken(link);
        _setChainlinkOracle(operator);
    }

    function request(bytes32 specId, uint256 payment) external returns (bytes32) {
        Chainlink.Request memory req = _buildChainlinkRequest(specId, address(this), this.fulfill.selector);
        return _sendChainlinkRequest(req, payment);
    }

    function fulfill(bytes32 requestId, int256 value) external recordChainlinkFulfillment(requestId) {
        results[requestId] = value;
    }
}

/// @notice Chainlink's direct-request cycle, measured for the gas table (bench/results/gas.md).
contract ChainlinkCycleBench is Test {
    uint256 internal constant PAYMENT = 0.1 ether;
    bytes32 internal constant SPEC_ID = keccak256("vai-bench-job");
    uint256 internal constant EXPIRY_TIME = 5 minutes;

    LinkToken internal link;
    IBenchOperator internal operator;
    BenchChainlinkConsumer internal consumer;
    BenchChainlinkStoringConsumer internal storingConsumer;
    address internal node = makeAddr("node");

    function setUp() public {
        link = new LinkToken();
        link.grantMintRole(address(this));
        operator = IBenchOperator(deployCode("Operator.sol:Operator", abi.encode(address(link), address(this))));
        address[] memory senders = new address[](1);
        senders[0] = node;
        operator.setAuthorizedSenders(senders);
        consumer = new BenchChainlinkConsumer(address(link), address(operator));
        link.mint(address(consumer), 1000 ether);
        storingConsumer = new BenchChainlinkStoringConsumer(address(link), address(operator));
        link.mint(address(storingConsumer), 1000 ether);
        // Steady state: the operator already holds LINK from earlier requests.
        link.mint(address(operator), 1 ether);
    }

    function test_bench_chainlinkDirectRequestCycle() public {
        vm.startSnapshotGas("chainlink", "request");
        bytes32 requestId = consumer.request(SPEC_ID, PAYMENT);
        uint256 requestGas = vm.stopSnapshotGas();
        uint256 expiration = block.timestamp + EXPIRY_TIME;

        bytes memory data = abi.encode(requestId, int256(7));
        bytes4 selector = consumer.fulfill.selector;
        vm.prank(node);
        vm.startSnapshotGas("chainlink", "fulfillOracleRequest2");
        bool ok = operator.fulfillOracleRequest2(requestId, PAYMENT, address(consumer), selector, expiration, data);
        uint256 fulfillGas = vm.stopSnapshotGas();
        assertTrue(ok, "callback failed");
        vm.snapshotValue("chainlink", "cycle", requestGas + fulfillGas);
    }

    function test_bench_chainlinkCycleStoringResult() public {
        vm.startSnapshotGas("chainlink", "requestStoringConsumer");
        bytes32 requestId = storingConsumer.request(SPEC_ID, PAYMENT);
        uint256 requestGas = vm.stopSnapshotGas();
        uint256 expiration = block.timestamp + EXPIRY_TIME;
        bytes memory data = abi.encode(requestId, int256(7));
        bytes4 selector = storingConsumer.fulfill.selector;
        vm.prank(node);
        vm.startSnapshotGas("chainlink", "fulfillOracleRequest2StoringConsumer");
        operator.fulfillOracleRequest2(requestId, PAYMENT, address(storingConsumer), selector, expiration, data);
        uint256 fulfillGas = vm.stopSnapshotGas();
        assertEq(storingConsumer.results(requestId), 7);
        vm.snapshotValue("chainlink", "cycleStoringResult", requestGas + fulfillGas);
    }
}
