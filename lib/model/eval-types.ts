/** Parameters and figures of `vai model eval`, shared by the chain and graph evaluators. */
export type EvalSplit = 'all' | 'train' | 'test';

export type EvalModelParameters = {
  dir: string;
  data: string;
  label?: string;
  /** With a trained model: evaluate on its held-out rows (`test`), its training rows, or all rows. */
  split?: EvalSplit;
  /** Rows timed one by one per engine (the batch timing uses all rows). */
  timedRows?: number;
  /** Language models: the context windows of the text scored by teacher forcing (default 8). */
  windows?: number;
};

export type EngineTiming = { singleMicros: number; batchMicrosPerRow: number | null };

export type EvalModelReturnType = {
  model: string;
  rows: number;
  /** Rows whose quantized input falls outside the model's range (rejected, as on chain). */
  rejectedRows: number;
  floatAccuracy: number | null;
  integerAccuracy: number;
  /** Share of rows where onnxruntime's integer output equals the reference executor's. */
  engineAgreement: number;
  /** Share of rows where the integer prediction equals the float prediction. */
  floatIntegerAgreement: number | null;
  /** Largest |integer logit / 2^S − float logit| (float logits of the source graph's layers, float64). */
  maxLogitError: number | null;
  timing: { floatOnnxruntime: EngineTiming | null; integerOnnxruntime: EngineTiming; reference: EngineTiming };
};
