import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  attrFloat,
  attrInt,
  floatTensor,
  int64Tensor,
  node,
  valueInfo,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
} from '../../../lib/onnx/index.js';
import { createRandom } from '../../../lib/model/random.js';

export const tempDir = (prefix = 'vai-model-'): Promise<string> => mkdtemp(join(tmpdir(), prefix));

function randomValues(n: number, seed: number, scale = 0.5): number[] {
  const next = createRandom(seed);
  return Array.from({ length: n }, () => (next() * 2 - 1) * scale);
}

function model(
  opset: number,
  nodes: OnnxNode[],
  initializers: OnnxTensor[],
  input: ReturnType<typeof valueInfo>,
  output: string,
  outShape: (number | string | null)[],
  producer: string,
  irVersion = 8,
  outType = input.elemType,
): OnnxModel {
  return {
    irVersion,
    producerName: producer,
    producerVersion: '1.0',
    opsets: [{ domain: '', version: opset }],
    graph: { name: 'main_graph', nodes, initializers, inputs: [input], outputs: [valueInfo(output, outType, outShape)] },
  };
}

/** As `torch.onnx.export` writes `nn.Sequential(Flatten, Linear, ReLU, Linear)` on 1×8×8 images. */
export function pytorchImageMlp(): OnnxModel {
  return model(
    17,
    [
      node('Flatten', ['input.1'], ['/flatten/Flatten_output_0'], [attrInt('axis', 1)], '/flatten/Flatten'),
      node(
        'Gemm',
        ['/flatten/Flatten_output_0', 'fc1.weight', 'fc1.bias'],
        ['/fc1/Gemm_output_0'],
        [attrFloat('alpha', 1), attrFloat('beta', 1), attrInt('transB', 1)],
        '/fc1/Gemm',
      ),
      node('Relu', ['/fc1/Gemm_output_0'], ['/relu/Relu_output_0'], [], '/relu/Relu'),
      node(
        'Gemm',
        ['/relu/Relu_output_0', 'fc2.weight', 'fc2.bias'],
        ['logits'],
        [attrFloat('alpha', 1), attrFloat('beta', 1), attrInt('transB', 1)],
        '/fc2/Gemm',
      ),
    ],
    [
      floatTensor('fc1.weight', [16, 64], randomValues(16 * 64, 1, 0.3)),
      floatTensor('fc1.bias', [16], randomValues(16, 2)),
      floatTensor('fc2.weight', [10, 16], randomValues(160, 3)),
      floatTensor('fc2.bias', [10], randomValues(10, 4)),
    ],
    valueInfo('input.1', DataType.FLOAT, ['batch_size', 1, 8, 8]),
    'logits',
    ['batch_size', 10],
    'pytorch',
  );
}

/** Standardization as `Sub(mean)` / `Div(std)` nodes before `Gemm(transB=1)`, ending in Softmax. */
export function standardizedGemm(): OnnxModel {
  return model(
    13,
    [
      node('Sub', ['input', 'mean'], ['centered'], [], '/Sub'),
      node('Div', ['centered', 'std'], ['scaled'], [], '/Div'),
      node('Gemm', ['scaled', 'w1', 'b1'], ['h'], [attrInt('transB', 1)], '/l1/Gemm'),
      node('Relu', ['h'], ['hr'], [], '/l1/Relu'),
      node('Gemm', ['hr', 'w2', 'b2'], ['z'], [attrInt('transB', 1)], '/l2/Gemm'),
      node('Softmax', ['z'], ['probabilities'], [attrInt('axis', 1)], '/Softmax'),
    ],
    [
      floatTensor('mean', [4], [5.8, 3.0, 3.7, 1.2]),
      floatTensor('std', [4], [0.8, 0.4, 1.7, 0.75]),
      floatTensor('w1', [6, 4], randomValues(24, 5, 1)),
      floatTensor('b1', [6], randomValues(6, 6)),
      floatTensor('w2', [3, 6], randomValues(18, 7, 1)),
      floatTensor('b2', [3], randomValues(3, 8)),
    ],
    valueInfo('input', DataType.FLOAT, ['N', 4]),
    'probabilities',
    ['N', 3],
    'pytorch',
  );
}

/** As tf2onnx writes a Keras Dense stack: Reshape, MatMul + Add, symbolic `unk__` batch, opset 11. */
export function tf2onnxMatMul(): OnnxModel {
  return model(
    11,
    [
      node('Reshape', ['dense_input', 'new_shape'], ['flat'], [], 'sequential/flatten/Reshape'),
      node('MatMul', ['flat', 'W0'], ['mm0'], [], 'sequential/dense/MatMul'),
      node('Add', ['mm0', 'B0'], ['a0'], [], 'sequential/dense/BiasAdd'),
      node('Relu', ['a0'], ['r0'], [], 'sequential/dense/Relu'),
      node('MatMul', ['r0', 'W1'], ['mm1'], [], 'sequential/dense_1/MatMul'),
      node('Add', ['mm1', 'B1'], ['a1'], [], 'sequential/dense_1/BiasAdd'),
      node('Identity', ['a1'], ['dense_1'], [], 'Identity'),
    ],
    [
      int64Tensor('new_shape', [2], [-1n, 8n]),
      floatTensor('W0', [8, 5], randomValues(40, 9, 1)),
      floatTensor('B0', [5], randomValues(5, 10)),
      floatTensor('W1', [5, 3], randomValues(15, 11, 1)),
      floatTensor('B1', [1, 3], randomValues(3, 12)),
    ],
    valueInfo('dense_input', DataType.FLOAT, ['unk__6', 2, 4]),
    'dense_1',
    ['unk__6', 3],
    'tf2onnx',
    6,
  );
}

/** As skl2onnx writes a scaler before a linear model: Mul/Add, Gemm with transB=0, alpha and beta, float64. */
export function sklearnDouble(): OnnxModel {
  return model(
    15,
    [
      node('Mul', ['float_input', 'scale'], ['scaled'], [], 'Scaler_Mul'),
      node('Add', ['scaled', 'offset'], ['variable'], [], 'Scaler_Add'),
      node(
        'Gemm',
        ['variable', 'coef', 'intercept'],
        ['label_scores'],
        [attrFloat('alpha', 0.5), attrFloat('beta', 2), attrInt('transB', 0)],
        'LinearClassifier_Gemm',
      ),
      node('ArgMax', ['label_scores'], ['label'], [attrInt('axis', 1), attrInt('keepdims', 1)], 'ArgMax'),
    ],
    [
      floatTensor('scale', [3], [0.5, 2, 0.25], DataType.DOUBLE),
      floatTensor('offset', [3], [-1, 0.5, 0], DataType.DOUBLE),
      floatTensor('coef', [3, 2], randomValues(6, 13, 2), DataType.DOUBLE),
      floatTensor('intercept', [2], randomValues(2, 14), DataType.DOUBLE),
    ],
    valueInfo('float_input', DataType.DOUBLE, [null, 3]),
    'label',
    [null, 1],
    'skl2onnx',
    8,
    DataType.INT64,
  );
}

/** Random raw input rows in `[lo, hi]`. */
export function randomRows(count: number, length: number, lo: number, hi: number, seed: number): Float64Array[] {
  const next = createRandom(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length }, () => lo + next() * (hi - lo)));
}

/** CSV text of rows with a label column (0 unless `labels` are given), the usual layout. */
export function toCsv(rows: readonly Float64Array[], labels?: readonly number[]): string {
  return `${rows.map((r, i) => [...r, labels?.[i] ?? 0].join(',')).join('\n')}\n`;
}
