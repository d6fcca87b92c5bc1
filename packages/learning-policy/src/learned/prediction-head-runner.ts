import type { ActionSpace } from '@orchestra/learning-features';
import type { Prediction } from '@orchestra/learning-types';
import type { PredictionHead } from '../artifact/model-artifact';
import { PolicyError } from '../errors/policy-error';
import { createDenseRuntime } from '../runtime/create-dense-runtime';
import type { DenseRuntime, DenseRuntimeKind } from '../runtime/dense-runtime';
import { applyOutputTransform } from './prediction-transform';

/**
 * An artifact's prediction head, run in-process: the expected duration, cost and success of a decision from the
 * actor's (normalised) input and, for a head over state and action, the action one-hot. The cost–quality knob uses
 * it to price alternative actions.
 */
export class PredictionHeadRunner {
  readonly head: PredictionHead;
  readonly #runtime: DenseRuntime;
  readonly #space: ActionSpace;
  readonly #stateSize: number;
  /** Output positions of the predicted cost and success (-1 when the head has none). */
  readonly #costOutput: number;
  readonly #successOutput: number;

  constructor(head: PredictionHead, space: ActionSpace, stateSize: number, prefer: 'auto' | DenseRuntimeKind) {
    this.head = head;
    this.#runtime = createDenseRuntime(head.network, { prefer });
    this.#space = space;
    this.#stateSize = stateSize;
    this.#costOutput = head.outputs.findIndex((output) => output.name === 'costUsd');
    this.#successOutput = head.outputs.findIndex((output) => output.name === 'successProbability');
  }

  /** Whether it predicts the cost and success of any action in a state (what the cost knob needs). */
  get pricesActions(): boolean {
    return this.head.input === 'state_and_action' && this.#costOutput >= 0 && this.#successOutput >= 0;
  }

  /** Runs the head on the first `stateSize` values of `state` and, over state and action, the one-hot of `indices`. */
  #run(state: Float32Array, indices: Int32Array): Float32Array {
    const runtime = this.#runtime;
    const space = this.#space;
    const stateSize = this.#stateSize;
    runtime.input.set(state.subarray(0, stateSize));
    if (this.head.input === 'state_and_action') {
      runtime.input.fill(0, stateSize, stateSize + space.totalLogits);
      for (let index = 0; index < indices.length; index += 1) {
        if (space.isHeadActive(index, indices)) runtime.input[stateSize + space.offsets[index]! + indices[index]!] = 1;
      }
    }
    runtime.run(1);
    return runtime.output;
  }

  /** The decision's predicted outcome; throws `PolicyError` (`non-finite-output`) naming a non-finite prediction. */
  predict(state: Float32Array, indices: Int32Array, policyVersion: string): Prediction {
    const output = this.#run(state, indices);
    const values: Record<string, number> = {};
    this.head.outputs.forEach((spec, index) => {
      const value = spec.scale * applyOutputTransform(spec.transform, output[index]!);
      if (!Number.isFinite(value)) throw new PolicyError({ reason: 'non-finite-output', message: `prediction ${spec.name} is ${value}`, policyVersion });
      values[spec.name] = value;
    });
    return {
      durationMs: Math.max(0, values.durationMs!),
      costUsd: Math.max(0, values.costUsd!),
      successProbability: Math.min(1, Math.max(0, values.successProbability!)),
    };
  }

  /** Predicted cost (USD, ≥ 0) and success probability ([0, 1]) of `indices` in `state` (needs `pricesActions`). */
  costAndSuccess(state: Float32Array, indices: Int32Array): [number, number] {
    const output = this.#run(state, indices);
    const cost = this.head.outputs[this.#costOutput]!;
    const success = this.head.outputs[this.#successOutput]!;
    return [
      Math.max(0, cost.scale * applyOutputTransform(cost.transform, output[this.#costOutput]!)),
      Math.min(1, Math.max(0, success.scale * applyOutputTransform(success.transform, output[this.#successOutput]!))),
    ];
  }
}
