import { Fragment, Interface, type ContractRunner, type InterfaceAbi } from 'ethers';
import {
  DisputeModule__factory,
  IBatches__factory,
  IBisection__factory,
  IDisputes__factory,
  InferenceOracle__factory,
  type IDisputes,
  type InferenceOracle,
} from '../../typechain/index.js';

export { PROVENANCES, acceptedProvenances, accepts, acceptsMask, toProvenance, type Provenance } from '../protocol/index.js';

/**
 * The ABI a client calls the oracle with: {InferenceOracle} (requests, proposals, finalization, callbacks, views)
 * and {IDisputes} (expiry, challenges, resolutions, dispute expiry, cache corrections), which the proxy answers
 * through its dispute module, with the module's public views (`slashSplit`, the reward shares), and {IBatches}
 * (proof batches, optimistic batches, batch verifiers), which it answers through its batch module, and {IBisection}
 * (the bisection game of a dispute), which its dispute module forwards to the bisection module. The shared errors and
 * events are listed once.
 */
export const ORACLE_ABI: InterfaceAbi = (() => {
  const seen = new Set<string>();
  const fragments: Fragment[] = [];
  // The dispute module's constructor and fallback are its own, not the oracle's.
  const moduleViews = DisputeModule__factory.abi.filter((f) => f.type !== 'constructor' && f.type !== 'fallback');
  for (const f of [...InferenceOracle__factory.abi, ...IDisputes__factory.abi, ...moduleViews, ...IBatches__factory.abi, ...IBisection__factory.abi]) {
    const fragment = Fragment.from(f);
    const key = fragment.format('json');
    if (seen.has(key)) continue;
    seen.add(key);
    fragments.push(fragment);
  }
  return fragments;
})();

/** An ethers Interface of {@link ORACLE_ABI}: every function, event and error the oracle address answers. */
export function oracleInterface(): Interface {
  return new Interface(ORACLE_ABI);
}

/** The oracle at `address` with both typed faces: the core ABI and the dispute functions (same address). */
export function connectOracle(address: string, runner: ContractRunner | null): { oracle: InferenceOracle; disputes: IDisputes } {
  return { oracle: InferenceOracle__factory.connect(address, runner), disputes: IDisputes__factory.connect(address, runner) };
}
