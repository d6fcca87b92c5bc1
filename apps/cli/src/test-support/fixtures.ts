import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import type { ModelManifestInput } from '@orchestra/learning-policy';
import { writeTestModelArtifact } from '@orchestra/learning-policy/testing';
import { experienceSchema, type Experience, type PolicySource, type TaskType } from '@orchestra/learning-types';

/** Writes a small valid model artifact on the default feature schema and action space (actor seed 7). */
export function writeTestModel(directory: string, options: { version: string; ope?: ModelManifestInput['ope'] }): Promise<void> {
  return writeTestModelArtifact(directory, { ...options, seed: 7 });
}

/** A valid experience with a raw session of one model call. */
export function makeExperience(index: number, options: { source?: PolicySource; taskType?: TaskType; success?: boolean; timestamp?: string } = {}): Experience {
  const success = options.success ?? index % 4 !== 0;
  return experienceSchema.parse({
    schemaVersion: 1,
    id: `experience-${index}`,
    timestamp: options.timestamp ?? new Date(Date.UTC(2026, 10, 25, 12, 0, index)).toISOString(),
    state: {
      featureSchemaHash: defaultFeatureSchema.hash,
      features: Array.from({ length: defaultFeatureSchema.size }, () => 0),
      context: { taskType: options.taskType ?? (index % 2 === 0 ? 'feature' : 'bugfix'), domains: ['backend'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 30 },
      system: { concurrentTasks: 0, load: 0.2 },
    },
    action: { agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models: { executor: 'glm-4.7' } },
    propensity: 0.9,
    policy: { source: options.source ?? (index % 3 === 0 ? 'learned' : 'rules'), version: 'v' },
    mode: 'shadow',
    reward: { total: success ? 100 : -100, components: { outcome: success ? 100 : -100 } },
    outcome: { success, durationMs: 60_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.5, errorCount: success ? 0 : 1, totalCostUsd: 0.05, models: [{ model: 'glm-4.7', attempts: 1, successes: success ? 1 : 0 }] },
    session: {
      workflow: [{ id: 'a', agentRole: 'executor', status: success ? 'completed' : 'failed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 100, latencyMs: 1000 + index, success, estimatedCost: 0.05 }] }],
      globalMetrics: { totalCostEstimate: 0.05, totalTokens: 100, totalAttempts: 1, avgLatencyMs: 1000 + index },
      phase: success ? 'completed' : 'failed',
    },
  });
}

/** A completed design-shaped session with id `id` (one executor step, one glm-4.7 attempt) for ingest tests. */
export function ingestSession(id: string) {
  return {
    sessionId: id,
    workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 900, latencyMs: 1500, success: true, estimatedCost: 0.01 }] }],
    globalMetrics: { totalCostEstimate: 0.01, totalTokens: 900, totalAttempts: 1, avgLatencyMs: 1500 },
    phase: 'completed',
    task: { description: `fix: broken pagination ${id}`, files: ['api/src/list.ts'] },
  };
}

/** Appends `count` valid experiences (`makeExperience(0 … count − 1)`) to the JSONL buffer of `dataDir`. */
export async function fillBuffer(dataDir: string, count: number): Promise<void> {
  const store = await JsonlExperienceStore.open({ dataDir });
  await store.append(Array.from({ length: count }, (_, index) => makeExperience(index)));
  await store.close();
}
