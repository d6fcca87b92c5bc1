/**
 * Field numbers and enum values of the ONNX protobuf messages we write and read (from `onnx/onnx.proto3`, which
 * has kept them stable since IR version 3). Only the fields this package uses are listed.
 */
export const onnxFields = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 },
  operatorSetId: { domain: 1, version: 2 },
  stringStringEntry: { key: 1, value: 2 },
  graph: { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 },
  attribute: { name: 1, float: 2, int: 3, type: 20 },
  tensor: { dims: 1, dataType: 2, name: 8, rawData: 9 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elementType: 1, shape: 2 },
  tensorShape: { dimension: 1 },
  dimension: { value: 1, parameter: 2 },
} as const;

/** `AttributeProto.AttributeType` values. */
export const onnxAttributeType = { float: 1, int: 2 } as const;

/** `TensorProto.DataType.FLOAT`. */
export const ONNX_FLOAT = 1;

/** The default ("ai.onnx") operator set version the export targets: Gemm-13 and Relu-13 exist since then. */
export const ONNX_OPSET_VERSION = 13;

/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
export const ONNX_IR_VERSION = 7;
