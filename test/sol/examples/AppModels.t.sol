// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AppFixture} from "./utils/AppFixture.sol";
import {CreditLineLender} from "../../../src-sol/examples/CreditLineLender.sol";
import {ProposalScreener} from "../../../src-sol/examples/ProposalScreener.sol";
import {ContentModerator} from "../../../src-sol/examples/ContentModerator.sol";
import {QualityInspector} from "../../../src-sol/examples/QualityInspector.sol";
import {IModelRegistry} from "../../../src-sol/interfaces/IModelRegistry.sol";
import {IInferenceVerifier} from "../../../src-sol/interfaces/IInferenceVerifier.sol";
import {IInferenceConsumer} from "../../../src-sol/interfaces/IInferenceConsumer.sol";
import {OutputKind, RequestState, RequestTerms, Proposal} from "../../../src-sol/types/InferenceTypes.sol";

/// @notice Each app against its real trained model (test/vectors/apps.json, `npm run vectors:apps`): the models
/// are registered with their weights on chain, inputs are what the client library computes, and every request is
/// proposed wrongly, challenged and settled by on-chain re-execution, so the app acts on the model's true output.
contract AppModelsTest is AppFixture {
    string internal vectors;

    function setUp() public override {
        super.setUp();
        vectors = vm.readFile("test/vectors/apps.json");
        vm.deal(alice, 10 ether);
    }

    function _registerReal(string memory name) internal returns (uint256 id) {
        string memory k = string.concat(".", name);
        bytes memory encoding = vm.parseJsonBytes(vectors, string.concat(k, ".encoding"));
        assertEq(keccak256(encoding), vm.parseJsonBytes32(vectors, string.concat(k, ".modelHash")));
        IModelRegistry.ModelSpec memory spec = IModelRegistry.ModelSpec({
            modelHash: keccak256(encoding),
            inputLength: uint16(vm.parseJsonUint(vectors, string.concat(k, ".inputLength"))),
            outputLength: uint16(vm.parseJsonUint(vectors, string.concat(k, ".outputLength"))),
            inputMin: int64(vm.parseJsonInt(vectors, string.concat(k, ".inputMin"))),
            inputMax: int64(vm.parseJsonInt(vectors, string.concat(k, ".inputMax"))),
            scaleBits: uint8(vm.parseJsonUint(vectors, string.concat(k, ".scaleBits"))),
            outputKind: OutputKind(uint8(vm.parseJsonUint(vectors, string.concat(k, ".outputKind")))),
            verifier: IInferenceVerifier(address(0)),
            challengeWindow: CHALLENGE_WINDOW,
            minBond: BOND,
            fee: FEE
        });
        vm.prank(owner);
        id = registry.registerModel(spec, encoding);
    }

    function _case(string memory name, uint256 i)
        internal
        view
        returns (int256[] memory input, int256[] memory output)
    {
        string memory k = string.concat(".", name, ".cases[", vm.toString(i), "]");
        input = vm.parseJsonIntArray(vectors, string.concat(k, ".input"));
        output = vm.parseJsonIntArray(vectors, string.concat(k, ".output"));
    }

    /// @dev A wrong proposal, a challenge, and re-execution of the real weights on chain.
    function _settleByReexecution(
        address app,
        uint256 model,
        uint256 id,
        int256[] memory input,
        int256[] memory wrongOutput,
        uint32 gasLimit
    ) internal {
        RequestTerms memory t = _appTerms(app, model, input, uint16(wrongOutput.length), gasLimit);
        int256[] memory truth = registry.execute(model, input);
        Proposal memory p = _propose(id, t, wrongOutput);
        Proposal memory d = _challengeWith(id, t, p, keccak256(abi.encodePacked(truth)));
        uint256 challengerStake = _free(challenger);
        disputes().resolveByReexecution(id, t, d, input);
        assertEq(uint8(oracle.requestState(id)), uint8(RequestState.Finalized));
        assertGt(_free(challenger), challengerStake); // the honest challenger won the liar's bond
        // A settlement never calls the app; anyone delivers the owed callback.
        oracle.deliverCallback(id, app, gasLimit, abi.encodeCall(IInferenceConsumer.fulfillInference, (id, truth)));
    }

    function test_creditLineLender_realModelSetsLimitsByRisk() public {
        uint256 model = _registerReal("credit");
        uint256 s = vm.parseJsonUint(vectors, ".credit.scaleBits");
        // p(default) <= 12%: log-odds <= -2; <= 50%: log-odds <= 0 (at the model's scale 2^S).
        CreditLineLender.CreditPolicy memory policy =
            CreditLineLender.CreditPolicy(-int64(int256(2 << s)), 0, 5 ether, 1 ether);
        CreditLineLender lender = CreditLineLender(
            payable(_proxy(
                    address(new CreditLineLender(address(oracle))),
                    abi.encodeCall(CreditLineLender.initialize, (appOwner, model, APP_CALLBACK_GAS, policy))
                ))
        );

        (int256[] memory safeInput, int256[] memory safeOutput) = _case("credit", 0);
        (int256[] memory riskyInput, int256[] memory riskyOutput) = _case("credit", 1);
        vm.prank(alice);
        uint256 id = lender.applyForCreditLine{value: FEE}(safeInput);
        // The cheater claims the safe applicant has the risky applicant's logits.
        _settleByReexecution(address(lender), model, id, safeInput, riskyOutput, APP_CALLBACK_GAS);
        assertEq(lender.creditLineOf(alice).riskScore, safeOutput[1] - safeOutput[0]);
        assertEq(lender.creditLineOf(alice).limit, 5 ether);

        vm.deal(bob, 1 ether);
        vm.prank(bob);
        id = lender.applyForCreditLine{value: FEE}(riskyInput);
        _settleByReexecution(address(lender), model, id, riskyInput, safeOutput, APP_CALLBACK_GAS);
        assertGt(lender.creditLineOf(bob).riskScore, 0);
        assertEq(lender.creditLineOf(bob).limit, 0);
    }

    function test_proposalScreener_realModelClearsAndFlags() public {
        uint256 model = _registerReal("proposals");
        ProposalScreener screener = ProposalScreener(
            payable(_proxy(
                    address(new ProposalScreener(address(oracle))),
                    abi.encodeCall(ProposalScreener.initialize, (owner, model, APP_CALLBACK_GAS))
                ))
        );
        for (uint256 i = 0; i < 2; ++i) {
            (int256[] memory input, int256[] memory output) = _case("proposals", i);
            assertEq(output[0], int256(i)); // case 0 ordinary, case 1 flagged
            vm.prank(alice);
            uint256 proposalId = screener.submitProposal{value: FEE}(keccak256(abi.encode(i)), input);
            uint256 id = screener.pendingRequest(bytes32(proposalId)).requestId;
            _settleByReexecution(address(screener), model, id, input, _one(1 - output[0]), APP_CALLBACK_GAS);
            assertEq(screener.isCleared(proposalId), i == 0);
        }
    }

    function test_contentModerator_realModelShowsAndHides() public {
        uint256 model = _registerReal("moderation");
        ContentModerator moderator = ContentModerator(
            payable(_proxy(
                    address(new ContentModerator(address(oracle))),
                    abi.encodeCall(ContentModerator.initialize, (owner, model, APP_CALLBACK_GAS))
                ))
        );
        for (uint256 i = 0; i < 2; ++i) {
            (int256[] memory input, int256[] memory output) = _case("moderation", i);
            assertEq(output[0], int256(i)); // case 0 allowed, case 1 violation
            vm.prank(alice);
            uint256 postId = moderator.publish{value: FEE}(keccak256(abi.encode(i)), input);
            uint256 id = moderator.pendingRequest(bytes32(postId)).requestId;
            _settleByReexecution(address(moderator), model, id, input, _one(1 - output[0]), APP_CALLBACK_GAS);
            assertEq(moderator.isVisible(postId), i == 0);
        }
    }

    function test_qualityInspector_realModelAcceptsMatchingItems() public {
        uint256 model = _registerReal("digits");
        QualityInspector inspector = QualityInspector(
            payable(_proxy(
                    address(new QualityInspector(address(oracle), 64)),
                    abi.encodeCall(QualityInspector.initialize, (owner, model, APP_CALLBACK_GAS))
                ))
        );
        vm.prank(owner);
        inspector.setInspector(alice, true);

        // Case 0 is an image of a 7, case 1 of a 3; the items say "7" and "8".
        (int256[] memory seven, int256[] memory sevenOut) = _case("digits", 0);
        (int256[] memory three, int256[] memory threeOut) = _case("digits", 1);
        assertEq(sevenOut[0], 7);
        assertEq(threeOut[0], 3);
        vm.prank(alice);
        uint256 id = inspector.inspect{value: FEE}(keccak256("item-7"), 7, seven);
        _settleByReexecution(address(inspector), model, id, seven, _one(1), APP_CALLBACK_GAS);
        vm.prank(alice);
        id = inspector.inspect{value: FEE}(keccak256("item-8"), 8, three);
        _settleByReexecution(address(inspector), model, id, three, _one(8), APP_CALLBACK_GAS);

        assertEq(uint8(inspector.item(keccak256("item-7")).verdict), uint8(QualityInspector.Verdict.Accepted));
        assertEq(uint8(inspector.item(keccak256("item-8")).verdict), uint8(QualityInspector.Verdict.Rejected));
        assertEq(inspector.item(keccak256("item-8")).predictedClass, 3);
    }
}
