import { actionHeads, featureOffsets, type ActionSpace } from '@orchestra/learning-features';
import { taskTypes } from '@orchestra/learning-types';
import type { ExperienceDataset } from './experience-dataset';
import { canonicaliseIndices } from './q-distillation';

/**
 * The randomised evidence behind a change of one head, read straight from the logs: a guard on the critic's
 * improvement step.
 *
 * The rules' exploration redraws one head of the rules' own action at random. Within a *cell* — one head, the
 * choice the rules make there (which already encodes the context the rules read) and the task's inferred complexity
 * — which choice a session ran is therefore random, and the difference between the mean rewards of two choices is
 * an unbiased estimate of what moving between them achieves in that cell, whatever the critic believes. The linear
 * critic pools a choice's effect over contexts; where the rules use a choice only in some contexts its effect is
 * confounded with them (measured on the default world: glm-4.7 as executor, the rules' choice for simple and medium
 * tasks, valued by its average there and moved onto complex tasks, where 13 logged sessions succeeded 46 % of the
 * time against 91 %), and where a choice was logged a few dozen times its luck is the largest of ~50 alternatives'.
 *
 * A change passes the guard when both choices were logged at least `minimum` times in the row's cell and the
 * target's propensity-weighted (Hájek) mean reward there is not below the current choice's. Where both were logged
 * that often among the row's own task type too, that finer cell decides (a move may pay for one type of task and not
 * for the others the coarse cell pools). Rows whose action is the rules' give every head's base cell; rows that
 * differ from the rules' action first at head d and otherwise only where d forces it (roles joining or leaving the
 * team, the parallelism of a new approach) give d's cell; rows that differ more (a learned policy acted) give none.
 */
export interface LocalEvidence {
  /** Whether moving `head` of `row`'s action from choice `from` to `to` is supported by the row's cell. */
  allows(row: number, head: number, from: number, to: number): boolean;
  /** Cells with at least one logged row, and rows that gave evidence (for reports and tests). */
  readonly cells: number;
  readonly rows: number;
}

/** Complexity bands of a cell (the state's ordinal complexity feature, 0…1, in thirds). */
const BANDS = 3;

interface Cell {
  weight: number;
  weightedReward: number;
  count: number;
}

/**
 * Builds the cells from the `rows` of `dataset` (the rows the critic was fitted on), with `rules` the rules' greedy
 * action of every row (dataset layout, `size × heads`).
 */
export function buildLocalEvidence(dataset: ExperienceDataset, actionSpace: ActionSpace, rules: Int32Array, rows: Int32Array, minimum: number): LocalEvidence {
  const { headCount, stateSize } = dataset;
  const maximumSize = Math.max(...actionSpace.heads.map((head) => head.size));
  const scratch = new Uint8Array(maximumSize);
  const base = new Int32Array(headCount);
  const logged = new Int32Array(headCount);
  const cells = new Map<number, Cell>();
  // A state without the complexity feature (a reduced test state) or the task-type one-hot is one band / the coarse cell.
  const hasComplexity = featureOffsets.complexity < stateSize;
  const typeCount = featureOffsets.taskType + taskTypes.length <= stateSize ? taskTypes.length : 0;
  const bandOf = (row: number) =>
    hasComplexity ? Math.min(BANDS - 1, Math.max(0, Math.round(dataset.states[row * stateSize + featureOffsets.complexity]! * (BANDS - 1)))) : 0;
  const typeOf = (row: number) => {
    const offset = row * stateSize + featureOffsets.taskType;
    for (let type = 0; type < typeCount; type++) if (dataset.states[offset + type] === 1) return type + 1;
    return 0;
  };
  // Coarse cell (task type 0) and the task type's own (1 + its index).
  const keyOf = (head: number, rulesChoice: number, band: number, type: number, choice: number) =>
    (((head * maximumSize + rulesChoice) * BANDS + band) * (taskTypes.length + 1) + type) * maximumSize + choice;
  const addTo = (key: number, reward: number, weight: number) => {
    const cell = cells.get(key) ?? { weight: 0, weightedReward: 0, count: 0 };
    cell.weight += weight;
    cell.weightedReward += weight * reward;
    cell.count += 1;
    cells.set(key, cell);
  };
  const add = (row: number, head: number, rulesChoice: number, choice: number, reward: number, weight: number) => {
    const band = bandOf(row);
    addTo(keyOf(head, rulesChoice, band, 0, choice), reward, weight);
    const type = typeOf(row);
    if (type > 0) addTo(keyOf(head, rulesChoice, band, type, choice), reward, weight);
  };
  let evidenceRows = 0;
  for (const row of rows) {
    base.set(rules.subarray(row * headCount, (row + 1) * headCount));
    logged.set(dataset.actions.subarray(row * headCount, (row + 1) * headCount));
    canonicaliseIndices(actionSpace, base, scratch);
    canonicaliseIndices(actionSpace, logged, scratch);
    let first = -1;
    for (let head = 0; head < headCount && first < 0; head++) if (base[head] !== logged[head]) first = head;
    // An exploration of `first` changes nothing else but what it forces: roles joining or leaving the team (their model
    // heads turn active or inactive) and the parallelism a new approach allows. Any other difference: not the rules'
    // exploration (a learned policy acted), no evidence.
    let unexplained = 0;
    for (let head = first + 1; first >= 0 && head < headCount; head++) {
      if (base[head] === logged[head] || !actionSpace.isHeadActive(head, base) || !actionSpace.isHeadActive(head, logged)) continue;
      if (head === actionHeads.parallelism && first === actionHeads.approach) continue;
      unexplained += 1;
    }
    if (unexplained > 0) continue;
    const reward = dataset.normalisedRewards[row]!;
    const weight = 1 / Math.max(1e-6, dataset.propensities[row]!);
    evidenceRows += 1;
    if (first < 0) {
      for (let head = 0; head < headCount; head++) if (actionSpace.isHeadActive(head, base)) add(row, head, base[head]!, base[head]!, reward, weight);
    } else {
      add(row, first, base[first]!, logged[first]!, reward, weight);
    }
  }
  const meanOf = (cell: Cell | undefined) => (cell === undefined || cell.count < minimum ? null : cell.weightedReward / cell.weight);
  return {
    cells: cells.size,
    rows: evidenceRows,
    allows(row, head, from, to) {
      const rulesChoice = rules[row * headCount + head]!;
      const band = bandOf(row);
      const compare = (type: number) => {
        const target = meanOf(cells.get(keyOf(head, rulesChoice, band, type, to)));
        const current = meanOf(cells.get(keyOf(head, rulesChoice, band, type, from)));
        return target === null || current === null ? null : target >= current;
      };
      const type = typeOf(row);
      return (type > 0 ? compare(type) : null) ?? compare(0) ?? false;
    },
  };
}
