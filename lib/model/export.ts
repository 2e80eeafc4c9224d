import { DataType, attrFloat, attrInt, floatTensor, node, vaiModel, valueInfo, type OnnxModel, type OnnxNode, type OnnxTensor } from '../onnx/index.js';
import type { TrainedMlp } from './train.js';

/** ONNX opset of the float graphs the project writes. */
export const FLOAT_OPSET = 17;

/**
 * Writes a trained classifier as a float ONNX graph shaped like `torch.onnx.export` output for a
 * `nn.Sequential` with a normalization step: `Sub(mean)`, `Div(std)`, then `Gemm(transB=1)` per layer
 * with `Relu` between them, float32 initializers as raw data, a symbolic batch dimension.
 * Input `input` `[batch, F]`, output `logits` `[batch, classes]`.
 */
export function exportFloatOnnx(mlp: TrainedMlp, producerVersion: string): OnnxModel {
  const inputLength = mlp.mean.length;
  const initializers: OnnxTensor[] = [floatTensor('normalize.mean', [inputLength], mlp.mean), floatTensor('normalize.std', [inputLength], mlp.std)];
  const nodes: OnnxNode[] = [
    node('Sub', ['input', 'normalize.mean'], ['/normalize/Sub_output_0'], [], '/normalize/Sub'),
    node('Div', ['/normalize/Sub_output_0', 'normalize.std'], ['/normalize/Div_output_0'], [], '/normalize/Div'),
  ];
  let current = '/normalize/Div_output_0';
  mlp.layers.forEach((layer, l) => {
    const last = l === mlp.layers.length - 1;
    const prefix = `/fc${l + 1}`;
    initializers.push(floatTensor(`fc${l + 1}.weight`, [layer.outDim, layer.inDim], layer.weights), floatTensor(`fc${l + 1}.bias`, [layer.outDim], layer.bias));
    const out = last ? 'logits' : `${prefix}/Gemm_output_0`;
    nodes.push(
      node(
        'Gemm',
        [current, `fc${l + 1}.weight`, `fc${l + 1}.bias`],
        [out],
        [attrFloat('alpha', 1), attrFloat('beta', 1), attrInt('transB', 1)],
        `${prefix}/Gemm`,
      ),
    );
    current = out;
    if (!last) {
      nodes.push(node('Relu', [current], [`/relu${l + 1}/Relu_output_0`], [], `/relu${l + 1}/Relu`));
      current = `/relu${l + 1}/Relu_output_0`;
    }
  });
  const classes = mlp.layers.at(-1)?.outDim ?? 0;
  return vaiModel(
    {
      name: 'main_graph',
      nodes,
      initializers,
      inputs: [valueInfo('input', DataType.FLOAT, ['batch', inputLength])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', classes])],
    },
    FLOAT_OPSET,
    producerVersion,
  );
}
