import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  Interface,
  TypedDataEncoder,
  concat,
  getAddress,
  isAddress,
  keccak256,
  toUtf8Bytes,
  verifyTypedData,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';
import { z } from 'zod';
import { TIMELOCK_ABI } from './abi.js';
import { operationId } from './chain.js';
import type { CheckReport } from './checks.js';
import { GovProposalFileError } from './errors.js';
import { toJson, type Hex } from '../protocol/index.js';

/** Safe `Enum.Operation`: 0 call, 1 delegatecall (never used here). */
export const SAFE_OPERATION_CALL = 0;

/** The fields a Safe 1.4.1 owner signs (EIP-712 type `SafeTx`). */
export type SafeTx = {
  to: string;
  value: bigint;
  data: Hex;
  operation: number;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: string;
  refundReceiver: string;
  nonce: bigint;
};

/** A call scheduled on the TimelockController (its id is `hashOperation(target, value, data, predecessor, salt)`). */
export type TimelockOperation = {
  id: Hex;
  target: string;
  value: bigint;
  data: Hex;
  predecessor: Hex;
  salt: Hex;
  delay: bigint;
};

export type OwnerSignature = { signer: string; signature: Hex };

/**
 * What the Safe is asked to do: `schedule` an operation on the timelock, `cancel` one, or make a direct `call`
 * (the arbitration Safe settling a dispute: arbitration is time-bound and does not go through the timelock).
 */
export type ProposalKind = 'schedule' | 'cancel' | 'call';

/** The proposal file: everything owners need to check and sign, plus the signatures collected so far. */
export type Proposal = {
  version: 2;
  kind: ProposalKind;
  /** Covered by the signatures: its hash is mixed into the timelock salt (schedule) or appended to the call. */
  description: string;
  descriptionHash: Hex;
  /** `schedule`: the random half of the salt (`salt = keccak256(descriptionHash ‖ saltEntropy)`). */
  saltEntropy: Hex | null;
  /** What the checks found when the proposal was built (not signed: approve and execute run them again). */
  checks: CheckReport | null;
  chainId: bigint;
  safe: string;
  timelock: string | null;
  operation: TimelockOperation | null;
  cancelId: Hex | null;
  safeTx: SafeTx;
  safeTxHash: Hex;
  signatures: OwnerSignature[];
};

const hex = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'a 0x-prefixed hex string')
  .transform((s) => s as Hex);
const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex string')
  .transform((s) => s as Hex);
const address = z
  .string()
  .refine((s) => isAddress(s), 'an address')
  .transform((s) => getAddress(s));
const uint = z.union([z.string().regex(/^\d+$/, 'a decimal integer'), z.number().int().nonnegative()]).transform((v) => BigInt(v));

const operationSchema = z.object({ id: bytes32, target: address, value: uint, data: hex, predecessor: bytes32, salt: bytes32, delay: uint });
const safeTxSchema = z.object({
  to: address,
  value: uint,
  data: hex,
  operation: z.literal(SAFE_OPERATION_CALL),
  safeTxGas: uint,
  baseGas: uint,
  gasPrice: uint,
  gasToken: address,
  refundReceiver: address,
  nonce: uint,
});

const checksSchema = z.object({
  ok: z.boolean(),
  block: z.number().int().nonnegative(),
  forced: z.boolean(),
  checks: z.array(z.object({ name: z.enum(['code', 'simulation', 'implementation', 'proxiableUUID', 'layout']), ok: z.boolean(), detail: z.string() })),
});

export const proposalSchema = z.object({
  version: z.literal(2, { message: 'version 2 (a file of an earlier vai gov: build it again with `vai gov propose`)' }),
  kind: z.enum(['schedule', 'cancel', 'call']),
  description: z.string(),
  descriptionHash: bytes32,
  saltEntropy: bytes32.nullable(),
  checks: checksSchema.nullable(),
  chainId: uint,
  safe: address,
  timelock: address.nullable(),
  operation: operationSchema.nullable(),
  cancelId: bytes32.nullable(),
  safeTx: safeTxSchema,
  safeTxHash: bytes32,
  signatures: z.array(z.object({ signer: address, signature: hex })),
});

const SAFE_TX_TYPES: Record<string, TypedDataField[]> = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
};

/** Safe 1.4.1's EIP-712 domain: `EIP712Domain(uint256 chainId, address verifyingContract)`, no name or version. */
export function safeDomain(chainId: bigint, safe: string): TypedDataDomain {
  return { chainId, verifyingContract: safe };
}

/** The typed data an owner signs for `safeTx` (for `Wallet.signTypedData`). */
export function safeTxTypedData(chainId: bigint, safe: string, safeTx: SafeTx) {
  return { domain: safeDomain(chainId, safe), types: SAFE_TX_TYPES, value: { ...safeTx } };
}

/** The SafeTx hash (what `Safe.getTransactionHash` returns): bound to the chain id and the Safe's address. */
export function safeTxHash(chainId: bigint, safe: string, safeTx: SafeTx): Hex {
  const t = safeTxTypedData(chainId, safe, safeTx);
  return TypedDataEncoder.hash(t.domain, t.types, t.value) as Hex;
}

