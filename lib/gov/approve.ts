import { getAddress, type JsonRpcProvider, type Wallet } from 'ethers';
import { assertChain, safeContract } from './chain.js';
import { checkProposalCall, type CheckReport } from './checks.js';
import { GovCheckFailedError, GovNotOwnerError, GovStaleProposalError } from './errors.js';
import { recoverSigner, safeTxTypedData, type Proposal } from './proposal.js';
import type { Hex } from '../protocol/index.js';

export type ApproveParameters = {
  provider: JsonRpcProvider;
  proposal: Proposal;
  signer: Wallet;
  /** Build info with storage layouts, for an upgrade's layout check. */
  buildInfoDir?: string | undefined;
  /** Sign even though a check fails now. */
  forceUnchecked?: boolean | undefined;
};
export type ApproveReturnType = { proposal: Proposal; signer: string; replaced: boolean; checks: CheckReport | null };

/**
 * Adds one owner's EIP-712 signature of the SafeTx to the proposal (replacing an earlier one by the same owner).
 * Refuses a wrong chain, a non-owner and a proposal whose nonce the Safe has passed, and, before signing, runs the
 * call's checks again on the current state (the proposer's recorded result may be old or forced): a failing check
 * refuses the signature unless `forceUnchecked`.
 */
export async function approve({ provider, proposal, signer, buildInfoDir, forceUnchecked }: ApproveParameters): Promise<ApproveReturnType> {
  await assertChain(provider, proposal.chainId);
  const safe = safeContract(proposal.safe, provider);
  const account = getAddress(signer.address);
  if (!((await safe.getFunction('isOwner')(account)) as boolean)) throw new GovNotOwnerError(account, proposal.safe);
  const safeNonce = BigInt(await safe.getFunction('nonce')());
  if (safeNonce !== proposal.safeTx.nonce) throw new GovStaleProposalError(proposal.safeTx.nonce, safeNonce);
  let checks = await checkProposalCall(provider, proposal, { buildInfoDir });
  if (checks !== null && !checks.ok) {
    if (!forceUnchecked) {
      throw new GovCheckFailedError(
        'Not signed, the proposed call fails its checks now',
        checks.checks.filter((c) => !c.ok),
        'Ask the proposer why; sign anyway only knowing it, with --force-unchecked.',
      );
    }
    checks = { ...checks, forced: true };
  }

  const t = safeTxTypedData(proposal.chainId, proposal.safe, proposal.safeTx);
  const signature = (await signer.signTypedData(t.domain, t.types, t.value)) as Hex;
  if (recoverSigner(proposal, signature) !== account) throw new GovNotOwnerError(account, proposal.safe);
  const others = proposal.signatures.filter((s) => s.signer !== account);
  return {
    proposal: { ...proposal, signatures: [...others, { signer: account, signature }] },
    signer: account,
    replaced: others.length !== proposal.signatures.length,
    checks,
  };
}
