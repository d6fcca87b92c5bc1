import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraOnnxRuntimeUnavailableError';

/** onnxruntime-node (an optional peer dependency) is not installed or cannot load this model. */
export class OnnxRuntimeUnavailableError extends OrchestraError {
  constructor({ message, cause }: { message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_ONNX_RUNTIME_UNAVAILABLE', message, cause });
  }

  static override isInstance(error: unknown): error is OnnxRuntimeUnavailableError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
