// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {ModelRegistry} from "../../src-sol/registry/ModelRegistry.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {Periods} from "../../src-sol/types/InferenceTypes.sol";

/// @dev The registry and the oracle behind their proxies, owned by the benchmark, linked, with the local network's
/// periods: what every gas benchmark measures against.
abstract contract BenchDeployment is Test {
    ModelRegistry internal registry;
    InferenceOracle internal oracle;

    /// @dev The oracle's implementation and its modules (and the registry's implementation, below) from their build
    /// artifacts: compiling their code into each benchmark contract too (with `new`) takes solcjs past its memory for
    /// test/sol/gas/GasBenchmark.t.sol.
    function _oracleImplementation() internal returns (address) {
        address batchModule = deployCode("src-sol/oracle/BatchModule.sol:BatchModule");
        address bisectionModule = deployCode("src-sol/oracle/BisectionModule.sol:BisectionModule");
        return deployCode("src-sol/oracle/InferenceOracle.sol:InferenceOracle", abi.encode(batchModule, bisectionModule));
    }

    function _deployProtocol(address arbitrator) internal {
        registry = ModelRegistry(
            address(
                new ERC1967Proxy(
                    deployCode("src-sol/registry/ModelRegistry.sol:ModelRegistry"), abi.encodeCall(ModelRegistry.initialize, (address(this)))
                )
            )
        );
        oracle = InferenceOracle(
            address(
                new ERC1967Proxy(
                    _oracleImplementation(),
                    abi.encodeCall(
                        InferenceOracle.initialize,
                        (
                            address(this),
                            IModelRegistry(address(registry)),
                            makeAddr("treasury"),
                            arbitrator,
                            Periods(1 hours, 1 days, 2 days, 11 days)
                        )
                    )
                )
            )
        );
        registry.setOracle(address(oracle));
    }
}
