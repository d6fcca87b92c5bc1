import { createRng } from '@orchestra/learning-features';
import {
  EXPERIENCE_SCHEMA_VERSION,
  SESSION_SCHEMA_VERSION,
  domains,
  learningModes,
  modelErrorCodes,
  policySources,
  taskTypes,
  type Experience,
} from '@orchestra/learning-types';

/** Seeded uniform numbers in [0, 1) (the project's generator, `createRng`) so fixtures are reproducible. */
export function createRandom(seed: number): () => number {
  const generator = createRng(seed);
  return () => generator.next();
}

const models = ['glm-4.7', 'kimi-k2.5', 'gpt-5.2-codex', 'claude-opus'] as const;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

export interface ExperienceFactoryOptions {
  /** Number of feature values per experience (default 48). */
  featureCount?: number;
  /** Whether to attach a raw session with model usage (default true). */
  withSession?: boolean;
  /** Modes to draw from (default: shadow, ab_test, production). */
  modes?: readonly Experience['mode'][];
}

/** Builds a valid, varied `Experience` for tests and benchmarks; the same (seed, index) always gives the same record. */
export function makeExperience(seed: number, index: number, options: ExperienceFactoryOptions = {}): Experience {
  const random = createRandom(seed * 1_000_003 + index);
  const featureCount = options.featureCount ?? 48;
  const features: number[] = [];
  for (let position = 0; position < featureCount; position += 1) features.push(Math.round(random() * 1e4) / 1e4);
  const executorModel = pick(random, models);
  const architectModel = pick(random, models);
  const success = random() < 0.7;
  const fellBack = random() < 0.2;
  const errorCode = pick(random, modelErrorCodes);
  const firstLatency = 500 + Math.round(random() * 9500);
  const secondLatency = 500 + Math.round(random() * 9500);
  const fallbackModel = models[(models.indexOf(executorModel) + 1) % models.length] as string;
  const executorUsage = fellBack
    ? [
        { modelId: executorModel, tokensUsed: 800, latencyMs: firstLatency, success: false, errorCode, estimatedCost: 0.004, costSource: 'price_table' as const, attempt: 1 },
        { modelId: fallbackModel, tokensUsed: 1500, latencyMs: secondLatency, success, estimatedCost: 0.02, costSource: 'price_table' as const, attempt: 2 },
      ]
    : [{ modelId: executorModel, tokensUsed: 1500, latencyMs: firstLatency, success, estimatedCost: 0.015, costSource: 'price_table' as const, attempt: 1 }];
  const architectUsage = [
    { modelId: architectModel, tokensUsed: 2000, latencyMs: secondLatency, success: true, estimatedCost: 0.04, costSource: 'price_table' as const, attempt: 1 },
  ];
  const allUsage = [...architectUsage, ...executorUsage];
  const totalCost = allUsage.reduce((sum, usage) => sum + usage.estimatedCost, 0);
  const totalTokens = allUsage.reduce((sum, usage) => sum + usage.tokensUsed, 0);
  const modelCounts: Record<string, number> = {};
  const modelOutcomes = new Map<string, { model: string; attempts: number; successes: number }>();
  for (const usage of allUsage) {
    modelCounts[usage.modelId] = (modelCounts[usage.modelId] ?? 0) + 1;
    const entry = modelOutcomes.get(usage.modelId) ?? { model: usage.modelId, attempts: 0, successes: 0 };
    entry.attempts += 1;
    if (usage.success) entry.successes += 1;
    modelOutcomes.set(usage.modelId, entry);
  }
  const rewardTotal = Math.round((success ? 0.5 + random() * 0.5 : -0.5 + random() * 0.4) * 1e6) / 1e6;
  const taskSuccess = Math.round(rewardTotal * 0.6 * 1e6) / 1e6;
  const day = 1 + (index % 28);
  const experience: Experience = {
    schemaVersion: EXPERIENCE_SCHEMA_VERSION,
    id: `exp-${seed}-${index}`,
    timestamp: `2026-02-${String(day).padStart(2, '0')}T${String(index % 24).padStart(2, '0')}:00:00.000Z`,
    sessionId: `session-${seed}-${index}`,
    state: {
      featureSchemaHash: 'f00dfeed',
      features,
      context: {
        taskType: pick(random, taskTypes),
        domains: [pick(random, domains)],
        complexity: pick(random, ['simple', 'medium', 'complex'] as const),
        risk: pick(random, ['low', 'medium', 'high'] as const),
        estimatedTimeMinutes: 5 + Math.round(random() * 55),
        skills: ['typescript'],
      },
      system: { concurrentTasks: Math.floor(random() * 4), load: Math.round(random() * 100) / 100, agentAvailability: {} },
    },
    action: {
      skills: ['typescript'],
      agents: ['architect', 'executor'],
      approach: pick(random, ['direct', 'sequential', 'parallel', 'coordinated'] as const),
      parallelism: 1,
      timeoutMultiplier: 1,
      retryStrategy: 'fallback',
      safetyLevel: 'balanced',
      models: { architect: architectModel, executor: executorModel },
    },
    propensity: Math.max(0.01, Math.round(random() * 1000) / 1000),
    policy: { source: pick(random, policySources), version: 'rules-1' },
    mode: pick(random, options.modes ?? learningModes.filter((mode) => mode !== 'disabled')),
    reward: { total: rewardTotal, components: { taskSuccess, efficiency: Math.round((rewardTotal - taskSuccess) * 1e6) / 1e6 }, capped: [] },
    outcome: {
      schemaVersion: 1,
      success,
      durationMs: firstLatency + secondLatency,
      estimatedDurationMs: 600_000,
      resourceEfficiency: Math.round(random() * 100) / 100,
      errorCount: fellBack ? 1 : 0,
      userEdits: 0,
      safetyViolations: 0,
      testsPassed: success,
      totalCostUsd: Math.round(totalCost * 1e6) / 1e6,
      totalTokens,
      fallbackRotations: fellBack ? 1 : 0,
      models: [...modelOutcomes.values()],
    },
  };
  if (options.withSession ?? true) {
    experience.session = {
      schemaVersion: SESSION_SCHEMA_VERSION,
      sessionId: `session-${seed}-${index}`,
      workflow: [
        { id: 'step-1', agentRole: 'architect', status: 'completed', attempts: architectUsage },
        { id: 'step-2', agentRole: 'executor', status: success ? 'completed' : 'failed', attempts: executorUsage },
      ],
      globalMetrics: {
        totalCostEstimate: Math.round(totalCost * 1e6) / 1e6,
        totalTokens,
        totalAttempts: allUsage.length,
        successfulAttempts: allUsage.filter((usage) => usage.success).length,
        failedAttempts: allUsage.filter((usage) => !usage.success).length,
        avgLatencyMs: allUsage.reduce((sum, usage) => sum + usage.latencyMs, 0) / allUsage.length,
        fallbackRotations: fellBack ? 1 : 0,
        modelUsageCounts: modelCounts,
      },
      phase: success ? 'completed' : 'failed',
    };
  }
  return experience;
}
