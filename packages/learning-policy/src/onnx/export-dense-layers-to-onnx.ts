import { ValidationError } from '@orchestra/learning-types';
import type { DenseLayer } from '../artifact/model-artifact';
import { ONNX_FLOAT, ONNX_IR_VERSION, ONNX_OPSET_VERSION, onnxAttributeType, onnxFields } from './onnx-format';
import { ProtobufWriter } from './protobuf-writer';

/** Options of `exportDenseLayersToOnnx`. */
export interface OnnxExportOptions {
  /** Name of the graph input `[batch, inputSize]` float32 (default `features`, as the policy manifest expects). */
  inputName?: string;
  /** Name of the graph output `[batch, outputSize]` float32 (default `logits`). */
  outputName?: string;
  /** Graph name (default `actor`). */
  graphName?: string;
  /** Name of the dynamic batch dimension (default `batch`). */
  batchDimension?: string;
  /** Written as the model's `metadata_props` (e.g. the feature-schema hash). */
  metadata?: Readonly<Record<string, string>>;
  /** Written as `producer_name` (default `@orchestra/learning-policy`; the trainer's artifacts name the trainer). */
  producerName?: string;
  /** Written as `producer_version`. */
  producerVersion?: string;
}

function checkLayers(layers: readonly DenseLayer[]): void {
  const issue = (path: string, message: string): never => {
    throw new ValidationError({ what: 'dense layers for ONNX export', issues: [{ path, message }], value: layers });
  };
  if (layers.length === 0) issue('', 'at least one layer is needed');
  layers.forEach((layer, index) => {
    if (!Number.isInteger(layer.inputSize) || layer.inputSize <= 0) issue(`${index}.inputSize`, 'must be a positive integer');
    if (!Number.isInteger(layer.outputSize) || layer.outputSize <= 0) issue(`${index}.outputSize`, 'must be a positive integer');
    if (layer.kernel.length !== layer.inputSize * layer.outputSize) issue(`${index}.kernel`, `must hold inputSize × outputSize = ${layer.inputSize * layer.outputSize} values`);
    if (layer.bias.length !== layer.outputSize) issue(`${index}.bias`, `must hold outputSize = ${layer.outputSize} values`);
    if (layer.activation !== 'relu' && layer.activation !== 'linear') issue(`${index}.activation`, 'must be relu or linear');
    if (index > 0 && layer.inputSize !== layers[index - 1]!.outputSize) issue(`${index}.inputSize`, `must equal the previous layer's outputSize ${layers[index - 1]!.outputSize}`);
    if (!layer.kernel.every(Number.isFinite)) issue(`${index}.kernel`, 'must be finite');
    if (!layer.bias.every(Number.isFinite)) issue(`${index}.bias`, 'must be finite');
  });
}

function floatTensor(name: string, dims: readonly number[], values: Float32Array): ProtobufWriter {
  // raw_data is little-endian float32; write through a DataView so big-endian hosts produce the same bytes.
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index]!, true);
  return new ProtobufWriter()
    .packedVarints(onnxFields.tensor.dims, dims)
    .varint(onnxFields.tensor.dataType, ONNX_FLOAT)
    .string(onnxFields.tensor.name, name)
    .bytes(onnxFields.tensor.rawData, raw);
}

function floatMatrixValueInfo(name: string, batchDimension: string, width: number): ProtobufWriter {
  const shape = new ProtobufWriter()
    .message(onnxFields.tensorShape.dimension, new ProtobufWriter().string(onnxFields.dimension.parameter, batchDimension))
    .message(onnxFields.tensorShape.dimension, new ProtobufWriter().varint(onnxFields.dimension.value, width));
  const tensorType = new ProtobufWriter().varint(onnxFields.tensorType.elementType, ONNX_FLOAT).message(onnxFields.tensorType.shape, shape);
  return new ProtobufWriter()
    .string(onnxFields.valueInfo.name, name)
    .message(onnxFields.valueInfo.type, new ProtobufWriter().message(onnxFields.type.tensorType, tensorType));
}

