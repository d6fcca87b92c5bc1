import {
  ActionSpace,
  Normalizer,
  createRng,
  defaultFeatureSchema,
  encodeState,
  type FeatureSchema,
  type SeededRandom,
} from '@orchestra/learning-features';
import type { Action, Decision, Prediction } from '@orchestra/learning-types';
import { loadModelArtifact } from '../artifact/load-model-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { PolicyError } from '../errors/policy-error';
import { HeadPerturbation } from '../exploration/head-perturbation';
import { RulesPolicy } from '../rules/rules-policy';
import type { Policy, PolicyInput } from '../policy';
import { createDenseRuntime } from '../runtime/create-dense-runtime';
import type { DenseRuntime, DenseRuntimeKind } from '../runtime/dense-runtime';
import { canonicalizeIndices } from '../safety/action-indices';
import { maskedActionProbability, selectMaskedAction } from '../safety/masked-selection';
import { SafetyGuard } from '../safety/safety-guard';
import { applyOutputTransform } from './prediction-transform';
import { OnnxActorRuntime, type OnnxActorRuntimeOptions } from '../onnx/onnx-actor-runtime';

/** Options of `LearnedPolicy`. */
export interface LearnedPolicyOptions {
  /** The schema the caller's states are encoded with (default `defaultFeatureSchema`); must match the artifact's. */
  readonly featureSchema?: FeatureSchema;
  /** Forward-pass runtime: `auto` (default: WebAssembly SIMD when available), `wasm-simd` or `typescript`. */
  readonly runtime?: 'auto' | DenseRuntimeKind;
  /** `sample` (default): draw each head from its masked softmax; `argmax`: the most probable allowed choice. */
  readonly selection?: 'sample' | 'argmax';
  /** Softmax temperature of `sample` (default 1). */
  readonly temperature?: number;
  /** ε-exploration around the argmax (`selection: 'argmax'` only; see `HeadPerturbation`). Default 0. */
  readonly epsilon?: number;
  /** Seed of the sampling / exploration stream (default 1). */
  readonly seed?: number;
  /** Hard constraints to mask with (default: the default constraints over the artifact's action space). */
  readonly guard?: SafetyGuard;
  /** An ONNX actor for `decideAsync` (optional; see `OnnxActorRuntime`). */
  readonly onnx?: OnnxActorRuntime;
}

/**
 * A trained actor from a model artifact, run in-process: encode the state, normalise it, run the network (WebAssembly
 * SIMD or plain TypeScript over pre-allocated buffers), mask every choice the hard constraints forbid, and sample
 * (or take the argmax of) each head. The propensity is the exact probability of the chosen action under that masked
 * distribution. When the artifact has a prediction head, `predicted` carries the expected duration, cost and
 * success probability.
 *
 * `decide` throws `PolicyError` (non-finite outputs, no valid action) or `ValidationError` (unknown enum values);
 * use it through `PolicyRouter`, which turns every failure into a counted fallback to the rules.
 */
export class LearnedPolicy implements Policy {
  readonly artifact: ModelArtifact;
  readonly space: ActionSpace;
  readonly guard: SafetyGuard;
  readonly featureSchema: FeatureSchema;
  readonly selection: 'sample' | 'argmax';
  readonly temperature: number;
  readonly epsilon: number;
  readonly #actor: DenseRuntime;
  readonly #prediction: DenseRuntime | undefined;
  readonly #normalizer: Normalizer | undefined;
  readonly #features: Float32Array;
  readonly #indices: Int32Array;
  readonly #greedy: Int32Array;
  readonly #allowed: Uint8Array;
  readonly #random: SeededRandom;
  readonly #perturbation: HeadPerturbation;
  /** The default rules, when the manifest has a rules prior (`rulesPrior`), and the bonus on their choices. */
  readonly #rules: RulesPolicy | undefined;
  readonly #rulesBonus: number;
  readonly #explanation: string;
  readonly #onnx: OnnxActorRuntime | undefined;

