import { defaultFeatureSchema } from '@orchestra/learning-features';
import { experienceSchema, type Experience, type PolicySource, type TaskType } from '@orchestra/learning-types';

/** A valid experience for tests, with a raw session of one model call. */
export function makeExperience(index: number, options: { source?: PolicySource; taskType?: TaskType; success?: boolean; reward?: number; cost?: number; model?: string; latencyMs?: number } = {}): Experience {
  const success = options.success ?? true;
  const cost = options.cost ?? 0.05;
  const model = options.model ?? 'glm-4.7';
  return experienceSchema.parse({
    schemaVersion: 1,
    id: `experience-${index}`,
    timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, index)).toISOString(),
    state: {
      featureSchemaHash: defaultFeatureSchema.hash,
      features: Array.from({ length: defaultFeatureSchema.size }, () => 0),
      context: { taskType: options.taskType ?? 'feature', domains: ['backend'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 30 },
      system: { concurrentTasks: 0, load: 0.2 },
    },
    action: { agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models: { executor: model } },
    propensity: 0.9,
    policy: { source: options.source ?? 'rules', version: 'rules-1' },
    mode: 'shadow',
    reward: { total: options.reward ?? (success ? 100 : -100), components: { outcome: options.reward ?? (success ? 100 : -100) } },
    outcome: { success, durationMs: 60_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.5, errorCount: success ? 0 : 1, totalCostUsd: cost, models: [{ model, attempts: 1, successes: success ? 1 : 0 }] },
    session: {
      workflow: [{ id: 'a', agentRole: 'executor', status: success ? 'completed' : 'failed', attempts: [{ modelId: model, tokensUsed: 100, latencyMs: options.latencyMs ?? 1000, success, estimatedCost: cost }] }],
      globalMetrics: { totalCostEstimate: cost, totalTokens: 100, totalAttempts: 1, avgLatencyMs: options.latencyMs ?? 1000 },
      phase: success ? 'completed' : 'failed',
    },
  });
}
