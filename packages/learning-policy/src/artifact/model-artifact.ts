import type { Activation, ModelManifest, PredictionOutput } from './model-manifest';

/** A dense layer ready to run: its kernel (row-major `[inputSize][outputSize]`) and bias as their own arrays. */
export interface DenseLayer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/** A multi-layer perceptron ready to run. */
export interface DenseNetwork {
  readonly layers: readonly DenseLayer[];
  readonly inputSize: number;
  readonly outputSize: number;
}

/** The prediction head of an artifact, ready to run. */
export interface PredictionHead {
  readonly network: DenseNetwork;
  readonly input: 'state' | 'state_and_action';
  readonly outputs: readonly PredictionOutput[];
}

/** A parsed and verified model artifact: its manifest and its networks' weights. */
export interface ModelArtifact {
  readonly manifest: ModelManifest;
  readonly actor: DenseNetwork;
  readonly critic?: DenseNetwork;
  readonly prediction?: PredictionHead;
  /** The ONNX export of the actor, when the artifact has one and it was loaded. */
  readonly onnx?: Uint8Array;
}
