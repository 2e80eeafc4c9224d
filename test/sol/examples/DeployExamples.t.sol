// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AppFixture} from "./utils/AppFixture.sol";
import {DeployExamples} from "../../../script/DeployExamples.s.sol";
import {CreditLineLender} from "../../../src-sol/examples/CreditLineLender.sol";
import {ProposalScreener} from "../../../src-sol/examples/ProposalScreener.sol";
import {ContentModerator} from "../../../src-sol/examples/ContentModerator.sol";
import {QualityInspector} from "../../../src-sol/examples/QualityInspector.sol";
import {OutputKind} from "../../../src-sol/types/InferenceTypes.sol";

contract DeployExamplesTest is AppFixture {
    function test_deploy_wiresEveryAppToItsModel() public {
        (uint256 credit,) = _registerAppModel("credit", 6, 2, OutputKind.Logits);
        (uint256 proposals,) = _registerAppModel("proposals", 64, 1, OutputKind.ArgMax);
        (uint256 moderation,) = _registerAppModel("moderation", 64, 1, OutputKind.ArgMax);
        (uint256 fashion,) = _registerAppModel("lenet5", 784, 1, OutputKind.ArgMax);
        DeployExamples script = new DeployExamples();
        DeployExamples.Deployment memory d = script.deploy(
            DeployExamples.Config(appOwner, address(oracle), credit, proposals, moderation, fashion, 784, 13, 150_000)
        );

        CreditLineLender lender = CreditLineLender(payable(d.creditLineLender));
        assertEq(lender.owner(), appOwner);
        assertEq(lender.modelId(), credit);
        assertEq(lender.policy().lowRiskMaxScore, -16384);
        assertEq(lender.limitFor(-16384), 1 ether);
        assertEq(lender.limitFor(0), 0.25 ether);
        assertEq(ProposalScreener(payable(d.proposalScreener)).modelId(), proposals);
        assertEq(ContentModerator(payable(d.contentModerator)).modelId(), moderation);
        assertEq(QualityInspector(payable(d.qualityInspector)).modelId(), fashion);
        assertEq(QualityInspector(payable(d.qualityInspector)).pixelCount(), 784);
        assertEq(QualityInspector(payable(d.qualityInspector)).callbackGasLimit(), 150_000);
        assertEq(address(QualityInspector(payable(d.qualityInspector)).inferenceOracle()), address(oracle));

        string memory json = script.toJson(d);
        assertEq(vm.parseJsonAddress(json, ".creditLineLender"), d.creditLineLender);
        assertEq(vm.parseJsonAddress(json, ".qualityInspector"), d.qualityInspector);
    }
}
