import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { experienceReward } from '@orchestra/learning-reward';
import { taskTypes, type Experience } from '@orchestra/learning-types';
import { selectActions } from '../../networks/factorised-policy';
import { SeededRandom } from '../../networks/seeded-random';
import type { TrainOfflineResult } from '../train-offline';

/** Options of `syntheticExperiences`. */
export interface SyntheticExperienceOptions {
  count: number;
  seed: number;
  stateSize?: number;
  /** Probability that each head is drawn uniformly instead of taken from the rule (the logging policy's exploration). */
  exploration?: number;
  /** Restrict task types (to test the dominance warning). */
  taskTypes?: readonly string[];
  actionSpace?: ActionSpace;
}

/** The approach index that works best for a task type in this synthetic world. */
export function bestApproachOf(taskTypeIndex: number): number {
  return taskTypeIndex % 4;
}

/** Share of the 13 task-type states (one-hot in the first features) for which the trained greedy policy picks that type's best approach. */
export function bestApproachShare(result: Pick<TrainOfflineResult, 'model' | 'stateSize' | 'actionSpace'>): number {
  const states = 13;
  const headCount = result.actionSpace.heads.length;
  const input = result.model.actor.input(states);
  input.fill(0);
  for (let type = 0; type < states; type++) input[type * result.stateSize + type] = 1;
  const logits = result.model.actor.forward(states);
  const actions = new Int32Array(states * headCount);
  selectActions(result.model.heads, logits, states, actions);
  let hits = 0;
  for (let type = 0; type < states; type++) if (actions[type * headCount + actionHeads.approach] === bestApproachOf(type)) hits += 1;
  return hits / states;
}

/** The rule the logging policy follows when it does not explore: sequential, 1 worker, ×1 timeout, architect team. */
export const ruleIndices = [1, 0, 2, 1, 1, 1, 0, 0, 0, 0] as const;

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/**
 * Logged experiences from a small synthetic world (for tests and benchmarks): the first 13 features one-hot the
 * task type, feature 13 drives success and feature 14 duration, the rest are noise; success is far likelier with the task type's best approach (`bestApproachOf`);
 * the logging policy follows `ruleIndices` and explores each head with probability `exploration`, and logs the
 * exact propensity of what it chose. Rewards are the reward package's `experienceReward` of the outcome.
 */
export function syntheticExperiences(options: SyntheticExperienceOptions): Experience[] {
  const random = new SeededRandom(options.seed);
  const actionSpace = options.actionSpace ?? new ActionSpace();
  const stateSize = options.stateSize ?? 51;
  const exploration = options.exploration ?? 0.6;
  const allowedTypes = options.taskTypes ?? taskTypes;
  const headCount = actionSpace.heads.length;
  const indices = new Int32Array(headCount);
  const mask = new Uint8Array(16);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const experiences: Experience[] = [];
  for (let number = 0; number < options.count; number++) {
    const taskType = allowedTypes[random.integer(allowedTypes.length)]! as (typeof taskTypes)[number];
    const taskTypeIndex = taskTypes.indexOf(taskType);
    const features = Array.from({ length: stateSize }, (_, index) => (index < 13 ? (index === taskTypeIndex ? 1 : 0) : random.gaussian() * 0.5));
    let propensity = 1;
    for (let head = 0; head < headCount; head++) {
      indices[head] = 0;
      const size = actionSpace.heads[head]!.size;
      actionSpace.mask(head, indices, mask);
      const valid: number[] = [];
      for (let choice = 0; choice < size; choice++) if (mask[choice] === 1) valid.push(choice);
      const rule = valid.includes(ruleIndices[head]!) ? ruleIndices[head]! : valid[0]!;
      const chosen = random.next() < exploration ? valid[random.integer(valid.length)]! : rule;
      indices[head] = chosen;
      if (actionSpace.isHeadActive(head, indices)) {
        propensity *= (1 - exploration) * (chosen === rule ? 1 : 0) + exploration / valid.length;
      }
    }
    const action = actionSpace.decode(indices);
    const approach = indices[actionHeads.approach]!;
    const parallelism = indices[actionHeads.parallelism]! + 1;
    const successProbability = sigmoid(-0.8 + (approach === bestApproachOf(taskTypeIndex) ? 2.2 : 0) + 3 * (features[13] ?? 0) - 0.2 * (parallelism - 1));
    const success = random.next() < successProbability;
    const estimatedDurationMs = 600_000;
    const durationMs = estimatedDurationMs * Math.exp(0.3 * random.gaussian() + (features[14] ?? 0) + (approach === 3 ? 0.4 : 0) - 0.15 * (parallelism - 1) + (success ? 0 : 0.3));
    const teamSize = 1 + action.agents.length;
    const totalCostUsd = 0.02 * teamSize * parallelism * Math.exp(0.2 * random.gaussian());
    const outcome = {
      schemaVersion: 1 as const,
      success,
      durationMs,
      estimatedDurationMs,
      resourceEfficiency: Math.min(1, Math.max(0, 0.8 - 0.1 * teamSize + 0.1 * random.gaussian())),
      errorCount: success ? 0 : 1 + random.integer(3),
      userEdits: success ? 0 : random.integer(3),
      safetyViolations: 0,
      testsPassed: success,
      totalCostUsd,
      totalTokens: 1000,
      fallbackRotations: 0,
      models: [],
    };
    experiences.push({
      schemaVersion: 1,
      id: `synthetic-${options.seed}-${number}`,
      timestamp: new Date(start + number * 60_000).toISOString(),
      state: {
        featureSchemaHash: 'synthetic-schema',
        features,
        context: {
          taskType,
          domains: [(['frontend', 'backend', 'api'] as const)[taskTypeIndex % 3]!],
          complexity: 'medium',
          risk: 'low',
          estimatedTimeMinutes: 10,
          skills: [],
        },
        system: { concurrentTasks: 1, load: 0.2, agentAvailability: {} },
      },
      action,
      propensity,
      policy: { source: 'rules', version: 'rules-1' },
      mode: 'shadow',
      reward: experienceReward(outcome),
      outcome,
    });
  }
  return experiences;
}
