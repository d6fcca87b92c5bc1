import type { JsonlExperienceStore } from '@orchestra/learning-collector';
import type { PriceTable, RewardConfigInput } from '@orchestra/learning-reward';
import { LearnedPolicy, type ModelArtifact } from '@orchestra/learning-policy';
import type { CatalogModel, Experience } from '@orchestra/learning-types';
import { loadVerifiedModel } from './deployment';
import { addStateEvent, type DeployedModel, type LearningStateStore } from './learning-state';
import type { TrainOptions, TrainReport } from './train';

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
  const left = new LearnedPolicy(before, { selection: 'argmax', epsilon: 0, denseRuntime: 'typescript' });
  const right = new LearnedPolicy(after, { selection: 'argmax', epsilon: 0, denseRuntime: 'typescript' });
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

/** What `repriceHistory` needs of the manager: its store, reward, clock, state and training. */
export interface RepriceHost {
  /** Opens the experience store for writing (the reward versions live in it). */
  openStore(): Promise<JsonlExperienceStore>;
  /** This orchestrator's reward configuration, which a new version's `reward` is laid over. */
  rewardConfig: RewardConfigInput | undefined;
  now(): Date;
  /** The state file, where the new version and the decision shift are logged as events. */
  store: LearningStateStore;
  /** The deployed model, or null. */
  deployed(): Promise<DeployedModel | null>;
  train(options: TrainOptions): Promise<TrainReport>;
}

/**
 * Re-scores the whole history as a new reward version: new model prices (`models`, a catalog) re-cost every
 * stored session's calls from their token counts, a changed `reward` configuration re-scores every reward. The
 * stored figures stay (`readBuffer({ view: 'original' })`, and `reward.original` on each joined record); every
 * read, and so training, uses the version in force. With `train` (and a deployed model) it retrains on the new
 * version and reports how many of the greedy decisions on recent tasks change.
 */
export async function repriceHistory(host: RepriceHost, options: RepriceOptions): Promise<RepriceReport> {
  const store = await host.openStore();
  let version: RepriceReport['version'] = null;
  let before: Experience[];
  let after: Experience[];
  try {
    before = await collectStream(store.read({ quarantine: false }));
    const chosen =
      options.reset === true
        ? await store.rewardVersions().setCurrent(null)
        : await store.rewardVersions().setCurrent({
            reward: { ...(host.rewardConfig ?? {}), ...(options.reward ?? {}) },
            prices: options.models === undefined ? null : priceTableOfCatalog(options.models),
            now: host.now(),
            ...(options.note === undefined ? {} : { note: options.note }),
          });
    if (chosen !== null) version = { id: chosen.id, createdAt: chosen.createdAt, prices: chosen.prices !== null, ...(chosen.note === undefined ? {} : { note: chosen.note }) };
    after = await collectStream(store.read({ quarantine: false }));
  } finally {
    await store.close();
  }
  let rewardsChanged = 0;
  let costsChanged = 0;
  let withoutSession = 0;
  for (let index = 0; index < after.length; index += 1) {
    if (after[index]!.reward.total !== before[index]?.reward.total) rewardsChanged += 1;
    if (after[index]!.outcome.totalCostUsd !== before[index]?.outcome.totalCostUsd) costsChanged += 1;
    if (after[index]!.session === undefined) withoutSession += 1;
  }
  await host.store.update((state) => {
    addStateEvent(state, version === null ? 'reward version reset: the stored figures are in force' : `reward version ${version.id} in force${version.prices ? ' (re-priced)' : ''}`, host.now());
  });
  let decisions: RepriceReport['decisions'] = null;
  const deployed = await host.deployed();
  if (options.train !== undefined && deployed !== null) {
    const report = await host.train({
      output: options.train.output,
      experiences: after,
      ...(options.train.epochs === undefined ? {} : { epochs: options.train.epochs }),
      ...(options.train.trainerConfig === undefined ? {} : { trainerConfig: options.train.trainerConfig }),
    });
    const recent = after.slice(-(options.train.recentTasks ?? 500));
    const shift = compareGreedyDecisions(await loadVerifiedModel(deployed.directory), await loadVerifiedModel(report.output), recent);
    decisions = { deployedVersion: deployed.version, retrainedVersion: report.version, output: report.output, ...shift };
    // The report's timeline shows how the learned decisions would shift under the new version.
    const parts = Object.entries(shift.byPart)
      .sort((left, right) => right[1] - left[1])
      .map(([part, count]) => `${part} ${count}`)
      .join(', ');
    const summary = `re-priced decisions: ${report.version} (retrained) would change ${shift.changed} of ${shift.compared} recent greedy decisions of ${deployed.version}${parts === '' ? '' : ` (${parts})`}`;
    await host.store.update((state) => {
      addStateEvent(state, summary, host.now());
    });
  }
  return { version, before: rewardFigures(before), after: rewardFigures(after), rewardsChanged, costsChanged, withoutSession, decisions };
}

async function collectStream(stream: AsyncIterable<Experience>): Promise<Experience[]> {
  const experiences: Experience[] = [];
  for await (const experience of stream) experiences.push(experience);
  return experiences;
}
