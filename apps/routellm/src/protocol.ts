import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExperienceCollector, JsonlExperienceStore } from '@orchestra/learning-collector';
import { ActionSpace, createFeatureSchema, createRng, type FeatureSchema, type ModelCatalog } from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { LearnedPolicy, SafetyGuard } from '@orchestra/learning-policy';
import {
  evaluate,
  evaluatedPolicyFromPolicy,
  trainOffline,
  writeTrainedModelArtifact,
  type PolicyComparison,
  type EvaluatedPolicy,
} from '@orchestra/learning-trainer';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { Action, EnhancedSessionStateInput, Experience, TaskContext } from '@orchestra/learning-types';
import type { RoutingItem } from './data';
import type { LoggedChoice } from './metrics';

/** The weak and strong model as catalog entries (RouteLLM has no per-prompt cost; the prices only label tiers). */
export const routingCatalog: ModelCatalog = {
  models: [
    { id: 'mixtral-8x7b-instruct', provider: 'mistral', tier: 'cheap', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.0006 },
    { id: 'gpt-4-1106-preview', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.03 },
  ],
};
const [weakModel, strongModel] = routingCatalog.models.map((model) => model.id) as [string, string];

/**
 * The reward "correct − λ·[strong]" expressed in the reward package's own terms, so experiences are scored exactly
 * as real sessions are: a completed session (+100) is a correct answer, a failed one (−100) a wrong one, and every
 * strong-model call costs 200·λ (expensive-model overuse with no free uses). All other terms are off. The total is
 * 200·(correct − λ·strong) − 100: an affine image of the routing reward.
 */
export function routingRewardConfig(lambda: number): RewardConfigInput {
  return {
    session: { timeEfficiencyWeight: 0, noFailedStepsBonus: 0, failedStepPenalty: 0 },
    cost: {
      cheapSessionBonus: 0,
      expensiveSessionPenalty: 0,
      cheapModelSuccessBonus: 0,
      fallbackRotationPenalty: 0,
      expensiveModelFreeUses: 0,
      expensiveModelOverusePenalty: -200 * lambda,
    },
    cheapModelPatterns: [weakModel],
    expensiveModelPatterns: [strongModel],
    caps: { expensiveModelOveruses: 1 },
  };
}

/** The fixed orchestration around the routed call: one executor, direct, default limits. */
function routedAction(model: string): Action {
  return {
    skills: [],
    agents: ['executor'],
    approach: 'direct',
    parallelism: 1,
    timeoutMultiplier: 1,
    retryStrategy: 'fail_fast',
    safetyLevel: 'balanced',
    models: { executor: model },
  };
}

/** The state of a prompt: its inferred task context, with the subject and prompt as the text the features hash. */
export function routingContext(item: RoutingItem): TaskContext {
  const subject = item.subject.replaceAll('_', ' ');
  const description = `subject ${subject}: ${item.prompt}`;
  const inferred = inferTaskContext({ description, labels: [item.subject] }).context;
  return { ...inferred, description };
}

function sessionOf(model: string, correct: boolean): EnhancedSessionStateInput {
  return {
    workflow: [
      {
        id: 'answer',
        agentRole: 'executor',
        status: correct ? 'completed' : 'failed',
        attempts: [{ modelId: model, tokensUsed: 0, latencyMs: 0, success: correct, estimatedCost: 0 }],
      },
    ],
    globalMetrics: { totalCostEstimate: 0, totalTokens: 0, totalAttempts: 1, avgLatencyMs: 0 },
    phase: correct ? 'completed' : 'failed',
  };
}

/** How the logging policy picks a model: uniformly, or ε-greedy around "always weak". */
export type LoggingPolicy = { kind: 'uniform' } | { kind: 'epsilon-weak'; epsilon: number };

function strongProbability(logging: LoggingPolicy): number {
  return logging.kind === 'uniform' ? 0.5 : logging.epsilon / 2;
}

/**
 * The logged-bandit protocol: the logging policy picks one model per training prompt, only that model's outcome is
 * revealed, and the experience (with its exact propensity) goes through the collector into a JSONL buffer.
 */
export async function collectLoggedExperiences(options: {
  items: readonly RoutingItem[];
  lambda: number;
  logging: LoggingPolicy;
  featureSchema: FeatureSchema;
  dataDir: string;
  seed: number;
}): Promise<Experience[]> {
  const store = await JsonlExperienceStore.open({ dataDir: options.dataDir, durability: 'none' });
  const collector = new ExperienceCollector({
    store,
    mode: 'shadow',
    featureSchema: options.featureSchema,
    reward: routingRewardConfig(options.lambda),
    rewardSource: 'session',
    keepSession: false,
    now: (() => {
      let tick = Date.parse('2026-01-01T00:00:00Z');
      return () => new Date((tick += 1000));
    })(),
  });
  const random = createRng(options.seed);
  const pStrong = strongProbability(options.logging);
  for (const item of options.items) {
    const strong = random.next() < pStrong;
    const model = strong ? strongModel : weakModel;
    const context = routingContext(item);
    await collector.record(sessionOf(model, strong ? item.strongCorrect : item.weakCorrect), {
      action: routedAction(model),
      propensity: strong ? pStrong : 1 - pStrong,
      source: 'rules',
      policyVersion: `logging-${options.logging.kind}`,
      context,
      system: { concurrentTasks: 0, load: 0 },
      task: { description: context.description ?? '' },
    });
  }
  await store.close();
  const experiences: Experience[] = [];
  for await (const experience of store.read()) experiences.push(experience);
  return experiences;
}

