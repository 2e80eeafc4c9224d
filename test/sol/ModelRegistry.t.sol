// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleFixture} from "./utils/OracleFixture.sol";
import {ModelEncoder} from "./utils/ModelEncoder.sol";
import {TestVerifier} from "./utils/TestVerifier.sol";
import {ModelRegistry} from "../../src-sol/registry/ModelRegistry.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../src-sol/interfaces/IInferenceVerifier.sol";
import {IntegerModel} from "../../src-sol/libraries/IntegerModel.sol";
import {OutputKind} from "../../src-sol/types/InferenceTypes.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

contract ModelRegistryTest is OracleFixture {
    IModelRegistry.ModelSpec internal spec;

    function setUp() public override {
        super.setUp();
        spec = _spec(smallEncoding, 2, OutputKind.Logits, IInferenceVerifier(address(0)));
    }

    function test_registerModel_assignsSequentialIdsAndStoresWeights() public {
        assertEq(registry.modelCount(), 2);
        vm.expectEmit(true, true, false, false, address(registry));
        emit IModelRegistry.ModelRegistered(3, spec.modelHash, address(0), spec);
        vm.prank(owner);
        uint256 id = registry.registerModel(spec, smallEncoding);
        assertEq(id, 3);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.spec.modelHash, spec.modelHash);
        assertEq(m.spec.inputLength, 2);
        assertEq(m.spec.fee, FEE);
        assertFalse(m.audited);
        assertFalse(m.deprecated);
        // The data contract holds STOP ++ encoding.
        assertEq(m.weights.code, bytes.concat(hex"00", smallEncoding));
        assertEq(registry.weightsPointer(id), m.weights);
        // Old ids stay resolvable.
        assertEq(registry.getModel(modelId).spec.modelHash, keccak256(smallEncoding));
    }

    function test_registerModel_withoutWeights() public {
        vm.prank(owner);
        uint256 id = registry.registerModel(spec, "");
        assertEq(registry.weightsPointer(id), address(0));
    }

    function test_modelTerms_returnsRequestTerms() public view {
        IModelRegistry.ModelTerms memory t = registry.modelTerms(modelId);
        assertEq(t.inputLength, 2);
        assertEq(t.outputLength, 2);
        assertEq(t.inputMin, -1024);
        assertEq(t.inputMax, 1024);
        assertEq(t.fee, FEE);
        assertEq(t.minBond, BOND);
        assertEq(t.challengeWindow, CHALLENGE_WINDOW);
        assertFalse(t.deprecated);
    }

    function test_registerModel_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.registerModel(spec, "");
    }

    function test_registerModel_revertsOnZeroHash() public {
        spec.modelHash = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryZeroModelHash.selector), "");
    }

    function test_registerModel_revertsOnBadLengths() public {
        spec.inputLength = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidLength.selector, 0, 2), "");
        spec.inputLength = 2;
        spec.outputLength = 1025;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidLength.selector, 2, 1025), "");
    }

    function test_registerModel_revertsOnInvertedRange() public {
        spec.inputMin = 1;
        spec.inputMax = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidInputRange.selector, 1, 0), "");
    }

    function test_registerModel_revertsOnBadScale() public {
        spec.scaleBits = 33;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidScale.selector, 33), "");
    }

    function test_registerModel_revertsOnArgMaxWithManyOutputs() public {
        spec.outputKind = OutputKind.ArgMax;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidArgMaxLength.selector, 2), "");
    }

    function test_registerModel_revertsOnBadWindow() public {
        spec.challengeWindow = 59;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidChallengeWindow.selector, 59), ""
        );
        spec.challengeWindow = 7 days + 1;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidChallengeWindow.selector, 7 days + 1), ""
        );
    }

    function test_registerModel_revertsOnZeroBond() public {
        spec.minBond = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryZeroBond.selector), "");
    }

    function test_registerModel_revertsOnVerifierMismatch() public {
        spec.verifier = new TestVerifier(bytes32(uint256(1)));
        _expectRegisterRevert(
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistryVerifierMismatch.selector, bytes32(uint256(1)), spec.modelHash
            ),
            ""
        );
    }

    function test_registerModel_revertsOnWeightsHashMismatch() public {
        bytes memory other = ModelEncoder.encode(ModelEncoder.smallArgMax());
        _expectRegisterRevert(
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistryWeightsHashMismatch.selector, keccak256(other), spec.modelHash
            ),
            other
        );
    }

    function test_registerModel_revertsOnWeightsSpecMismatch() public {
        spec.inputMax = 1000;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryWeightsSpecMismatch.selector, "inputMax", 1024, 1000),
            smallEncoding
        );
        spec.inputMax = 1024;
        spec.scaleBits = 9;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryWeightsSpecMismatch.selector, "scaleBits", 8, 9),
            smallEncoding
        );
    }

    function test_registerModel_revertsOnMalformedWeights() public {
        bytes memory bad = bytes.concat(smallEncoding, hex"01");
        spec.modelHash = keccak256(bad);
        _expectRegisterRevert(
            abi.encodeWithSelector(IntegerModel.IntegerModelTrailingBytes.selector, smallEncoding.length, bad.length),
            bad
        );
    }

    function test_registerModel_revertsOnTooLargeWeights() public {
        bytes memory big = new bytes(24_576);
        spec.modelHash = keccak256(big);
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryWeightsTooLarge.selector, 24_576, 24_575), big
        );
    }

    function test_setters_updateAndEmit() public {
        vm.startPrank(owner);
        vm.expectEmit(address(registry));
        emit IModelRegistry.AuditedChanged(modelId, true);
        registry.setAudited(modelId, true);
        vm.expectEmit(address(registry));
        emit IModelRegistry.DeprecatedChanged(modelId, true);
        registry.setDeprecated(modelId, true);
        vm.expectEmit(address(registry));
        emit IModelRegistry.ChallengeWindowChanged(modelId, CHALLENGE_WINDOW, 2 hours);
        registry.setChallengeWindow(modelId, 2 hours);
        vm.expectEmit(address(registry));
        emit IModelRegistry.MinBondChanged(modelId, BOND, 2 ether);
        registry.setMinBond(modelId, 2 ether);
        vm.expectEmit(address(registry));
        emit IModelRegistry.FeeChanged(modelId, FEE, 0);
        registry.setFee(modelId, 0);
        vm.expectEmit(address(registry));
        emit IModelRegistry.VerifierChanged(modelId, address(verifier), address(0));
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        vm.stopPrank();
        IModelRegistry.Model memory m = registry.getModel(modelId);
        assertTrue(m.audited);
        assertTrue(m.deprecated);
        assertEq(m.spec.challengeWindow, 2 hours);
        assertEq(m.spec.minBond, 2 ether);
        assertEq(m.spec.fee, 0);
        assertEq(address(registry.verifierOf(modelId)), address(0));
    }

    function test_setters_revertIfNotOwner() public {
        bytes memory err = abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(err);
        registry.setAudited(modelId, true);
        vm.expectRevert(err);
        registry.setDeprecated(modelId, true);
        vm.expectRevert(err);
        registry.setChallengeWindow(modelId, 2 hours);
        vm.expectRevert(err);
        registry.setMinBond(modelId, 1);
        vm.expectRevert(err);
        registry.setFee(modelId, 1);
        vm.expectRevert(err);
        registry.setVerifier(modelId, IInferenceVerifier(address(0)));
        vm.stopPrank();
    }

    function test_setters_revertOnBadValues() public {
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryZeroBond.selector));
        registry.setMinBond(modelId, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidChallengeWindow.selector, 0));
        registry.setChallengeWindow(modelId, 0);
        TestVerifier wrong = new TestVerifier(bytes32(uint256(5)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistryVerifierMismatch.selector, bytes32(uint256(5)), keccak256(smallEncoding)
            )
        );
        registry.setVerifier(modelId, wrong);
        vm.stopPrank();
    }

    function test_getters_revertOnUnknownModel() public {
        bytes memory err = abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 0);
        vm.expectRevert(err);
        registry.getModel(0);
        err = abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 3);
        vm.expectRevert(err);
        registry.modelTerms(3);
        vm.expectRevert(err);
        registry.verifierOf(3);
        vm.expectRevert(err);
        registry.weightsPointer(3);
        vm.prank(owner);
        vm.expectRevert(err);
        registry.setFee(3, 1);
    }

    function test_initialize_revertsOnImplementation() public {
        ModelRegistry impl = new ModelRegistry();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(owner);
    }

    function test_upgrade_onlyOwner() public {
        address impl = address(new ModelRegistry());
        vm.expectRevert(abi.encodeWithSelector(OwnableUpgradeable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        registry.upgradeToAndCall(impl, "");
        vm.prank(owner);
        registry.upgradeToAndCall(impl, "");
        assertEq(registry.modelCount(), 2);
    }

    function _expectRegisterRevert(bytes memory err, bytes memory weights) internal {
        vm.expectRevert(err);
        vm.prank(owner);
        registry.registerModel(spec, weights);
    }
}
