export { exportDenseLayersToOnnx, type OnnxExportOptions } from './export-dense-layers-to-onnx';
export { readOnnxModelSummary, type OnnxModelSummary, type OnnxValueSummary } from './read-onnx-model-summary';
export { OnnxModelError } from './errors/onnx-model-error';
export { ONNX_OPSET_VERSION, ONNX_IR_VERSION } from './onnx-format';