/** A fixed router (always weak / always strong) as off-policy evaluation sees it. */
function fixedRouter(name: string, model: string): EvaluatedPolicy {
  return { name, probability: (experience) => (experience.action.models.executor === model ? 1 : 0) };
}

/** What one λ produced: the learned router's scores on the test prompts, its decisions, and the OPE made before testing. */
export interface LambdaResult {
  lambda: number;
  /** P(strong | prompt) under the learned policy, per test item. */
  scores: Float64Array;
  /** The learned policy's argmax choice per test item (true = strong). */
  routedStrong: Uint8Array;
  ope: { learnedVsAlwaysWeak: PolicyComparison | { error: string }; learnedVsAlwaysStrong: PolicyComparison | { error: string } };
  trainingMs: number;
  bestEpoch: number;
  loggedExperiences: number;
  /** The logged choices (for tabular baselines on the same logs). */
  logs: LoggedChoice[];
}

/** Trains the off-policy actor-critic on the logged buffer for one λ and applies it to the test prompts. */
export async function trainRouter(options: {
  train: readonly RoutingItem[];
  test: readonly RoutingItem[];
  lambda: number;
  logging: LoggingPolicy;
  seed: number;
  epochs: number;
  textDimensions: number;
  /** Off-policy objective of the trainer (default importance-weighted). */
  objective?: 'importance-weighted' | 'advantage-weighted';
}): Promise<LambdaResult> {
  const featureSchema = createFeatureSchema({ textDimensions: options.textDimensions });
  const actionSpace = new ActionSpace(routingCatalog);
  const dataDir = mkdtempSync(join(tmpdir(), 'orchestra-routellm-'));
  try {
    const experiences = await collectLoggedExperiences({ ...options, items: options.train, featureSchema, dataDir });
    if (experiences.length !== options.train.length) {
      throw new Error(`expected ${options.train.length} logged experiences, read back ${experiences.length}`);
    }
    const started = performance.now();
    const trained = await trainOffline({
      experiences,
      actionSpace,
      rewardConfig: routingRewardConfig(options.lambda),
      validate: false,
      predictions: false,
      config: {
        seed: options.seed,
        batchSize: 128,
        entropyCoefficient: 0.001,
        offline: { epochs: options.epochs, behaviourCloningEpochs: 2, earlyStoppingPatience: 6, objective: options.objective ?? 'importance-weighted' },
      },
    });
    const trainingMs = performance.now() - started;
    const modelDirectory = join(dataDir, 'models', `router-lambda-${options.lambda}`);
    await writeTrainedModelArtifact(
      modelDirectory,
      {
        version: `router-lambda-${options.lambda}`,
        featureSchema,
        actionSpace,
        actor: trained.model.getActorWeights(),
        critic: trained.model.getCriticWeights(),
        training: { lambda: options.lambda, logging: options.logging },
      },
      { onnx: false },
    );
    // The routing prompts carry no orchestration risk, so no hard constraint applies to them.
    const guard = new SafetyGuard({ space: actionSpace, constraints: [] });
    const policy = await LearnedPolicy.load(modelDirectory, { featureSchema, selection: 'argmax', guard });
    const modelHead = actionSpace.headIndex('model_executor');
    const offset = actionSpace.offsets[modelHead]!;
    const strongIndex = 1;
    const scores = new Float64Array(options.test.length);
    const routedStrong = new Uint8Array(options.test.length);
    options.test.forEach((item, index) => {
      const input = { context: routingContext(item), system: { concurrentTasks: 0, load: 0 } };
      const logits = policy.logits(input);
      const weak = logits[offset]!;
      const strong = logits[offset + strongIndex]!;
      scores[index] = 1 / (1 + Math.exp(weak - strong));
      routedStrong[index] = policy.decide(input).action.models.executor === strongModel ? 1 : 0;
    });
    const learned = evaluatedPolicyFromPolicy(policy.version, policy);
    // Evaluate on the logs the trainer held out (the newest 20 %, used only for early stopping): estimating on the
    // logs a policy was fitted to would flatter it.
    const heldOut = [...experiences].sort((left, right) => Date.parse(left.timestamp) - Date.parse(right.timestamp)).slice(-trained.validationSize);
    const attempt = (baseline: EvaluatedPolicy): PolicyComparison | { error: string } => {
      try {
        return evaluate(learned, baseline, heldOut, { seed: options.seed });
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    };
    return {
      lambda: options.lambda,
      scores,
      routedStrong,
      ope: {
        learnedVsAlwaysWeak: attempt(fixedRouter('always-weak', weakModel)),
        learnedVsAlwaysStrong: attempt(fixedRouter('always-strong', strongModel)),
      },
      trainingMs,
      bestEpoch: trained.bestEpoch,
      loggedExperiences: experiences.length,
      logs: experiences.map((experience, index) => ({
        subject: options.train[index]!.subject,
        strong: experience.action.models.executor === strongModel,
        propensity: experience.propensity,
        correct: experience.outcome.success,
      })),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Seeded Fisher–Yates split into train and test. */
export function splitItems<Item>(items: readonly Item[], testFraction: number, seed: number): { train: Item[]; test: Item[] } {
  const shuffled = [...items];
  const random = createRng(seed);
  for (let index = shuffled.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random.next() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
  }
  const testSize = Math.round(shuffled.length * testFraction);
  return { test: shuffled.slice(0, testSize), train: shuffled.slice(testSize) };
}
