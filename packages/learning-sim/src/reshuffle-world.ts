import { createRng } from '@orchestra/learning-features';
import { complexities, riskLevels, taskTypes, type TaskType } from '@orchestra/learning-types';
import { normal, type UniformSource } from './random';
import { parseWorld, type World, type WorldModel } from './world-schema';

/** Options of `reshuffleWorld`. */
export interface ReshuffleWorldOptions {
  /**
   * Scale of the random perturbations (log-normal / logit noise multiply their spreads by this); 0 keeps every
   * number and only permutes. Default 1. Must lie in [0, 3].
   */
  strength?: number;
  /** Permute the models' capability profiles and price pairs, and the task types' coupling / difficulty / strictness. Default true. */
  permute?: boolean;
  /** Name of the new world (default `<base name>-reshuffled-<seed>`). */
  name?: string;
}

/** A capability profile of a model: what it can do, moved between models as one piece. */
type Capability = Pick<WorldModel, 'skill' | 'taskTypeModifiers' | 'planning' | 'review' | 'carelessness' | 'contextLimitTokens'>;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const logit = (probability: number) => Math.log(probability / (1 - probability));
const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));
/** Rounds to 4 significant digits: the written world stays readable and the numbers survive a JSON round trip. */
const tidy = (value: number) => (value === 0 ? 0 : Number(value.toPrecision(4)));

function shuffled<Value>(random: UniformSource, values: readonly Value[]): Value[] {
  const copy = [...values];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random.next() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as Value, copy[index] as Value];
  }
  return copy;
}

/**
 * Makes a new valid world from `base` by reshuffling and perturbing what makes actions good or bad, deterministically
 * per `seed` (the same base, seed and options always give the same world). Task texts, vocabularies, the models' ids
 * and their order, and the world's mechanics formulas stay; the numbers move:
 *
 * - **Models.** Capability profiles (skill per complexity, task-type modifiers, planning, review, carelessness,
 *   context limit) are permuted among the models, and so are the price pairs (input / output per 1k tokens), so a
 *   cheap model may become the strong one. Then each number is perturbed: skills and review in logit space (σ 0.35;
 *   skills kept in decreasing order simple ≥ medium ≥ complex), task-type modifiers (+N(0, 0.3) for every type),
 *   planning, carelessness, prices and latencies log-normally (σ 0.3), hang / API-error / rate-limit rates
 *   log-normally (σ 0.4, at most 0.3), rate-limit thresholds ±0.1. Tiers are re-derived from the new prices
 *   (cheapest `cheap`, the dearest half `expensive`).
 * - **Task kinds.** The task mix (type, complexity per type, domain and risk weights) is perturbed log-normally
 *   (σ 0.5); extra-domain probabilities in logit space. Per task type, coupling, correctness difficulty, strict-safety
 *   penalties and safety type factors are permuted among the types and perturbed; each type enters or leaves
 *   `testedTypes` and `riskyTypes` with probability 0.2 × min(1, strength); violation probabilities per risk are perturbed log-normally
 *   (σ 0.4, kept increasing with risk); architect / consultant gains and the extra-agent logit move by N(0, 0.2).
 *
 * `strength` scales every σ (0: permutations only). The result is validated with `parseWorld`, so it is always a
 * valid world; every probability is clamped into its range.
 */
