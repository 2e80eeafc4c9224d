import { VaiError } from '../errors.js';

/** Errors of `vai gov`; each says what to do next. */
export class GovError extends VaiError {
  override name = 'GovError';
}

export class GovWrongChainError extends GovError {
  override name = 'GovWrongChainError';
  constructor(
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(`Wrong chain: the proposal is bound to chain ${expected}, the RPC endpoint is chain ${actual}.`, {
      metaMessages: ['Point --rpc-url at the chain the proposal was made for (the Safe signature covers the chain id).'],
    });
  }
}

export class GovBelowThresholdError extends GovError {
  override name = 'GovBelowThresholdError';
  constructor(
    readonly collected: number,
    readonly threshold: bigint,
  ) {
    super(`Below threshold: ${collected} of ${threshold} owner signatures collected.`, {
      metaMessages: [`Collect ${Number(threshold) - collected} more with \`vai gov approve <file> --private-key <owner key>\`.`],
    });
  }
}

export class GovNotReadyError extends GovError {
  override name = 'GovNotReadyError';
  constructor(
    readonly operationId: string,
    readonly readyAt: bigint,
    readonly now: bigint,
  ) {
    super(`Not yet ready: operation ${operationId} becomes executable at ${readyAt} (${readyAt - now} s from now).`, {
      metaMessages: ['Run `vai gov execute <file>` again once the timelock delay has passed.'],
    });
  }
}

export class GovAlreadyExecutedError extends GovError {
  override name = 'GovAlreadyExecutedError';
  constructor(readonly what: string) {
    super(`Already executed: ${what}.`, { metaMessages: ['Nothing left to do; `vai gov status` shows the result.'] });
  }
}

export class GovNotOwnerError extends GovError {
  override name = 'GovNotOwnerError';
  constructor(
    readonly account: string,
    readonly safe: string,
  ) {
    super(`${account} is not an owner of the Safe ${safe}.`, { metaMessages: ['Sign with the key of one of the Safe owners.'] });
  }
}

export class GovStaleProposalError extends GovError {
  override name = 'GovStaleProposalError';
  constructor(
    readonly proposalNonce: bigint,
    readonly safeNonce: bigint,
  ) {
    super(`Stale proposal: it was built for Safe nonce ${proposalNonce}, the Safe is at nonce ${safeNonce}.`, {
      metaMessages: ['Another Safe transaction went first. Build it again with `vai gov propose`.'],
    });
  }
}

export class GovCancelledError extends GovError {
  override name = 'GovCancelledError';
  constructor(readonly operationId: string) {
    super(`Operation ${operationId} was scheduled and then cancelled.`, {
      metaMessages: ['Propose it again (with a new --salt) if it is still wanted.'],
    });
  }
}

export class GovProposalFileError extends GovError {
  override name = 'GovProposalFileError';
}

export class GovConfigError extends GovError {
  override name = 'GovConfigError';
}

export class GovTransactionError extends GovError {
  override name = 'GovTransactionError';
}

export class GovLayoutError extends GovError {
  override name = 'GovLayoutError';
}

/** A proposed call failed its checks (no code, the simulation reverts, an unsafe upgrade). */
export class GovCheckFailedError extends GovError {
  override name = 'GovCheckFailedError';
  constructor(
    readonly what: string,
    readonly failures: readonly { name: string; detail: string }[],
    hint: string,
  ) {
    super(`${what}: ${failures.map((f) => `${f.name}: ${f.detail}`).join('; ')}.`, { metaMessages: [hint] });
  }
}
