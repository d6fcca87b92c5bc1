import type { PriceTable, RewardConfigInput } from '@orchestra/learning-reward';
import { LearnedPolicy, type ModelArtifact } from '@orchestra/learning-policy';
import type { CatalogModel, Experience } from '@orchestra/learning-types';

/** Mean figures of a history under one reward version. */
export interface RewardFigures {
  experiences: number;
  meanCostUsd: number | null;
  meanReward: number | null;
  successRate: number | null;
}

/** How the learned policy's greedy decisions on recent tasks move when it is retrained on the new reward version. */
export interface DecisionShift {
  /** The deployed model the decisions are compared with. */
  deployedVersion: string;
  /** The model trained on the new version (its artifact directory is `output`). */
  retrainedVersion: string;
  output: string;
  /** Recent tasks compared (the newest experiences' states). */
  compared: number;
  /** Tasks whose greedy action differs. */
  changed: number;
  /** Of the changed tasks, how many changed each part of the action (approach, team, a role's model, …). */
  byPart: Record<string, number>;
}

/** What `LearningManager.reprice` did. */
export interface RepriceReport {
  /** The reward version now in force (null: the stored figures again). */
  version: { id: string; createdAt: string; prices: boolean; note?: string } | null;
  /** The figures under the version in force before. */
  before: RewardFigures;
  /** The figures under the new version. */
  after: RewardFigures;
  /** Experiences whose reward changed. */
  rewardsChanged: number;
  /** Experiences whose cost changed (re-priced from their sessions' token counts). */
  costsChanged: number;
  /** Experiences stored without their session: their calls cannot be re-priced (their stored cost is kept). */
  withoutSession: number;
  /** Null unless a model is deployed and a retraining was asked for (`train`). */
  decisions: DecisionShift | null;
}

/** A catalog's prices as a price table (exact model ids as keys). */
export function priceTableOfCatalog(models: readonly CatalogModel[]): PriceTable {
  const table: PriceTable = {};
  for (const model of models) table[model.id] = { inputPer1k: model.inputPricePer1kTokens, outputPer1k: model.outputPricePer1kTokens };
  return table;
}

/** Mean cost, reward and success of a history. */
export function rewardFigures(experiences: readonly Experience[]): RewardFigures {
  if (experiences.length === 0) return { experiences: 0, meanCostUsd: null, meanReward: null, successRate: null };
  let cost = 0;
  let reward = 0;
  let successes = 0;
  for (const experience of experiences) {
    cost += experience.outcome.totalCostUsd;
    reward += experience.reward.total;
    if (experience.outcome.success) successes += 1;
  }
  return { experiences: experiences.length, meanCostUsd: cost / experiences.length, meanReward: reward / experiences.length, successRate: successes / experiences.length };
}

/** The parts of an action two greedy decisions are compared on. */
function actionParts(action: Experience['action']): Record<string, string> {
  const parts: Record<string, string> = {
    approach: action.approach,
    parallelism: String(action.parallelism),
    timeout: String(action.timeoutMultiplier),
    retry: action.retryStrategy,
    safety: action.safetyLevel,
    team: [...action.agents].sort().join('+'),
  };
  for (const [role, model] of Object.entries(action.models)) parts[`model_${role}`] = model ?? '';
  return parts;
}

/**
 * Compares the greedy (argmax, no exploration) decisions of two models on the states of recent experiences: how
 * many differ, and in which parts.
 */
export function compareGreedyDecisions(
  before: ModelArtifact,
  after: ModelArtifact,
  experiences: readonly Experience[],
): { compared: number; changed: number; byPart: Record<string, number> } {
  const left = new LearnedPolicy(before, { selection: 'argmax', epsilon: 0, runtime: 'typescript' });
  const right = new LearnedPolicy(after, { selection: 'argmax', epsilon: 0, runtime: 'typescript' });
  const byPart: Record<string, number> = {};
  let changed = 0;
  for (const experience of experiences) {
    const input = { context: experience.state.context, system: experience.state.system, ...(experience.state.history === undefined ? {} : { history: experience.state.history }) };
    const first = actionParts(left.decide(input).action);
    const second = actionParts(right.decide(input).action);
    let differs = false;
    for (const part of new Set([...Object.keys(first), ...Object.keys(second)])) {
      if (first[part] === second[part]) continue;
      differs = true;
      byPart[part] = (byPart[part] ?? 0) + 1;
    }
    if (differs) changed += 1;
  }
  return { compared: experiences.length, changed, byPart };
}

/** Options of `LearningManager.reprice`. */
export interface RepriceOptions {
  /** New model prices: a catalog as in `orchestra.config.json` (`models`), re-costing every stored session's calls. */
  models?: readonly CatalogModel[];
  /** A changed reward configuration (weights, caps); the catalog's tiers are added unless it lists `models`. */
  reward?: RewardConfigInput;
  /** Return to the stored figures (no version in force). */
  reset?: boolean;
  /** Free text kept with the version. */
  note?: string;
  /**
   * Retrain on the new version into this directory and compare its greedy decisions with the deployed model's on
   * the `recentTasks` newest experiences (default 500). Needs the trainer and a deployed model.
   */
  train?: { output: string; recentTasks?: number; epochs?: number; trainerConfig?: Record<string, unknown> };
}