function node(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attributes: ProtobufWriter[] = []): ProtobufWriter {
  const writer = new ProtobufWriter();
  for (const input of inputs) writer.string(onnxFields.node.input, input);
  for (const output of outputs) writer.string(onnxFields.node.output, output);
  writer.string(onnxFields.node.name, name).string(onnxFields.node.opType, opType);
  for (const attribute of attributes) writer.message(onnxFields.node.attribute, attribute);
  return writer;
}

function floatAttribute(name: string, value: number): ProtobufWriter {
  return new ProtobufWriter().string(onnxFields.attribute.name, name).float(onnxFields.attribute.float, value).varint(onnxFields.attribute.type, onnxAttributeType.float);
}

/**
 * Exports a dense network to an ONNX model (opset 13, IR version 7): for each layer a `Gemm` (Y = X·W + B, the
 * kernel stored row-major `[inputSize][outputSize]` as the initializer `W` unchanged) followed by `Relu` where the
 * layer has one. Input `features` `[batch, inputSize]`, output `logits` `[batch, outputSize]`, both float32, with a
 * dynamic (named) batch dimension — the names `OnnxActorRuntime` expects. Written with a small protobuf encoder; no
 * dependency. The one ONNX writer of the project: the trainer's artifact writer calls it too.
 *
 * @throws ValidationError naming the offending layer field when the layers do not form a valid network.
 */
export function exportDenseLayersToOnnx(layers: readonly DenseLayer[], options: OnnxExportOptions = {}): Uint8Array {
  checkLayers(layers);
  const inputName = options.inputName ?? 'features';
  const outputName = options.outputName ?? 'logits';
  const batchDimension = options.batchDimension ?? 'batch';
  const graph = new ProtobufWriter();
  let current = inputName;
  const initializers: ProtobufWriter[] = [];
  layers.forEach((layer, index) => {
    const last = index === layers.length - 1;
    const kernelName = `layer${index}.kernel`;
    const biasName = `layer${index}.bias`;
    initializers.push(floatTensor(kernelName, [layer.inputSize, layer.outputSize], layer.kernel));
    initializers.push(floatTensor(biasName, [layer.outputSize], layer.bias));
    const gemmOutput = last && layer.activation === 'linear' ? outputName : `layer${index}.linear`;
    graph.message(onnxFields.graph.node, node('Gemm', `layer${index}.gemm`, [current, kernelName, biasName], [gemmOutput], [floatAttribute('alpha', 1), floatAttribute('beta', 1)]));
    current = gemmOutput;
    if (layer.activation === 'relu') {
      const reluOutput = last ? outputName : `layer${index}.relu`;
      graph.message(onnxFields.graph.node, node('Relu', `layer${index}.relu`, [current], [reluOutput]));
      current = reluOutput;
    }
  });
  graph.string(onnxFields.graph.name, options.graphName ?? 'actor');
  for (const initializer of initializers) graph.message(onnxFields.graph.initializer, initializer);
  graph.message(onnxFields.graph.input, floatMatrixValueInfo(inputName, batchDimension, layers[0]!.inputSize));
  graph.message(onnxFields.graph.output, floatMatrixValueInfo(outputName, batchDimension, layers[layers.length - 1]!.outputSize));

  const model = new ProtobufWriter()
    .varint(onnxFields.model.irVersion, ONNX_IR_VERSION)
    .string(onnxFields.model.producerName, options.producerName ?? '@orchestra/learning-policy');
  if (options.producerVersion !== undefined) model.string(onnxFields.model.producerVersion, options.producerVersion);
  model
    .message(onnxFields.model.graph, graph)
    .message(onnxFields.model.opsetImport, new ProtobufWriter().string(onnxFields.operatorSetId.domain, '').varint(onnxFields.operatorSetId.version, ONNX_OPSET_VERSION));
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    model.message(onnxFields.model.metadataProps, new ProtobufWriter().string(onnxFields.stringStringEntry.key, key).string(onnxFields.stringStringEntry.value, value));
  }
  return model.finish();
}
