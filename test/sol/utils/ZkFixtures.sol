// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";

/// @dev Reads the proof fixtures written by `npm run zk:fixtures` (test/sol/fixtures/zk/<name>.json).
abstract contract ZkFixtures is CommonBase {
    struct Case {
        int256[] input;
        int256[] output;
        /// @dev The address the proof was made for: it verifies only when this address submits it.
        address prover;
        bytes proof;
    }

    function _json(string memory name) internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/test/sol/fixtures/zk/", name, ".json"));
    }

    /// @dev `key` is "" for the main case or ".other".
    function _case(string memory name, string memory key) internal view returns (Case memory c) {
        string memory json = _json(name);
        c.input = vm.parseJsonIntArray(json, string.concat(key, ".input"));
        c.output = vm.parseJsonIntArray(json, string.concat(key, ".output"));
        c.prover = vm.parseJsonAddress(json, string.concat(key, ".prover"));
        c.proof = vm.parseJsonBytes(json, string.concat(key, ".proof"));
    }
}
