import { Fragment, Interface, type ContractRunner, type InterfaceAbi } from 'ethers';
import { DisputeModule__factory, IDisputes__factory, InferenceOracle__factory, type IDisputes, type InferenceOracle } from '../../typechain/index.js';

/**
 * How a result was settled (`Provenance` in src-sol/types/InferenceTypes.sol), in enum order, weakest evidence
 * first. A request's `accepts` is a bitmask of `1 << index`; zero accepts any.
 */
export const PROVENANCES = ['None', 'Optimistic', 'Arbitration', 'Reexecution', 'Proof'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** The provenance named by an enum value (`None` for an unknown one). */
export const toProvenance = (v: bigint | number): Provenance => PROVENANCES[Number(v)] ?? 'None';

/** The `accepts` bitmask of a list of provenances (an empty list accepts any: 0). */
export function acceptsMask(provenances: readonly Provenance[]): number {
  return provenances.reduce((mask, p) => mask | (1 << PROVENANCES.indexOf(p)), 0);
}

/** Whether a request's `accepts` bitmask allows provenance `p`. */
export function accepts(mask: bigint | number, p: Provenance): boolean {
  const m = BigInt(mask);
  return m === 0n || (m & (1n << BigInt(PROVENANCES.indexOf(p)))) !== 0n;
}

/** The provenances a bitmask names (empty for 0, which accepts any). */
export function acceptedProvenances(mask: bigint | number): Provenance[] {
  const m = BigInt(mask);
  return PROVENANCES.filter((_, i) => i > 0 && (m & (1n << BigInt(i))) !== 0n);
}

/**
 * The ABI a client calls the oracle with: {InferenceOracle} (requests, proposals, finalization, callbacks, views)
 * and {IDisputes} (expiry, challenges, resolutions, dispute expiry, cache corrections), which the proxy answers
 * through its dispute module, with the module's public views (`slashSplit`, the reward shares). The shared errors
 * and events are listed once.
 */
export const ORACLE_ABI: InterfaceAbi = (() => {
  const seen = new Set<string>();
  const fragments: Fragment[] = [];
  for (const f of [...InferenceOracle__factory.abi, ...IDisputes__factory.abi, ...DisputeModule__factory.abi]) {
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
