// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {InputHash} from "../../../src-sol/libraries/InputHash.sol";
// Imported for its artifact only: forge compiles it, and {_deployPoseidon} reads its runtime code.
// solhint-disable-next-line no-unused-import
import {PoseidonT5} from "poseidon-solidity/PoseidonT5.sol";

/// @dev Puts poseidon-solidity's PoseidonT5, compiled here from the npm package, at the address its deterministic
/// deployment gives it on a real chain (InputHash.POSEIDON_T5), which is where the oracle calls it. A library's code
/// holds no address but in its call guard, which guards no view function: the code serves at any address. (The
/// package's own deployment code is the code on chain; forge's file permissions stop at the project root, which a
/// linked node_modules leaves, so it is not read here. lib/devnet/poseidon.ts deploys that code on anvil, and a
/// vitest checks the address and the hash.)
abstract contract PoseidonDeployment is CommonBase {
    function _deployPoseidon() internal {
        vm.etch(InputHash.POSEIDON_T5, vm.getDeployedCode("PoseidonT5.sol:PoseidonT5"));
    }
}