  /** Builds a policy from a verified artifact; throws `ModelArtifactError` when it does not fit the schema or space. */
  constructor(artifact: ModelArtifact, options: LearnedPolicyOptions = {}) {
    const manifest = artifact.manifest;
    this.artifact = artifact;
    this.featureSchema = options.featureSchema ?? defaultFeatureSchema;
    if (manifest.featureSchema.hash !== this.featureSchema.hash || manifest.featureSchema.names.length !== this.featureSchema.size) {
      throw new ModelArtifactError({
        reason: 'feature-schema-mismatch',
        location: 'manifest.featureSchema',
        message: `the model was trained on feature schema ${manifest.featureSchema.hash} (${manifest.featureSchema.names.length} features), this policy encodes with ${this.featureSchema.hash} (${this.featureSchema.size})`,
      });
    }
    try {
      this.space = ActionSpace.fromJSON(manifest.actionSpace);
    } catch (error) {
      throw new ModelArtifactError({ reason: 'action-space-mismatch', location: 'manifest.actionSpace', message: 'not an action space this package version builds', cause: error });
    }
    if (artifact.actor.outputSize !== this.space.totalLogits) {
      throw new ModelArtifactError({
        reason: 'action-space-mismatch',
        location: 'manifest.actor',
        message: `the actor has ${artifact.actor.outputSize} outputs, the action space ${this.space.totalLogits} logits`,
      });
    }
    this.guard = options.guard ?? new SafetyGuard({ space: this.space });
    if (this.guard.space.hash !== this.space.hash) {
      throw new ModelArtifactError({ reason: 'action-space-mismatch', location: 'manifest.actionSpace', message: "the guard's action space differs from the model's" });
    }
    if (manifest.normalizer !== undefined && manifest.normalizer !== null) {
      try {
        this.#normalizer = Normalizer.fromJSON(manifest.normalizer);
        this.#normalizer.assertSchema(this.featureSchema);
      } catch (error) {
        throw new ModelArtifactError({ reason: 'corrupt', location: 'manifest.normalizer', message: 'the normaliser does not fit the feature schema', cause: error });
      }
    }
    this.#onnx = options.onnx;
    this.selection = options.selection ?? 'sample';
    this.temperature = options.temperature ?? 1;
    this.epsilon = options.epsilon ?? 0;
    if (!(this.temperature > 0)) throw new RangeError(`temperature must be positive, got ${this.temperature}`);
    if (!(this.epsilon >= 0 && this.epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${this.epsilon}`);
    const prefer = options.runtime ?? 'auto';
    this.#actor = createDenseRuntime(artifact.actor, { prefer });
    this.#prediction = artifact.prediction === undefined ? undefined : createDenseRuntime(artifact.prediction.network, { prefer });
    this.#features = new Float32Array(this.featureSchema.size);
    this.#indices = new Int32Array(this.space.heads.length);
    this.#greedy = new Int32Array(this.space.heads.length);
    this.#allowed = new Uint8Array(Math.max(...this.space.heads.map((head) => head.size)));
    this.#random = createRng(options.seed ?? 1);
    const prior = artifact.manifest.rulesPrior;
    this.#rules = prior !== undefined && prior.bonus > 0 ? new RulesPolicy({ guard: this.guard }) : undefined;
    this.#rulesBonus = prior?.bonus ?? 0;
    this.#perturbation = new HeadPerturbation(this.guard);
    // Warm the forward pass up so the first real decisions do not pay for compilation tiers (latency budget).
    for (let warmUp = 0; warmUp < 50; warmUp += 1) this.#actor.run(1);
    this.#actor.input.fill(0);
    this.#explanation = `learned policy ${manifest.version} (${this.#actor.kind} runtime, ${this.selection}${this.selection === 'argmax' && this.epsilon > 0 ? `, ε = ${this.epsilon}` : ''})`;
  }

  /** Loads and verifies an artifact directory, then builds the policy (throws `ModelArtifactError`). */
  static async load(directory: string, options: LearnedPolicyOptions = {}): Promise<LearnedPolicy> {
    const schema = options.featureSchema ?? defaultFeatureSchema;
    const artifact = await loadModelArtifact(directory, { expectedFeatureSchema: { hash: schema.hash, size: schema.size } });
    return new LearnedPolicy(artifact, options);
  }

  /**
   * Loads an artifact together with its ONNX export (`manifest.onnx`) and runs that through onnxruntime-node in
   * `decideAsync` (`decide` stays in-process). Throws `ModelArtifactError` (`missing-file` when the artifact has no
   * ONNX export) or `OnnxRuntimeUnavailableError`.
   */
  static async loadWithOnnx(directory: string, options: Omit<LearnedPolicyOptions, 'onnx'> & OnnxActorRuntimeOptions = {}): Promise<LearnedPolicy> {
    const schema = options.featureSchema ?? defaultFeatureSchema;
    const artifact = await loadModelArtifact(directory, { expectedFeatureSchema: { hash: schema.hash, size: schema.size }, loadOnnx: true });
    if (artifact.onnx === undefined) {
      throw new ModelArtifactError({ reason: 'missing-file', location: 'manifest.onnx', message: 'the artifact has no ONNX export of the actor' });
    }
    const onnx = await OnnxActorRuntime.create(artifact.onnx, artifact.actor.inputSize, options);
    return new LearnedPolicy(artifact, { ...options, onnx });
  }

  /** The model version (`Decision.policyVersion`). */
  get version(): string {
    return this.artifact.manifest.version;
  }

  /** Which forward-pass implementation runs the actor. */
  get runtimeKind(): DenseRuntimeKind {
    return this.#actor.kind;
  }

  /**
   * The actor's logits for `input` (a view into the runtime's buffer, valid until the next call; `totalLogits`
   * entries). Throws `PolicyError` when they are not all finite.
   */
  logits(input: PolicyInput): Float32Array {
    this.#encode(input);
    this.#actor.run(1);
    return this.#withRulesPrior(input, this.#checkFinite(this.#actor.output));
  }

  /** Adds the manifest's rules prior (`rulesPrior.bonus` on the rules' greedy choice of every head) in place. */
  #withRulesPrior(input: PolicyInput, logits: Float32Array): Float32Array {
    const rules = this.#rules;
    if (rules === undefined) return logits;
    const greedy = rules.greedyIndices(input);
    const offsets = this.space.offsets;
    for (let head = 0; head < greedy.length; head += 1) logits[offsets[head]! + greedy[head]!]! += this.#rulesBonus;
    return logits;
  }

  /** Encodes and normalises `input` into the actor runtime's input row. */
  #encode(input: PolicyInput): void {
    const runtime = this.#actor;
    encodeState(input, this.#features, this.featureSchema);
    if (this.#normalizer !== undefined) this.#normalizer.transform(this.#features, runtime.input);
    else runtime.input.set(this.#features);
  }

  #checkFinite(logits: Float32Array): Float32Array {
    const total = this.space.totalLogits;
    for (let index = 0; index < total; index += 1) {
      const value = logits[index]!;
      if (value - value !== 0) {
        throw new PolicyError({ reason: 'non-finite-output', message: `logit ${index} is ${value}`, policyVersion: this.version });
      }
    }
    return logits;
  }

  decide(input: PolicyInput): Decision {
    return this.#decideFrom(input, this.logits(input));
  }

  /**
   * Like `decide`, with the actor run by onnxruntime-node when an `OnnxActorRuntime` was given (`options.onnx`),
   * else in-process. Rejects with the same errors as `decide` throws.
   */
  async decideAsync(input: PolicyInput): Promise<Decision> {
    const onnx = this.#onnx;
    if (onnx === undefined) return this.decide(input);
    this.#encode(input);
    const logits = this.#withRulesPrior(input, this.#checkFinite(await onnx.run(this.#actor.input, 1)));
    const decision = this.#decideFrom(input, logits);
    decision.explanation = [`learned policy ${this.version} (onnxruntime-node, ${this.selection})`];
    return decision;
  }

  #decideFrom(input: PolicyInput, logits: Float32Array): Decision {
    const active = this.guard.activeConstraints(input);
    const indices = this.#indices;
    let propensity: number;
    if (this.selection === 'sample') {
      propensity = Math.exp(selectMaskedAction(this.guard, active, logits, this.#random, this.temperature, indices, this.#allowed));
    } else {
      selectMaskedAction(this.guard, active, logits, undefined, 1, this.#greedy, this.#allowed);
      this.#perturbation.perturb(this.#greedy, active, this.epsilon, this.#random, indices);
      propensity = this.#perturbation.probability(this.#greedy, indices, active, this.epsilon);
    }
    // A sampled action has positive probability; only float underflow of an extreme logit gap could give 0.
    if (!(propensity > 0)) propensity = Number.MIN_VALUE;
    const decision: Decision = {
      action: this.space.decode(indices, input.context.skills ?? []),
      propensity: Math.min(1, propensity),
      source: 'learned',
      policyVersion: this.version,
      explanation: [this.#explanation],
    };
    if (this.#prediction !== undefined) decision.predicted = this.#predict(indices);
    return decision;
  }

  /** The exact probability with which `decide` would choose `action` for `input` (runs the actor once). */
  probabilityOf(action: Action, input: PolicyInput): number {
    const logits = this.logits(input);
    const active = this.guard.activeConstraints(input);
    const chosen = canonicalizeIndices(this.space, this.space.encode(action));
    if (this.selection === 'sample') return maskedActionProbability(this.guard, active, logits, chosen, this.temperature, this.#allowed);
    selectMaskedAction(this.guard, active, logits, undefined, 1, this.#greedy, this.#allowed);
    return this.#perturbation.probability(this.#greedy, chosen, active, this.epsilon);
  }

  #predict(indices: Int32Array): Prediction {
    const head = this.artifact.prediction!;
    const runtime = this.#prediction!;
    const stateSize = this.featureSchema.size;
    runtime.input.set(this.#actor.input.subarray(0, stateSize));
    if (head.input === 'state_and_action') {
      runtime.input.fill(0, stateSize, stateSize + this.space.totalLogits);
      for (let index = 0; index < indices.length; index += 1) {
        if (this.space.isHeadActive(index, indices)) runtime.input[stateSize + this.space.offsets[index]! + indices[index]!] = 1;
      }
    }
    runtime.run(1);
    const values: Record<string, number> = {};
    head.outputs.forEach((output, index) => {
      const value = output.scale * applyOutputTransform(output.transform, runtime.output[index]!);
      if (!Number.isFinite(value)) {
        throw new PolicyError({ reason: 'non-finite-output', message: `prediction ${output.name} is ${value}`, policyVersion: this.version });
      }
      values[output.name] = value;
    });
    return {
      durationMs: Math.max(0, values.durationMs!),
      costUsd: Math.max(0, values.costUsd!),
      successProbability: Math.min(1, Math.max(0, values.successProbability!)),
    };
  }
}
