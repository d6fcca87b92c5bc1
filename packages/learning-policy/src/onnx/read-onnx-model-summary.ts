import { OnnxModelError } from '../errors/onnx-model-error';
import { onnxFields } from './onnx-format';
import { protobufPackedVarints, protobufText, readProtobufFields, type ProtobufField } from './protobuf-reader';

/** A graph input or output: its name, element type and dimensions (a string for a named, dynamic dimension). */
export interface OnnxValueSummary {
  name: string;
  elementType: number;
  dimensions: (number | string)[];
}

/** What `readOnnxModelSummary` finds in an ONNX model: enough to check an export without running it. */
export interface OnnxModelSummary {
  irVersion: number;
  producerName: string;
  /** Version of the default (`ai.onnx`) operator set. */
  opsetVersion: number;
  graphName: string;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  /** Operator type of every node, in order. */
  operators: string[];
  initializers: { name: string; dimensions: number[]; byteLength: number }[];
  metadata: Record<string, string>;
}

function parse(bytes: Uint8Array, location: string): ProtobufField[] {
  try {
    return readProtobufFields(bytes);
  } catch (error) {
    throw new OnnxModelError({ location, message: error instanceof Error ? error.message : String(error), cause: error });
  }
}

function packedVarints(bytes: Uint8Array, location: string): number[] {
  try {
    return protobufPackedVarints(bytes);
  } catch (error) {
    throw new OnnxModelError({ location, message: error instanceof Error ? error.message : String(error), cause: error });
  }
}

function text(field: ProtobufField, location: string): string {
  if (field.type !== 'bytes') throw new OnnxModelError({ location, message: 'expected a string field' });
  try {
    return protobufText(field.bytes);
  } catch (error) {
    throw new OnnxModelError({ location, message: 'invalid UTF-8', cause: error });
  }
}

function nested(field: ProtobufField, location: string): ProtobufField[] {
  if (field.type !== 'bytes') throw new OnnxModelError({ location, message: 'expected an embedded message' });
  return parse(field.bytes, location);
}

function varint(field: ProtobufField, location: string): number {
  if (field.type !== 'varint') throw new OnnxModelError({ location, message: 'expected a varint field' });
  return field.value;
}

function valueSummary(field: ProtobufField, location: string): OnnxValueSummary {
  const summary: OnnxValueSummary = { name: '', elementType: 0, dimensions: [] };
  for (const part of nested(field, location)) {
    if (part.field === onnxFields.valueInfo.name) summary.name = text(part, `${location}.name`);
    if (part.field !== onnxFields.valueInfo.type) continue;
    for (const typePart of nested(part, `${location}.type`)) {
      if (typePart.field !== onnxFields.type.tensorType) continue;
      for (const tensorPart of nested(typePart, `${location}.type.tensorType`)) {
        if (tensorPart.field === onnxFields.tensorType.elementType) summary.elementType = varint(tensorPart, `${location}.type.elementType`);
        if (tensorPart.field !== onnxFields.tensorType.shape) continue;
        for (const dimension of nested(tensorPart, `${location}.type.shape`)) {
          if (dimension.field !== onnxFields.tensorShape.dimension) continue;
          for (const dimensionPart of nested(dimension, `${location}.type.shape.dimension`)) {
            if (dimensionPart.field === onnxFields.dimension.value) summary.dimensions.push(varint(dimensionPart, `${location}.type.shape.dimension`));
            if (dimensionPart.field === onnxFields.dimension.parameter) summary.dimensions.push(text(dimensionPart, `${location}.type.shape.dimension`));
          }
        }
      }
    }
  }
  return summary;
}

/**
 * Decodes the outline of an ONNX model (IR version, opset, graph inputs/outputs with shapes, operators,
 * initializers, metadata) without running it. Throws `OnnxModelError` for bytes that are not a model with a graph.
 */
export function readOnnxModelSummary(bytes: Uint8Array): OnnxModelSummary {
  const summary: OnnxModelSummary = {
    irVersion: 0,
    producerName: '',
    opsetVersion: 0,
    graphName: '',
    inputs: [],
    outputs: [],
    operators: [],
    initializers: [],
    metadata: {},
  };
  let graphSeen = false;
  for (const field of parse(bytes, 'bytes')) {
    switch (field.field) {
      case onnxFields.model.irVersion:
        summary.irVersion = varint(field, 'irVersion');
        break;
      case onnxFields.model.producerName:
        summary.producerName = text(field, 'producerName');
        break;
      case onnxFields.model.opsetImport: {
        let domain = '';
        let version = 0;
        for (const part of nested(field, 'opsetImport')) {
          if (part.field === onnxFields.operatorSetId.domain) domain = text(part, 'opsetImport.domain');
          if (part.field === onnxFields.operatorSetId.version) version = varint(part, 'opsetImport.version');
        }
        if (domain === '' || domain === 'ai.onnx') summary.opsetVersion = version;
        break;
      }
      case onnxFields.model.metadataProps: {
        let key = '';
        let value = '';
        for (const part of nested(field, 'metadataProps')) {
          if (part.field === onnxFields.stringStringEntry.key) key = text(part, 'metadataProps.key');
          if (part.field === onnxFields.stringStringEntry.value) value = text(part, 'metadataProps.value');
        }
        summary.metadata[key] = value;
        break;
      }
      case onnxFields.model.graph:
        graphSeen = true;
        for (const part of nested(field, 'graph')) {
          if (part.field === onnxFields.graph.name) summary.graphName = text(part, 'graph.name');
          if (part.field === onnxFields.graph.input) summary.inputs.push(valueSummary(part, `graph.input.${summary.inputs.length}`));
          if (part.field === onnxFields.graph.output) summary.outputs.push(valueSummary(part, `graph.output.${summary.outputs.length}`));
          if (part.field === onnxFields.graph.node) {
            const location = `graph.node.${summary.operators.length}`;
            const opType = nested(part, location).find((nodePart) => nodePart.field === onnxFields.node.opType);
            summary.operators.push(opType === undefined ? '' : text(opType, `${location}.opType`));
          }
          if (part.field === onnxFields.graph.initializer) {
            const location = `graph.initializer.${summary.initializers.length}`;
            const initializer = { name: '', dimensions: [] as number[], byteLength: 0 };
            for (const tensorPart of nested(part, location)) {
              if (tensorPart.field === onnxFields.tensor.name) initializer.name = text(tensorPart, `${location}.name`);
              if (tensorPart.field === onnxFields.tensor.dims) {
                if (tensorPart.type === 'varint') initializer.dimensions.push(tensorPart.value);
                else if (tensorPart.type === 'bytes') initializer.dimensions.push(...packedVarints(tensorPart.bytes, `${location}.dims`));
              }
              if (tensorPart.field === onnxFields.tensor.rawData && tensorPart.type === 'bytes') initializer.byteLength = tensorPart.bytes.byteLength;
            }
            summary.initializers.push(initializer);
          }
        }
        break;
      default:
        break;
    }
  }
  if (!graphSeen) throw new OnnxModelError({ location: 'graph', message: 'the model has no graph' });
  if (summary.irVersion === 0) throw new OnnxModelError({ location: 'irVersion', message: 'missing IR version' });
  if (summary.inputs.length === 0 || summary.outputs.length === 0) throw new OnnxModelError({ location: 'graph', message: 'the graph has no input or no output' });
  return summary;
}
