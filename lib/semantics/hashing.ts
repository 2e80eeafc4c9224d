import { solidityPackedKeccak256 } from 'ethers';
import type { Hex } from './types.js';

/** keccak256(abi.encodePacked(int256[] values)): the on-chain input and output commitments. */
export function valuesHash(values: readonly bigint[]): Hex {
  return solidityPackedKeccak256(['int256[]'], [values]) as Hex;
}

export const inputHash = valuesHash;
export const outputHash = valuesHash;
