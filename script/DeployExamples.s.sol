// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {CreditLineLender} from "../src-sol/examples/CreditLineLender.sol";
import {ProposalScreener} from "../src-sol/examples/ProposalScreener.sol";
import {ContentModerator} from "../src-sol/examples/ContentModerator.sol";
import {QualityInspector} from "../src-sol/examples/QualityInspector.sol";
import {ProposalTagger} from "../src-sol/examples/ProposalTagger.sol";

/// @notice Deploys the four example apps (docs/EXAMPLES.md) behind ERC1967 (UUPS) proxies, against an oracle whose
/// registry already holds their models.
///
/// Usage: `npx forge script script/DeployExamples.s.sol --rpc-url $RPC_URL --broadcast --private-key $KEY`
///
/// Environment: ORACLE, CREDIT_MODEL_ID, PROPOSALS_MODEL_ID, MODERATION_MODEL_ID, IMAGE_MODEL_ID (the
/// QualityInspector's image classifier) (required); IMAGE_PIXEL_COUNT (its input length, default 784: a 28×28
/// Fashion-MNIST image; 64 for the 8×8 digits model); CREDIT_SCALE_BITS (the credit model's `scaleBits`, default 13: the policy thresholds are log-odds at that scale),
/// OWNER (default: the broadcaster; hand the apps to the timelock later with `transferOwnership`),
/// TAGGER_MODEL_ID (the language model of the ProposalTagger; absent or 0: the tagger is not deployed),
/// CALLBACK_GAS_LIMIT (default 150000, at most the oracle's `MAX_CALLBACK_GAS_LIMIT`), and, applied only when the broadcaster is the owner, LENDER_LIQUIDITY (wei
/// deposited into the lender's pool) and INSPECTOR (an address approved as inspection station). DEPLOYMENT_OUT: a
/// JSON file to write the addresses to; they are always printed as one JSON line prefixed with `EXAMPLES `.
/// Afterwards the owner changes an app's model or callback gas limit with `setModel` / `setCallbackGasLimit`, which
/// every app inherits from KeyedInferenceConsumer (the initializer applies the same checks).
contract DeployExamples is Script {
    uint32 internal constant DEFAULT_CALLBACK_GAS_LIMIT = 150_000;
    uint256 internal constant DEFAULT_CREDIT_SCALE_BITS = 13;
    uint256 internal constant DEFAULT_IMAGE_PIXEL_COUNT = 784;

    struct Config {
        address owner;
        address oracle;
        uint256 creditModelId;
        uint256 proposalsModelId;
        uint256 moderationModelId;
        uint256 imageModelId;
        uint16 imagePixelCount;
        uint8 creditScaleBits;
        uint32 callbackGasLimit;
    }

    struct Deployment {
        address creditLineLender;
        address proposalScreener;
        address contentModerator;
        address qualityInspector;
        /// @dev Zero unless TAGGER_MODEL_ID is set.
        address proposalTagger;
    }

    function run() external returns (Deployment memory d) {
        Config memory c = Config({
            owner: vm.envOr("OWNER", msg.sender),
            oracle: vm.envAddress("ORACLE"),
            creditModelId: vm.envUint("CREDIT_MODEL_ID"),
            proposalsModelId: vm.envUint("PROPOSALS_MODEL_ID"),
            moderationModelId: vm.envUint("MODERATION_MODEL_ID"),
            imageModelId: vm.envUint("IMAGE_MODEL_ID"),
            imagePixelCount: uint16(vm.envOr("IMAGE_PIXEL_COUNT", DEFAULT_IMAGE_PIXEL_COUNT)),
            creditScaleBits: uint8(vm.envOr("CREDIT_SCALE_BITS", DEFAULT_CREDIT_SCALE_BITS)),
            callbackGasLimit: uint32(vm.envOr("CALLBACK_GAS_LIMIT", uint256(DEFAULT_CALLBACK_GAS_LIMIT)))
        });
        uint256 liquidity = vm.envOr("LENDER_LIQUIDITY", uint256(0));
        address station = vm.envOr("INSPECTOR", address(0));

        uint256 taggerModelId = vm.envOr("TAGGER_MODEL_ID", uint256(0));

        vm.startBroadcast();
        d = deploy(c);
        if (taggerModelId != 0) d.proposalTagger = deployTagger(c, taggerModelId);
        if (c.owner == msg.sender) {
            if (liquidity != 0) CreditLineLender(payable(d.creditLineLender)).depositLiquidity{value: liquidity}();
            if (station != address(0)) QualityInspector(payable(d.qualityInspector)).setInspector(station, true);
        }
        vm.stopBroadcast();

        string memory json = toJson(d);
        console.log(string.concat("EXAMPLES ", json));
        string memory out = vm.envOr("DEPLOYMENT_OUT", string(""));
        if (bytes(out).length != 0) vm.writeJson(json, out);
    }

    /// @notice The default credit policy: p(default) <= 12% (log-odds <= -2) gets 1 ether, <= 50% gets 0.25 ether.
    function defaultPolicy(uint8 scaleBits) public pure returns (CreditLineLender.CreditPolicy memory) {
        return CreditLineLender.CreditPolicy({
            lowRiskMaxScore: -int64(int256(uint256(2) << scaleBits)),
            mediumRiskMaxScore: 0,
            lowRiskLimit: 1 ether,
            mediumRiskLimit: 0.25 ether
        });
    }

    /// @notice Deploys the implementations and proxies (no broadcast handling: callable from tests).
    function deploy(Config memory c) public returns (Deployment memory d) {
        d.creditLineLender = _proxy(
            address(new CreditLineLender(c.oracle)),
            abi.encodeCall(
                CreditLineLender.initialize,
                (c.owner, c.creditModelId, c.callbackGasLimit, defaultPolicy(c.creditScaleBits))
            )
        );
        d.proposalScreener = _proxy(
            address(new ProposalScreener(c.oracle)),
            abi.encodeCall(ProposalScreener.initialize, (c.owner, c.proposalsModelId, c.callbackGasLimit))
        );
        d.contentModerator = _proxy(
            address(new ContentModerator(c.oracle)),
            abi.encodeCall(ContentModerator.initialize, (c.owner, c.moderationModelId, c.callbackGasLimit))
        );
        d.qualityInspector = _proxy(
            address(new QualityInspector(c.oracle, c.imagePixelCount)),
            abi.encodeCall(QualityInspector.initialize, (c.owner, c.imageModelId, c.callbackGasLimit))
        );
    }

    /// @notice Deploys the ProposalTagger (a language model's app) behind its proxy.
    function deployTagger(Config memory c, uint256 taggerModelId) public returns (address) {
        return _proxy(
            address(new ProposalTagger(c.oracle)),
            abi.encodeCall(ProposalTagger.initialize, (c.owner, taggerModelId, c.callbackGasLimit))
        );
    }

    function toJson(Deployment memory d) public returns (string memory json) {
        string memory key = "examples";
        if (d.proposalTagger != address(0)) vm.serializeAddress(key, "proposalTagger", d.proposalTagger);
        vm.serializeAddress(key, "creditLineLender", d.creditLineLender);
        vm.serializeAddress(key, "proposalScreener", d.proposalScreener);
        vm.serializeAddress(key, "contentModerator", d.contentModerator);
        json = vm.serializeAddress(key, "qualityInspector", d.qualityInspector);
    }

    function _proxy(address implementation, bytes memory initData) private returns (address) {
        return address(new ERC1967Proxy(implementation, initData));
    }
}
