import { DataType, attrInt, int64Tensor, node, vaiModel, valueInfo, type OnnxModel, type OnnxNode, type OnnxTensor } from '../onnx/index.js';
import { computeBounds, type IntModel } from '../semantics/index.js';

/** Opset of the integer graph: Mod with fmod=0 (opset 10+) and ArgMax select_last_index (12+). */
export const INT_OPSET = 13;

/**
 * Writes the canonical integer model as an ONNX graph of int64 ops that onnxruntime-node runs on the
 * CPU provider. Per layer, with `z = x·Wᵀ + (B + 2^(S-1))`:
 *
 * ```
 * y = (z - Mod(z, 2^S)) / 2^S     Mod with fmod=0 takes the divisor's sign, so z - Mod(z, 2^S) is
 *                                  the multiple of 2^S at or below z and the Div is exact: floor.
 * y = Where(Less(y, 0), 0, y)      if the layer has ReLU
 * ```
 *
 * ReLU is not `Max(y, 0)`: onnxruntime 1.30's int64 Max (and Min) kernel on the CPU provider
 * returns wrong results for values whose low 32 bits have the top bit set (Max(3389447714, 0) = 0),
 * and there is no int64 Relu kernel. Less and Where are exact over the whole int64 range.
 * Integer Div alone would truncate toward zero and differ from the semantics for negative values.
 * The rounding constant 2^(S-1) is added to the bias initializer, which the static bounds cover
 * (they bound `acc + 2^(S-1)`). Input `input` `[batch, inputLength]` int64; output `output`
 * (`[batch, outDim]` logits, or `[batch, 1]` argmax with the lowest index winning ties) and, for
 * argmax models, `logits` as a second output.
 */
export function buildIntegerOnnx(model: IntModel, producerVersion: string): OnnxModel {
  computeBounds(model); // refuse unbounded models before writing anything
  const S = model.scaleBits;
  const initializers: OnnxTensor[] = [int64Tensor('scale', [], [1n << BigInt(S)])];
  if (model.layers.some((l) => l.relu)) initializers.push(int64Tensor('zero', [], [0n]));
  const nodes: OnnxNode[] = [];
  const half = 1n << BigInt(S - 1);
  let current = 'input';
  model.layers.forEach((layer, l) => {
    const p = `/layer${l}`;
    const wt = new BigInt64Array(layer.inDim * layer.outDim);
    for (let j = 0; j < layer.outDim; j++) {
      const row = layer.weights[j]!;
      for (let i = 0; i < layer.inDim; i++) wt[i * layer.outDim + j] = BigInt(row[i]!);
    }
    initializers.push(
      int64Tensor(`layer${l}.weight_t`, [layer.inDim, layer.outDim], wt),
      int64Tensor(
        `layer${l}.bias_plus_half`,
        [layer.outDim],
        layer.bias.map((b) => BigInt(b) + half),
      ),
    );
    const y = `${p}/y`;
    nodes.push(
      node('MatMul', [current, `layer${l}.weight_t`], [`${p}/xw`], [], `${p}/MatMul`),
      node('Add', [`${p}/xw`, `layer${l}.bias_plus_half`], [`${p}/z`], [], `${p}/Add`),
      node('Mod', [`${p}/z`, 'scale'], [`${p}/r`], [attrInt('fmod', 0)], `${p}/Mod`),
      node('Sub', [`${p}/z`, `${p}/r`], [`${p}/z_floor`], [], `${p}/Sub`),
      node('Div', [`${p}/z_floor`, 'scale'], [y], [], `${p}/Div`),
    );
    current = y;
    if (layer.relu) {
      nodes.push(node('Less', [y, 'zero'], [`${p}/negative`], [], `${p}/Less`), node('Where', [`${p}/negative`, 'zero', y], [`${p}/relu`], [], `${p}/Relu`));
      current = `${p}/relu`;
    }
  });
  const classes = model.layers.at(-1)?.outDim ?? 0;
  const outputs = [];
  if (model.outputKind === 'argmax') {
    nodes.push(node('Identity', [current], ['logits'], [], '/logits'));
    nodes.push(node('ArgMax', [current], ['output'], [attrInt('axis', 1), attrInt('keepdims', 1), attrInt('select_last_index', 0)], '/ArgMax'));
    outputs.push(valueInfo('output', DataType.INT64, ['batch', 1]), valueInfo('logits', DataType.INT64, ['batch', classes]));
  } else {
    nodes.push(node('Identity', [current], ['output'], [], '/output'));
    outputs.push(valueInfo('output', DataType.INT64, ['batch', classes]));
  }
  const inputLength = model.layers[0]?.inDim ?? 0;
  return vaiModel(
    { name: 'vai_integer_mlp', nodes, initializers, inputs: [valueInfo('input', DataType.INT64, ['batch', inputLength])], outputs },
    INT_OPSET,
    producerVersion,
  );
}
