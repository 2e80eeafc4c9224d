// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {ModelRegistry} from "../../src-sol/registry/ModelRegistry.sol";
import {InferenceOracle} from "../../src-sol/oracle/InferenceOracle.sol";
import {IModelRegistry} from "../../src-sol/interfaces/IModelRegistry.sol";
import {Periods} from "../../src-sol/types/InferenceTypes.sol";
import {ProtocolArtifacts} from "../../test/sol/utils/ProtocolArtifacts.sol";

/// @dev The registry and the oracle behind their proxies, owned by the benchmark, linked, with the local network's
/// periods: what every gas benchmark measures against.
abstract contract BenchDeployment is Test {
    ModelRegistry internal registry;
    InferenceOracle internal oracle;

    function _deployProtocol(address arbitrator) internal {
        registry = ModelRegistry(
            address(
                new ERC1967Proxy(
                    ProtocolArtifacts.registryImplementation(),
                    abi.encodeCall(ModelRegistry.initialize, (address(this)))
                )
            )
        );
        oracle = InferenceOracle(
            address(
                new ERC1967Proxy(
                    ProtocolArtifacts.oracleImplementation(),
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
