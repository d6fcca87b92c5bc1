import {
  ActionSpace,
  Normalizer,
  actionHeadNames,
  actionHeads,
  createRng,
  defaultFeatureSchema,
  encodeState,
  type FeatureSchema,
  type SeededRandom,
} from '@orchestra/learning-features';
import { DEFAULT_COST_WEIGHT, type Action, type Decision } from '@orchestra/learning-types';
import { costWeightOf } from '../cost-weight/cost-weight';
import { loadModelArtifact } from '../artifact/load-model-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { PolicyError } from '../errors/policy-error';
import { HeadPerturbation, type ExplorationDesign } from '../exploration/head-perturbation';
import { RulesPolicy } from '../rules/rules-policy';
import type { Policy, PolicyInput } from '../policy';
import { createDenseRuntime } from '../runtime/create-dense-runtime';
import type { DenseRuntime, DenseRuntimeKind } from '../runtime/dense-runtime';
import { canonicalizeIndices } from '../safety/action-indices';
import { maskedActionProbability, selectMaskedAction } from '../safety/masked-selection';
import { SafetyGuard } from '../safety/safety-guard';
import { defaultCostKnobScale, type CostKnobScale } from './cost-knob-scale';
import { PredictionHeadRunner } from './prediction-head-runner';

export { defaultCostKnobScale, type CostKnobScale } from './cost-knob-scale';
import { OnnxActorRuntime, type OnnxActorRuntimeOptions } from '../onnx/onnx-actor-runtime';

/** The model heads, in action-space order (the cost–quality knob re-scores their choices). */
const MODEL_HEADS = [actionHeads.model_architect, actionHeads.model_executor, actionHeads.model_auditor, actionHeads.model_consultant] as const;

