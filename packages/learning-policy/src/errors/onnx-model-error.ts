import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraOnnxModelError';

/** Bytes that should hold an ONNX model are not a well-formed one (truncated, not protobuf, missing graph parts). */
export class OnnxModelError extends OrchestraError {
  /** Which part of the model is wrong, e.g. `graph.input.0.type` or `bytes`. */
  readonly location: string;

  constructor({ location, message, cause }: { location: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_ONNX_MODEL', message: `Malformed ONNX model at ${location}: ${message}`, cause });
    this.location = location;
  }

  static override isInstance(error: unknown): error is OnnxModelError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
