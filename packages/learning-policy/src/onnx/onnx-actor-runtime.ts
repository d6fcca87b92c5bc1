import { OnnxRuntimeUnavailableError } from '../errors/onnx-runtime-unavailable-error';

/** The part of onnxruntime-node used here (typed locally: it is an optional peer, not a dependency). */
interface OnnxRuntimeModule {
  InferenceSession: {
    create(model: Uint8Array | string, options?: Record<string, unknown>): Promise<OnnxSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}
interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
}

/** Options of `OnnxActorRuntime.create`. */
export interface OnnxActorRuntimeOptions {
  /** Threads inside one operator (default 1: a decision is tiny, threads only add hand-off latency). */
  readonly intraOpNumThreads?: number;
  /** How to import onnxruntime-node (default: dynamic `import('onnxruntime-node')`); tests inject failures. */
  readonly importModule?: () => Promise<unknown>;
}

/**
 * An actor run by onnxruntime-node (optional peer dependency, loaded by dynamic import only when asked for). Input
 * `features` [rows, inputSize], output `logits` — the names `exportDenseLayersToOnnx` writes. Asynchronous (the native binding's `run` is), so it serves `LearnedPolicy.decideAsync`; the synchronous
 * in-process runtimes are faster for single decisions (see the package README).
 */
export class OnnxActorRuntime {
  readonly #module: OnnxRuntimeModule;
  readonly #session: OnnxSession;
  readonly inputSize: number;

  private constructor(module: OnnxRuntimeModule, session: OnnxSession, inputSize: number) {
    this.#module = module;
    this.#session = session;
    this.inputSize = inputSize;
  }

  /** Loads a model (bytes or a file path). Throws `OnnxRuntimeUnavailableError` when onnxruntime-node is missing or refuses it. */
  static async create(model: Uint8Array | string, inputSize: number, options: OnnxActorRuntimeOptions = {}): Promise<OnnxActorRuntime> {
    let module: OnnxRuntimeModule;
    try {
      const imported = (await (options.importModule ?? (() => import('onnxruntime-node')))()) as OnnxRuntimeModule & { default?: OnnxRuntimeModule };
      module = imported.InferenceSession !== undefined ? imported : imported.default!;
      if (module?.InferenceSession === undefined) throw new Error('the module has no InferenceSession');
    } catch (error) {
      throw new OnnxRuntimeUnavailableError({ message: 'onnxruntime-node is not installed (it is an optional peer dependency: `npm install onnxruntime-node`)', cause: error });
    }
    try {
      const session = await module.InferenceSession.create(model, { intraOpNumThreads: options.intraOpNumThreads ?? 1, interOpNumThreads: 1 });
      if (!session.inputNames.includes('features') || !session.outputNames.includes('logits')) {
        throw new Error(`expected input "features" and output "logits", found ${session.inputNames.join(', ')} → ${session.outputNames.join(', ')}`);
      }
      return new OnnxActorRuntime(module, session, inputSize);
    } catch (error) {
      throw new OnnxRuntimeUnavailableError({ message: `onnxruntime-node cannot load the actor: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    }
  }

  /** Runs `rows` rows of features (row-major) and returns the logits (row-major, a fresh array). */
  async run(features: Float32Array, rows = 1): Promise<Float32Array> {
    const input = new this.#module.Tensor('float32', features.subarray(0, rows * this.inputSize), [rows, this.inputSize]);
    const output = await this.#session.run({ features: input });
    return output.logits!.data as Float32Array;
  }
}