function signed(value: number, digits: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

/** Options of `LearnedPolicy`. */
export interface LearnedPolicyOptions {
  /** The schema the caller's states are encoded with (default `defaultFeatureSchema`); must match the artifact's. */
  readonly featureSchema?: FeatureSchema;
  /**
   * The dense runtime of the forward passes: `auto` (default: WebAssembly SIMD when available), `wasm-simd` or
   * `typescript`. (Not the facade's learning runtime, `createLearning({ runtime })`.)
   */
  readonly denseRuntime?: 'auto' | DenseRuntimeKind;
  /** @deprecated Renamed `denseRuntime` ("runtime" names the facade's learning runtime). */
  readonly runtime?: 'auto' | DenseRuntimeKind;
  /** `sample` (default): draw each head from its masked softmax; `argmax`: the most probable allowed choice. */
  readonly selection?: 'sample' | 'argmax';
  /** Softmax temperature of `sample` (default 1). */
  readonly temperature?: number;
  /** ε-exploration around the argmax (`selection: 'argmax'` only; see `HeadPerturbation`). Default 0. */
  readonly epsilon?: number;
  /** How an explored decision departs from the argmax (`ExplorationDesign`; default: one alternative). */
  readonly explorationDesign?: ExplorationDesign;
  /** Seed of the sampling / exploration stream (default 1). */
  readonly seed?: number;
  /** Hard constraints to mask with (default: the default constraints over the artifact's action space). */
  readonly guard?: SafetyGuard;
  /** An ONNX actor for `decideAsync` (optional; see `OnnxActorRuntime`). */
  readonly onnx?: OnnxActorRuntime;
  /** How the cost–quality knob (`PolicyInput.costWeight`) prices outcomes; see `CostKnobScale`. */
  readonly costKnob?: Partial<CostKnobScale>;
}

/** A typical decision input, decided (and thrown away) when a policy is built, to warm up its code paths. */
const warmUpInput: PolicyInput = {
  context: { taskType: 'feature', domains: ['backend'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 60, skills: [] },
  system: { concurrentTasks: 1, load: 0.3 },
};

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
  readonly #prediction: PredictionHeadRunner | undefined;
  readonly #normalizer: Normalizer | undefined;
  readonly #features: Float32Array;
  readonly #indices: Int32Array;
  readonly #greedy: Int32Array;
  readonly #allowed: Uint8Array;
  #random: SeededRandom;
  readonly #perturbation: HeadPerturbation;
  /** The default rules, when the manifest has a rules prior (`rulesPrior`), and the bonus on their choices. */
  readonly #rules: RulesPolicy | undefined;
  readonly #rulesBonus: number;
  readonly #explanation: string;
  readonly #onnx: OnnxActorRuntime | undefined;
  readonly #knob: CostKnobScale;
  readonly #knobCandidate: Int32Array;
  readonly #knobBase: Int32Array;
  readonly #knobAllowed: Uint8Array;

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
    const prefer = options.denseRuntime ?? options.runtime ?? 'auto';
    this.#actor = createDenseRuntime(artifact.actor, { prefer });
    this.#prediction = artifact.prediction === undefined ? undefined : new PredictionHeadRunner(artifact.prediction, this.space, this.featureSchema.size, prefer);
    this.#features = new Float32Array(this.featureSchema.size);
    this.#indices = new Int32Array(this.space.heads.length);
    this.#greedy = new Int32Array(this.space.heads.length);
    this.#allowed = new Uint8Array(Math.max(...this.space.heads.map((head) => head.size)));
    this.#random = createRng(options.seed ?? 1);
    const prior = artifact.manifest.rulesPrior;
    this.#rules = prior !== undefined && prior.bonus > 0 ? new RulesPolicy({ guard: this.guard }) : undefined;
    this.#rulesBonus = prior?.bonus ?? 0;
    this.#perturbation = new HeadPerturbation(this.guard, undefined, options.explorationDesign);
    this.#knob = { ...defaultCostKnobScale, ...options.costKnob };
    for (const [name, value] of Object.entries(this.#knob)) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`costKnob.${name} must be a positive finite number, got ${value}`);
    }
    this.#knobCandidate = new Int32Array(this.space.heads.length);
    this.#knobBase = new Int32Array(this.space.heads.length);
    this.#knobAllowed = new Uint8Array(this.#allowed.length);
    // Warm the forward pass up so the first real decisions do not pay for compilation tiers (latency budget).
    for (let warmUp = 0; warmUp < 50; warmUp += 1) this.#actor.run(1);
    this.#actor.input.fill(0);
    this.#explanation = `learned policy ${manifest.version} (${this.#actor.kind} runtime, ${this.selection}${this.selection === 'argmax' && this.epsilon > 0 ? `, ε = ${this.epsilon}` : ''})`;
    // Then the whole decision (encoding, rules prior, masks, sampling, decoding), with a scratch generator so that the
    // seeded sequence of real decisions is untouched: a freshly deployed model's first decisions under load fell back
    // to the rules on the 2 ms latency budget.
    const seeded = this.#random;
    this.#random = createRng(0);
    try {
      for (let warmUp = 0; warmUp < 20; warmUp += 1) this.decide(warmUpInput);
    } catch {
      // A model that cannot decide says so on its first real decision (the router falls back and reports why).
    } finally {
      this.#random = seeded;
      this.#actor.input.fill(0);
    }
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
    const costWeight = costWeightOf(input);
    const knobNotes: string[] | undefined = costWeight === DEFAULT_COST_WEIGHT ? undefined : [];
    let propensity: number;
    if (this.selection === 'sample') {
      if (knobNotes !== undefined) this.#shiftModelLogits(logits, active, costWeight, knobNotes);
      propensity = Math.exp(selectMaskedAction(this.guard, active, logits, this.#random, this.temperature, indices, this.#allowed));
    } else {
      selectMaskedAction(this.guard, active, logits, undefined, 1, this.#greedy, this.#allowed);
      if (knobNotes !== undefined) this.#rescoreModels(this.#greedy, active, costWeight, knobNotes);
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
      explanation: knobNotes === undefined ? [this.#explanation] : [this.#explanation, ...knobNotes],
    };
    if (input.costWeight !== undefined) decision.costWeight = costWeight;
    if (this.#prediction !== undefined) decision.predicted = this.#prediction.predict(this.#actor.input, indices, this.version);
    return decision;
  }

  /**
   * Whether the knob can act: it needs outcome predictions of alternative actions (a prediction head over state and
   * action). Notes why not otherwise.
   */
  #knobUsable(costWeight: number, notes: string[]): boolean {
    if (this.#prediction?.pricesActions === true) return true;
    notes.push(`cost weight ${costWeight} not applied: model ${this.version} has no outcome predictions of alternative actions (prediction head over state and action)`);
    return false;
  }

  /**
   * Calls `visit(head, choice, Δcost, Δsuccess)` for every allowed alternative model of every model head active in
   * `base` (one head changed at a time), with the predicted cost and success relative to `base`.
   */
  #forEachModelAlternative(base: Int32Array, active: number, visit: (head: number, choice: number, deltaCost: number, deltaSuccess: number) => void): void {
    const prediction = this.#prediction!;
    const state = this.#actor.input;
    const [baseCost, baseSuccess] = prediction.costAndSuccess(state, base);
    const candidate = this.#knobCandidate;
    const allowed = this.#knobAllowed;
    for (const head of MODEL_HEADS) {
      if (!this.space.isHeadActive(head, base)) continue;
      candidate.set(base);
      const size = this.space.heads[head]!.size;
      this.guard.allowedChoices(head, candidate, active, allowed);
      for (let choice = 0; choice < size; choice += 1) {
        if (choice === base[head] || allowed[choice] !== 1) continue;
        candidate[head] = choice;
        const [cost, success] = prediction.costAndSuccess(state, candidate);
        visit(head, choice, cost - baseCost, success - baseSuccess);
      }
    }
  }

  /**
   * Argmax selection under a cost weight w ≠ 1: every active model head of the actor's greedy action g may switch to
   * the alternative m with the largest predicted gain over g,
   * `min(0, S·Δsuccess − U·Δcost) − (w − 1)·U·Δcost` (S = `successValue`, U = `usdValue`; Δ = prediction of g with
   * that head set to m, minus that of g): the actor's choice is taken as the best at the default weight (the first
   * term never favours a switch), and the knob re-prices the predicted cost difference. Deterministic in the input
   * and w, so the propensity of the ε-perturbation around it stays exact. The chosen predicted cost never rises with w.
   */
  #rescoreModels(greedy: Int32Array, active: number, costWeight: number, notes: string[]): void {
    if (!this.#knobUsable(costWeight, notes)) return;
    const { successValue, usdValue } = this.#knob;
    const base = this.#knobBase;
    base.set(greedy);
    const best = new Map<number, { choice: number; gain: number; deltaCost: number; deltaSuccess: number }>();
    this.#forEachModelAlternative(base, active, (head, choice, deltaCost, deltaSuccess) => {
      const gain = Math.min(0, successValue * deltaSuccess - usdValue * deltaCost) - (costWeight - 1) * usdValue * deltaCost;
      if (gain > 1e-9 && gain > (best.get(head)?.gain ?? 0)) best.set(head, { choice, gain, deltaCost, deltaSuccess });
    });
    const allowed = this.#knobAllowed;
    for (const head of MODEL_HEADS) {
      const switched = best.get(head);
      if (switched === undefined) continue;
      // The switches are chosen one head at a time; keep each only if the combined action still allows it.
      this.guard.allowedChoices(head, greedy, active, allowed);
      if (allowed[switched.choice] !== 1) continue;
      greedy[head] = switched.choice;
      const labels = this.space.heads[head]!.labels;
      notes.push(
        `cost weight ${costWeight}: ${actionHeadNames[head]} ${labels[base[head]!]} → ${labels[switched.choice]} (predicted cost ${signed(switched.deltaCost, 4)} USD, success ${signed(switched.deltaSuccess * 100, 1)} points)`,
      );
    }
    canonicalizeIndices(this.space, greedy);
  }

  /**
   * Sampling under a cost weight w ≠ 1: the logits of every allowed model choice of the heads active in the actor's
   * greedy action g are shifted by −(w − 1)·U·Δcost / rewardPerLogit (Δcost: predicted cost of g with that head set
   * to the choice, minus that of g). The shift is fixed before sampling, so the propensity of the sampled action
   * under the shifted softmax is exact.
   */
  #shiftModelLogits(logits: Float32Array, active: number, costWeight: number, notes: string[]): void {
    if (!this.#knobUsable(costWeight, notes)) return;
    const scale = ((costWeight - 1) * this.#knob.usdValue) / this.#knob.rewardPerLogit;
    const base = this.#knobBase;
    selectMaskedAction(this.guard, active, logits, undefined, 1, base, this.#allowed);
    const offsets = this.space.offsets;
    let shifted = 0;
    this.#forEachModelAlternative(base, active, (head, choice, deltaCost) => {
      logits[offsets[head]! + choice]! -= scale * deltaCost;
      shifted += 1;
    });
    notes.push(`cost weight ${costWeight}: ${shifted} model choice(s) re-priced by their predicted cost before sampling`);
  }

  /** The exact probability with which `decide` would choose `action` for `input` (runs the actor once). */
  probabilityOf(action: Action, input: PolicyInput): number {
    const logits = this.logits(input);
    const active = this.guard.activeConstraints(input);
    const chosen = canonicalizeIndices(this.space, this.space.encode(action));
    const costWeight = costWeightOf(input);
    const notes: string[] | undefined = costWeight === DEFAULT_COST_WEIGHT ? undefined : [];
    if (this.selection === 'sample') {
      if (notes !== undefined) this.#shiftModelLogits(logits, active, costWeight, notes);
      return maskedActionProbability(this.guard, active, logits, chosen, this.temperature, this.#allowed);
    }
    selectMaskedAction(this.guard, active, logits, undefined, 1, this.#greedy, this.#allowed);
    if (notes !== undefined) this.#rescoreModels(this.#greedy, active, costWeight, notes);
    return this.#perturbation.probability(this.#greedy, chosen, active, this.epsilon);
  }
}
