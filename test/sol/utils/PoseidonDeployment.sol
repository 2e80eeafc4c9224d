// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {InputHash} from "../../../src-sol/libraries/InputHash.sol";

/// @dev String cheatcodes of Foundry that the vendored forge-std's Vm interface predates.
interface IStringCheats {
    function split(string calldata input, string calldata delimiter) external pure returns (string[] memory);
}

/// @dev Puts PoseidonT5 at the address its deterministic deployment gives it on a real chain (InputHash.POSEIDON_T5),
/// where the oracle calls it, with the creation code the npm package `poseidon-solidity` ships for that deployment
/// (`deploy/PoseidonT5.js`): the code and the gas are those of the contract on chain, not of a local compilation.
abstract contract PoseidonDeployment is CommonBase {
    string internal constant POSEIDON_DEPLOYMENT = "node_modules/poseidon-solidity/deploy/PoseidonT5.js";

    function _deployPoseidon() internal {
        string memory js = vm.readFile(string.concat(vm.projectRoot(), "/", POSEIDON_DEPLOYMENT));
        // `bytecode:` then the quoted creation code on the next line.
        string memory tail = IStringCheats(address(vm)).split(js, "bytecode:")[1];
        bytes memory creation = vm.parseBytes(IStringCheats(address(vm)).split(tail, "'")[1]);
        address deployed;
        assembly ("memory-safe") {
            deployed := create(0, add(creation, 0x20), mload(creation))
        }
        require(deployed != address(0) && deployed.code.length != 0, "PoseidonT5 creation failed");
        // A library's code holds no address but in its call guard, which guards no view function: the same code
        // serves at the deterministic address.
        vm.etch(InputHash.POSEIDON_T5, deployed.code);
    }
}
