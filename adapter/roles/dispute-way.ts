import { disputeByBisection, estimateReexecutionGas } from '../../lib/protocol/index.js';
import type { StepsCommitmentInfo } from '../chain/oracle.js';
import type { LoadedModel } from '../inference/catalog.js';

/**
 * Whether a dispute no proof settles is played as a bisection game ({@link disputeByBisection}): a chain model's
 * when re-execution is impossible or above the cap, a generation model's when its steps commitment names the graph
 * step executor (a graph model without generation has no trace).
 */
export function bisectsDispute(model: LoadedModel, weightsOnChain: boolean, steps: StepsCommitmentInfo): boolean {
  const stepsCommitted = steps.count > 0;
  if (model.kind === 'chain') return disputeByBisection({ stepsCommitted, weightsOnChain, reexecutionGas: estimateReexecutionGas(model.model) });
  return model.generation !== undefined && disputeByBisection({ stepsCommitted, weightsOnChain, reexecutionGas: 0n, graph: { stepExecutor: steps.executor } });
}
