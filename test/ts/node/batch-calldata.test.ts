import { JsonRpcProvider } from 'ethers';
import { describe, expect, it } from 'vitest';
import { EthersOracleGateway } from '../../../adapter/chain/ethers-oracle.js';
import { oracleInterface } from '../../../lib/client/oracle-abi.js';
import type { MaturedProposal, RequestTerms } from '../../../lib/protocol/index.js';
import type { Hex } from '../../../lib/semantics/index.js';

const terms = (n: bigint): RequestTerms => ({
  requester: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  modelId: 1n,
  callbackGasLimit: 100_000n,
  fee: 10n ** 16n,
  bond: 10n ** 18n,
  challengeWindow: 3600n,
  outputLength: 1n,
  deadline: 1_000n + n,
  inputHash: `0x${n.toString(16).padStart(64, '0')}` as Hex,
  disputeWindow: 86_400n,
  verifierVersion: 1n,
  accepts: 0n,
});

/** The batch calls the node will send: encoded with the oracle address's merged ABI (IBatches included). */
describe('batch calldata', () => {
  const gateway = new EthersOracleGateway(
    '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    new JsonRpcProvider('http://127.0.0.1:1', 31337, { staticNetwork: true }),
  );
  const iface = oracleInterface();

  it('proposeWithProofBatch carries the proof, its packed signals and every request with its terms', () => {
    const data = gateway.calldata.proposeWithProofBatch({ modelId: 1n, verifierVersion: 1n, batchSize: 4, signals: [1n, 2n, 3n], proof: '0x1234' }, [
      { requestId: 7n, terms: terms(7n) },
      { requestId: 8n, terms: terms(8n) },
    ]);
    const parsed = iface.parseTransaction({ data });
    expect(parsed?.name).toBe('proposeWithProofBatch');
    const [batch, ids, t] = parsed!.args;
    expect(batch.batchSize).toBe(4n);
    expect([...batch.signals]).toEqual([1n, 2n, 3n]);
    expect(batch.proof).toBe('0x1234');
    expect([...ids]).toEqual([7n, 8n]);
    expect(t[1].inputHash).toBe(terms(8n).inputHash);
  });

  it('proposeBatch and finalizeBatch carry the proposals and the matured ones', () => {
    const matured: MaturedProposal[] = [
      {
        requestId: 9n,
        terms: terms(9n),
        proposal: {
          proposer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          challenger: '0x0000000000000000000000000000000000000000',
          outputHash: `0x${'ab'.repeat(32)}`,
          claimHash: `0x${'00'.repeat(32)}`,
        },
        output: [3n],
      },
    ];
    const propose = iface.parseTransaction({ data: gateway.calldata.proposeBatch([{ requestId: 7n, terms: terms(7n), output: [5n] }], matured) });
    expect(propose?.name).toBe('proposeBatch');
    expect([...propose!.args[0]]).toEqual([7n]);
    expect(propose!.args[2][0][0]).toBe(5n);
    expect(propose!.args[3][0].requestId).toBe(9n);
    const finalize = iface.parseTransaction({ data: gateway.calldata.finalizeBatch(matured) });
    expect(finalize?.name).toBe('finalizeBatch');
    expect(finalize!.args[0][0].output[0]).toBe(3n);
  });

  it('decodes the batch errors', () => {
    const data = iface.encodeErrorResult('InferenceOracleInvalidBatchProof', [1n]);
    expect(gateway.decodeRevert(data)).toEqual({ name: 'InferenceOracleInvalidBatchProof', args: [1n] });
  });
});
