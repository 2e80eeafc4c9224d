import { AbiCoder, Contract, Interface, keccak256, type ContractRunner, type JsonRpcProvider } from 'ethers';
import { SAFE_ABI, TIMELOCK_ABI } from './abi.js';
import { GovTransactionError, GovWrongChainError } from './errors.js';
import type { Hex } from '../protocol/index.js';

/** TimelockController's `OperationState`, in enum order. */
export const OPERATION_STATES = ['Unset', 'Waiting', 'Ready', 'Done'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

export function safeContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, SAFE_ABI, runner);
}

export function timelockContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, TIMELOCK_ABI, runner);
}

/** The chain id, asked each time (never a cached network). */
export async function chainIdOf(provider: JsonRpcProvider): Promise<bigint> {
  return BigInt((await provider.send('eth_chainId', [])) as string);
}

export async function assertChain(provider: JsonRpcProvider, expected: bigint): Promise<void> {
  const actual = await chainIdOf(provider);
  if (actual !== expected) throw new GovWrongChainError(expected, actual);
}

/** The latest block's timestamp: the clock the timelock reads. */
export async function chainTime(provider: JsonRpcProvider): Promise<bigint> {
  const block = await provider.getBlock('latest');
  if (block === null) throw new GovTransactionError('The RPC endpoint returned no latest block.');
  return BigInt(block.timestamp);
}

/** `TimelockController.hashOperation`, computed locally. */
export function operationId(target: string, value: bigint, data: Hex, predecessor: Hex, salt: Hex): Hex {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256', 'bytes', 'bytes32', 'bytes32'], [target, value, data, predecessor, salt])) as Hex;
}

export async function operationState(timelock: Contract, id: Hex): Promise<{ state: OperationState; readyAt: bigint }> {
  const [s, t] = (await Promise.all([timelock.getFunction('getOperationState')(id), timelock.getFunction('getTimestamp')(id)])) as [bigint, bigint];
  const state = OPERATION_STATES[Number(s)];
  if (state === undefined) throw new GovTransactionError(`Unknown timelock operation state ${s}.`);
  return { state, readyAt: state === 'Done' ? 0n : BigInt(t) };
}

/** Safe's revert codes (contracts/Safe.sol, 1.4.1) that `vai gov` can run into, in words. */
const SAFE_REVERTS: Record<string, string> = {
  GS013: 'the call made by the Safe reverted (the target refused it)',
  GS020: 'signatures data too short (below the threshold)',
  GS025: 'a hash was not approved',
  GS026: 'a signer is not an owner',
  GS024: 'a contract signature is invalid',
};

/** Custom errors a governance call commonly reverts with (OpenZeppelin 5 and the protocol). */
const KNOWN_ERRORS = new Interface([
  'error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates)',
  'error TimelockInsufficientDelay(uint256 delay, uint256 minDelay)',
  'error TimelockUnexecutedPredecessor(bytes32 predecessorId)',
  'error TimelockUnauthorizedCaller(address caller)',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
  'error OwnableUnauthorizedAccount(address account)',
  'error OwnableInvalidOwner(address owner)',
  'error ERC1967InvalidImplementation(address implementation)',
  'error UUPSUnsupportedProxiableUUID(bytes32 slot)',
  'error InvalidInitialization()',
  'error FailedCall()',
  'error ModelRegistryUnknownModel(uint256 modelId)',
  'error ModelRegistryZeroModelHash()',
  'error ModelRegistryInvalidChallengeWindow(uint32 challengeWindow)',
  'error ModelRegistryZeroBond()',
  'error InferenceOracleInvalidParameter(bytes32 name, uint256 value)',
  'error InferenceOracleZeroAddress()',
  'error InferenceOracleUnauthorizedArbitrator(address caller)',
  'error InferenceOracleOutsideWindow(uint256 requestId, uint256 opensAt, uint256 closesAt)',
  'error InferenceOracleCommitmentMismatch(uint256 requestId)',
  'error InferenceOracleUnexpectedRequestState(uint256 requestId, bytes32 expectedStates)',
  'error InferenceOraclePaused()',
  'error PauseGuardianUnauthorizedAccount(address account)',
  'error AddressEmptyCode(address target)',
  'error ERC1967NonPayable()',
  'error UUPSUnauthorizedCallContext()',
]);

/** `Name(args)` for a known custom error, else its selector. */
export function decodeRevert(data: string): string {
  try {
    const e = KNOWN_ERRORS.parseError(data);
    if (e) return `${e.name}(${e.args.map((a: unknown) => String(a)).join(', ')})`;
  } catch {
    // unknown: fall through
  }
  return `custom error ${data.slice(0, 10)}`;
}

/** Wraps a failed transaction, naming the Safe revert code or the custom error when there is one. */
export function wrapTxError(what: string, err: unknown, sender?: string): GovTransactionError {
  const text = err instanceof Error ? err.message : String(err);
  // ethers puts the whole signed transaction in the message of a rejected send: never print it.
  if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'INSUFFICIENT_FUNDS') {
    return new GovTransactionError(`${what} was not sent: the sender${sender ? ` ${sender}` : ''} has not enough ETH to pay for gas.`, {
      metaMessages: ['Fund that account, or send with another key (--private-key: any funded account may execute).'],
      cause: err,
    });
  }
  const code = /GS0\d\d/.exec(text)?.[0];
  const data = typeof err === 'object' && err !== null && 'data' in err && typeof err.data === 'string' && err.data.length >= 10 ? err.data : undefined;
  const reason = code
    ? `${code}: ${SAFE_REVERTS[code] ?? 'see Safe.sol'}`
    : data
      ? `reverted with ${decodeRevert(data)}`
      : (text.split('\n')[0] ?? text).replace(/ \((?:action|transaction|data|code|info|error)=.*$/, '');
  return new GovTransactionError(`${what} failed: ${reason}.`, { cause: err });
}
