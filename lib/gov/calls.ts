import { FunctionFragment, Interface, getAddress, isAddress, isHexString, type Result } from 'ethers';
import { GovConfigError } from './errors.js';
import { UUPS_ABI } from './abi.js';
import type { Hex } from '../protocol/index.js';

/**
 * Encodes a call from a function signature and JSON arguments, e.g.
 * `setFee(uint256,uint96)` with `[1, "20000000000000000"]`, or a struct:
 * `registerModel((bytes32,uint16,uint16,int64,int64,uint8,uint8,address,uint32,uint96,uint96),bytes)`.
 */
export function encodeCall(signature: string, args: readonly unknown[]): Hex {
  // FunctionFragment.from throws on a bad signature; `new Interface([...])` would print ethers' own
  // "[Warning] Invalid Fragment" line to the console first and then fail less clearly.
  let fragment: FunctionFragment;
  try {
    fragment = FunctionFragment.from(`function ${signature.trim()}`);
  } catch (cause) {
    throw new GovConfigError(`[Param: function] Cannot parse the signature '${signature}'.`, {
      metaMessages: ['Write it as name(type,type,…), e.g. setFee(uint256,uint96).'],
      cause,
    });
  }
  const iface = new Interface([fragment]);
  try {
    return iface.encodeFunctionData(fragment, [...args]) as Hex;
  } catch (cause) {
    throw new GovConfigError(`[Param: args] The arguments do not fit ${signature}: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
}

/**
 * Why `value` is not an address, in words: a mixed-case address whose EIP-55 checksum fails is most often a
 * mistyped one, and saying so is more useful than "not an address".
 */
export function addressProblem(value: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return `${value} has a wrong EIP-55 checksum (mistyped? copy it again, or write it all lowercase)`;
  return `${value} is not an address (0x and 40 hex digits)`;
}

/** Parses `--args` (a JSON array). */
export function parseArgs(json: string | undefined): unknown[] {
  if (json === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new GovConfigError('[Param: args] must be a JSON array, e.g. \'[1, "1000"]\'.', { cause });
  }
  if (!Array.isArray(value)) throw new GovConfigError('[Param: args] must be a JSON array, e.g. \'[1, "1000"]\'.');
  return value;
}

/** `upgradeToAndCall(implementation, initCalldata)` for a UUPS proxy. */
export function encodeUpgrade(implementation: string, initCalldata: Hex = '0x'): Hex {
  if (!isAddress(implementation)) throw new GovConfigError(`[Param: upgrade] ${addressProblem(implementation)}.`);
  if (!isHexString(initCalldata)) throw new GovConfigError('[Param: init-calldata] must be 0x-prefixed hex.');
  return new Interface(UUPS_ABI).encodeFunctionData('upgradeToAndCall', [getAddress(implementation), initCalldata]) as Hex;
}

/** Calls governance usually makes; used to show operations in a readable form. */
const KNOWN = new Interface([
  ...UUPS_ABI,
  'function registerModel((bytes32 modelHash,uint16 inputLength,uint16 outputLength,int64 inputMin,int64 inputMax,uint8 scaleBits,uint8 outputKind,address verifier,uint32 challengeWindow,uint96 minBond,uint96 fee) spec, bytes weights)',
  'function setVerifier(uint256 modelId, address verifier)',
  'function setAudited(uint256 modelId, bool audited)',
  'function setDeprecated(uint256 modelId, bool deprecated)',
  'function setChallengeWindow(uint256 modelId, uint32 challengeWindow)',
  'function setMinBond(uint256 modelId, uint96 minBond)',
  'function setFee(uint256 modelId, uint96 fee)',
  'function setRequestTimeout(uint32 requestTimeout)',
  'function setWindows(uint32 disputeWindow, uint32 arbitrationWindow, uint32 unbondingDelay)',
  'function setTreasury(address treasury)',
  'function setArbitrator(address arbitrator)',
  'function setPaused(bool paused)',
  'function setPauseGuardian(address guardian)',
  'function transferOwnership(address newOwner)',
  'function resolveByArbitration(uint256 requestId, (address requester,uint64 modelId,uint32 callbackGasLimit,uint96 fee,uint96 bond,uint32 challengeWindow,uint16 outputLength,uint40 deadline,bytes32 inputHash,uint32 disputeWindow,uint16 verifierVersion,uint8 accepts) terms, (address proposer,address challenger,bytes32 outputHash,bytes32 claimHash) proposal, int256[] output)',
  'function claim(address to)',
  'function pause()',
  'function updateDelay(uint256 newDelay)',
  'function grantRole(bytes32 role, address account)',
  'function revokeRole(bytes32 role, address account)',
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function cancel(bytes32 id)',
]);

function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 42 ? `${value.slice(0, 18)}…(${(value.length - 2) / 2} bytes)` : value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `(${(value as Result | unknown[]).map(show).join(', ')})`;
  return String(value);
}

/** `name(arg: value, …)` for known calls (argument names from the contracts' ABIs), else the selector. */
export function describeCall(data: string): string {
  try {
    const tx = KNOWN.parseTransaction({ data });
    if (tx) return `${tx.name}(${tx.fragment.inputs.map((input, i) => `${input.name ? `${input.name}: ` : ''}${show(tx.args[i])}`).join(', ')})`;
  } catch {
    // unknown selector: fall through
  }
  if (data === '0x' || data === '') return 'plain transfer (no calldata)';
  if (data.length < 10) return `malformed calldata ${data} (${(data.length - 2) / 2} byte(s), shorter than a function selector)`;
  return `call ${data.slice(0, 10)} (${(data.length - 2) / 2} bytes, unknown function)`;
}