/** The address that produced `signature` over the proposal's SafeTx. */
export function recoverSigner(p: Pick<Proposal, 'chainId' | 'safe' | 'safeTx'>, signature: Hex): string {
  const t = safeTxTypedData(p.chainId, p.safe, p.safeTx);
  return getAddress(verifyTypedData(t.domain, t.types, t.value, signature));
}

/**
 * Checks the file against itself: the hash matches the fields, and each signature was made by its signer over that
 * hash. A file edited after signing fails here, before anything reaches the chain.
 */
export function checkProposal(p: Proposal): void {
  const expected = safeTxHash(p.chainId, p.safe, p.safeTx);
  if (expected !== p.safeTxHash) {
    throw new GovProposalFileError(`The proposal's safeTxHash ${p.safeTxHash} does not match its fields (${expected}).`, {
      metaMessages: ['The file was edited after it was built. Build it again with `vai gov propose`.'],
    });
  }
  checkConsistency(p);
  const seen = new Set<string>();
  for (const s of p.signatures) {
    const signer = recoverSigner(p, s.signature);
    if (signer !== s.signer) {
      throw new GovProposalFileError(`A signature attributed to ${s.signer} was made by ${signer}.`, {
        metaMessages: ['Remove that entry from the file and collect the signature again with `vai gov approve`.'],
      });
    }
    if (seen.has(signer)) throw new GovProposalFileError(`Two signatures by ${signer}.`);
    seen.add(signer);
  }
}

const TIMELOCK = new Interface(TIMELOCK_ABI);

/** keccak256 of the description's UTF-8 bytes: what the signatures cover. */
export function descriptionHashOf(description: string): Hex {
  return keccak256(toUtf8Bytes(description)) as Hex;
}

/**
 * The timelock salt of a scheduled operation: the description's hash mixed with random entropy. The salt is part
 * of the `schedule` call the owners sign, so an edited description no longer matches what was signed, and the
 * entropy keeps two operations with the same call and description distinct.
 */
export function descriptionSalt(descriptionHash: Hex, entropy: Hex): Hex {
  return keccak256(concat([descriptionHash, entropy])) as Hex;
}

/**
 * A cancel or a direct call has no salt: the description's hash is appended to the calldata instead. Solidity's
 * ABI decoder ignores bytes after the arguments, so the callee sees the same call, and the signed SafeTx data
 * carries the hash.
 */
export function withDescription(data: Hex, descriptionHash: Hex): Hex {
  return `${data}${descriptionHash.slice(2)}` as Hex;
}

/** The readable parts of the file (the operation, the cancelled id) must be what the signed SafeTx does. */
function checkConsistency(p: Proposal): void {
  const mismatch = (what: string) =>
    new GovProposalFileError(`The proposal's ${what} does not match the SafeTx it signs.`, {
      metaMessages: ['The file was edited after it was built. Build it again with `vai gov propose`.'],
    });
  if (descriptionHashOf(p.description) !== p.descriptionHash) throw mismatch('description');
  if (p.kind === 'call') {
    if (p.operation !== null || p.cancelId !== null) throw mismatch('kind');
    if (!p.safeTx.data.toLowerCase().endsWith(p.descriptionHash.slice(2).toLowerCase())) throw mismatch('description');
    return;
  }
  if (p.timelock === null || getAddress(p.safeTx.to) !== getAddress(p.timelock)) throw mismatch('timelock');
  if (p.kind === 'schedule') {
    const op = p.operation;
    if (op === null) throw mismatch('operation');
    const data = TIMELOCK.encodeFunctionData('schedule', [op.target, op.value, op.data, op.predecessor, op.salt, op.delay]);
    if (data !== p.safeTx.data.toLowerCase()) throw mismatch('operation');
    if (operationId(op.target, op.value, op.data, op.predecessor, op.salt) !== op.id) throw mismatch('operation id');
    if (p.saltEntropy === null || descriptionSalt(p.descriptionHash, p.saltEntropy) !== op.salt) throw mismatch('description');
  } else {
    if (p.cancelId === null) throw mismatch('cancelled operation');
    const expected = withDescription(TIMELOCK.encodeFunctionData('cancel', [p.cancelId]) as Hex, p.descriptionHash).toLowerCase();
    if (expected !== p.safeTx.data.toLowerCase())
      throw mismatch(expected.startsWith(p.safeTx.data.toLowerCase().slice(0, 74)) ? 'description' : 'cancelled operation');
  }
}

/** Signatures in the order Safe's `checkNSignatures` wants (ascending owner address), concatenated. */
export function packSignatures(signatures: readonly OwnerSignature[]): Hex {
  const sorted = [...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  return `0x${sorted.map((s) => s.signature.slice(2)).join('')}`;
}

export async function readProposal(file: string): Promise<Proposal> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new GovProposalFileError(`Cannot read the proposal file ${file}.`, {
      metaMessages: ['Create one with `vai gov propose`.'],
      cause,
    });
  }
  const parsed = proposalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GovProposalFileError(`Invalid proposal file ${file}: [${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}.`);
  }
  const p: Proposal = parsed.data;
  checkProposal(p);
  return p;
}

/** Writes atomically (a temporary file, then a rename), so a crash never leaves half a file of signatures. */
export async function writeProposal(file: string, p: Proposal): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${toJson(p)}\n`);
  await rename(tmp, file);
}
