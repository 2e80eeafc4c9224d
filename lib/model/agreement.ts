import { EngineMismatchError } from './errors.js';
import { openSession, runIntBatch } from './ort.js';

/** What the reference executor gives for one input: the model output and the values onnxruntime returns as `logits`. */
export type ReferenceRun = (input: readonly bigint[]) => { output: readonly bigint[]; last: readonly bigint[] };

/**
 * Runs an integer onnxruntime graph and the reference executor on the same inputs and throws
 * {@link EngineMismatchError} on the first difference (the output, or the last values, named `lastName` in the
 * message). Returns the (agreed) outputs. One check for chain models and graphs alike.
 */
export async function checkEngineAgreement(
  intOnnx: Uint8Array,
  inputs: readonly bigint[][],
  inputLength: number,
  reference: ReferenceRun,
  lastName: string,
): Promise<bigint[][]> {
  if (inputs.length === 0) return [];
  const session = await openSession(intOnnx);
  try {
    const { outputs, logits } = await runIntBatch(session, inputs, inputLength, { withLogits: true });
    inputs.forEach((input, r) => {
      const want = reference(input);
      const pairs: [string, readonly bigint[], readonly bigint[]][] = [
        ['output', outputs[r]!, want.output],
        [lastName, logits![r]!, want.last],
      ];
      for (const [what, got, expected] of pairs) {
        if (expected.join(',') !== got.join(',')) {
          throw new EngineMismatchError(`row ${r} ${what}: onnxruntime [${got.join(', ')}], reference [${expected.join(', ')}]`);
        }
      }
    });
    return outputs;
  } finally {
    await session.release();
  }
}
