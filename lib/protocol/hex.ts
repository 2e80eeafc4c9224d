import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import type { Hex } from '../semantics/types.js';

export type { Hex } from '../semantics/types.js';

/** The zero address: no challenger, no verifier, no on-chain weights, a Safe's default gas token and refund receiver. */
export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as Hex;
/** The zero word: no claim, no output hash yet, a Timelock operation's empty predecessor. */
export const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex;

/** A 20-byte address (any case; a mixed-case one must have a valid checksum), returned checksummed. */
export const addressSchema = z
  .string()
  .refine((v) => /^0x[0-9a-fA-F]{40}$/.test(v) && isAddress(v), 'expected an address (0x and 40 hex digits)')
  .transform((v) => getAddress(v) as Hex);