export function reshuffleWorld(base: World, seed: number, options: ReshuffleWorldOptions = {}): World {
  const strength = options.strength ?? 1;
  if (!Number.isFinite(seed)) throw new RangeError(`reshuffleWorld: seed must be a finite number, got ${seed}`);
  if (!(strength >= 0 && strength <= 3)) throw new RangeError(`reshuffleWorld: strength must be in [0, 3], got ${strength}`);
  const permute = options.permute ?? true;
  const random = createRng(seed >>> 0);
  const noise = (sigma: number) => normal(random) * sigma * strength;
  const logNormal = (value: number, sigma: number) => value * Math.exp(noise(sigma));
  const inLogit = (probability: number, sigma: number, low = 0.005, high = 0.995) => clamp(sigmoid(logit(clamp(probability, low, high)) + noise(sigma)), low, high);
  const world = structuredClone(base);
  world.name = options.name ?? `${base.name}-reshuffled-${seed}`;
  world.description = `${base.name} reshuffled with seed ${seed} (strength ${strength}${permute ? '' : ', no permutation'}): models' capabilities and prices, task kinds' properties and the task mix moved. ${base.description}`.trim();

  // Models: capability profiles and prices change hands, then every number moves a little.
  const capabilities: Capability[] = world.models.map(({ skill, taskTypeModifiers, planning, review, carelessness, contextLimitTokens }) => ({
    skill,
    taskTypeModifiers,
    planning,
    review,
    carelessness,
    contextLimitTokens,
  }));
  const prices = world.models.map(({ inputPricePer1kTokens, outputPricePer1kTokens }) => ({ inputPricePer1kTokens, outputPricePer1kTokens }));
  const capabilityOrder = permute ? shuffled(random, capabilities) : capabilities;
  const priceOrder = permute ? shuffled(random, prices) : prices;
  world.models.forEach((model, index) => {
    const capability = structuredClone(capabilityOrder[index]!);
    const price = priceOrder[index]!;
    const skills = complexities.map((complexity) => inLogit(capability.skill[complexity], 0.35, 0.02, 0.98)).sort((left, right) => right - left);
    complexities.forEach((complexity, rank) => {
      model.skill[complexity] = tidy(skills[rank]!);
    });
    const modifiers: Partial<Record<TaskType, number>> = {};
    for (const type of taskTypes) {
      const value = clamp((capability.taskTypeModifiers[type] ?? 0) + noise(0.3), -2, 2);
      if (Math.abs(value) >= 0.005) modifiers[type] = tidy(value);
    }
    model.taskTypeModifiers = modifiers;
    model.planning = tidy(clamp(logNormal(capability.planning, 0.3), 0, 2));
    model.review = tidy(inLogit(capability.review, 0.35, 0.02, 0.98));
    model.carelessness = tidy(clamp(logNormal(capability.carelessness, 0.3), 0.1, 5));
    model.contextLimitTokens = Math.max(8000, Math.round(logNormal(capability.contextLimitTokens, 0.2) / 1000) * 1000);
    model.inputPricePer1kTokens = tidy(logNormal(price.inputPricePer1kTokens, 0.3));
    model.outputPricePer1kTokens = tidy(logNormal(price.outputPricePer1kTokens, 0.3));
    model.latency = {
      baseMs: tidy(logNormal(model.latency.baseMs, 0.3)),
      msPerOutputToken: tidy(Math.max(0.1, logNormal(model.latency.msPerOutputToken, 0.3))),
      sigma: tidy(clamp(logNormal(model.latency.sigma, 0.2), 0, 2)),
    };
    model.rateLimit = {
      base: tidy(clamp(logNormal(model.rateLimit.base, 0.4), 0, 0.3)),
      threshold: tidy(clamp(model.rateLimit.threshold + noise(0.1), 0, 0.95)),
      slope: tidy(clamp(logNormal(model.rateLimit.slope, 0.4), 0, 1)),
    };
    model.hangProbability = tidy(clamp(logNormal(model.hangProbability, 0.4), 0, 0.3));
    model.apiErrorProbability = tidy(clamp(logNormal(model.apiErrorProbability, 0.4), 0, 0.3));
  });
  // Tiers follow the new prices (the catalog the oracle and the action grid report).
  const costOf = (model: WorldModel) => model.inputPricePer1kTokens + 4 * model.outputPricePer1kTokens;
  const byCost = [...world.models].sort((left, right) => costOf(left) - costOf(right));
  byCost.forEach((model, rank) => {
    model.tier = rank === 0 ? 'cheap' : rank >= byCost.length / 2 ? 'expensive' : 'mid';
  });

  // Task mix.
  const tasks = world.tasks;
  for (const type of taskTypes) tasks.typeWeights[type] = tidy(logNormal(tasks.typeWeights[type], 0.5));
  for (const domain of Object.keys(tasks.domainWeights) as Array<keyof typeof tasks.domainWeights>) tasks.domainWeights[domain] = tidy(logNormal(tasks.domainWeights[domain], 0.5));
  for (const complexity of complexities) {
    tasks.complexityWeights[complexity] = tidy(logNormal(tasks.complexityWeights[complexity], 0.5));
    tasks.extraDomainProbability[complexity] = tidy(inLogit(tasks.extraDomainProbability[complexity], 0.4, 0.01, 0.95));
    for (const risk of riskLevels) tasks.riskWeights[complexity][risk] = tidy(logNormal(tasks.riskWeights[complexity][risk], 0.5));
  }
  for (const weights of Object.values(tasks.complexityWeightsByType)) {
    if (weights === undefined) continue;
    for (const complexity of complexities) weights[complexity] = tidy(logNormal(weights[complexity], 0.5));
  }
  // Each type toggles with probability 0.2 (× strength up to 1): none at strength 0.
  const toggled = (list: readonly TaskType[]) => taskTypes.filter((type) => list.includes(type) !== random.next() < 0.2 * Math.min(1, strength));
  tasks.riskyTypes = toggled(tasks.riskyTypes);

  // Task kinds' mechanics: per-type properties change hands between types, then move.
  const effects = world.effects;
  const order = permute ? shuffled(random, taskTypes) : [...taskTypes];
  const from = (type: TaskType) => order[taskTypes.indexOf(type)]!;
  const coupling = { ...effects.coupling };
  const difficulty = { ...effects.taskTypeDifficulty };
  const strictPenalty = { ...effects.safety.strictPenalty };
  const typeFactor = { ...effects.safety.typeFactor };
  effects.taskTypeDifficulty = {};
  effects.safety.strictPenalty = {};
  effects.safety.typeFactor = {};
  for (const type of taskTypes) {
    const source = from(type);
    effects.coupling[type] = tidy(clamp(coupling[source] + noise(0.15), 0, 1));
    const shift = clamp((difficulty[source] ?? 0) + noise(0.25), -2, 2);
    if (Math.abs(shift) >= 0.005) effects.taskTypeDifficulty[type] = tidy(shift);
    const penalty = strictPenalty[source];
    if (penalty !== undefined) effects.safety.strictPenalty[type] = tidy(clamp(logNormal(penalty, 0.4), 0, 3));
    const factor = typeFactor[source];
    if (factor !== undefined) effects.safety.typeFactor[type] = tidy(clamp(logNormal(factor, 0.4), 0, 5));
  }
  effects.testedTypes = toggled(effects.testedTypes);
  const violations = riskLevels.map((risk) => clamp(logNormal(effects.safety.violationProbability[risk], 0.4), 0, 0.9)).sort((left, right) => left - right);
  riskLevels.forEach((risk, rank) => {
    effects.safety.violationProbability[risk] = tidy(violations[rank]!);
  });
  for (const complexity of complexities) {
    effects.architectGain[complexity] = tidy(Math.max(0, effects.architectGain[complexity] + noise(0.2)));
    effects.consultantGain[complexity] = tidy(Math.max(0, effects.consultantGain[complexity] + noise(0.2)));
    effects.extraAgentLogit[complexity] = tidy(effects.extraAgentLogit[complexity] + noise(0.2));
  }
  return parseWorld(world);
}
