import { featureOffsets, type ActionSpace } from '@orchestra/learning-features';
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
 * target's propensity-weighted (Hájek) mean reward there is not below the current choice's. Rows whose action is the
 * rules' give every head's base cell; rows that differ from the rules' action first at head d (an exploration of d,
 * with at most one forced adjustment after it) give d's cell; rows that differ more (a learned policy acted) give
 * none.
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
  const bandOf = (row: number) => Math.min(BANDS - 1, Math.max(0, Math.round((dataset.states[row * stateSize + featureOffsets.complexity] ?? 0.5) * (BANDS - 1))));
  const keyOf = (head: number, rulesChoice: number, band: number, choice: number) => ((head * maximumSize + rulesChoice) * BANDS + band) * maximumSize + choice;
  const add = (key: number, reward: number, weight: number) => {
    const cell = cells.get(key) ?? { weight: 0, weightedReward: 0, count: 0 };
    cell.weight += weight;
    cell.weightedReward += weight * reward;
    cell.count += 1;
    cells.set(key, cell);
  };
  let evidenceRows = 0;
  for (const row of rows) {
    base.set(rules.subarray(row * headCount, (row + 1) * headCount));
    logged.set(dataset.actions.subarray(row * headCount, (row + 1) * headCount));
    canonicaliseIndices(actionSpace, base, scratch);
    canonicaliseIndices(actionSpace, logged, scratch);
    let first = -1;
    let differing = 0;
    for (let head = 0; head < headCount; head++) {
      if (base[head] === logged[head]) continue;
      differing += 1;
      if (first < 0) first = head;
    }
    if (differing > 2) continue;
    const band = bandOf(row);
    const reward = dataset.normalisedRewards[row]!;
    const weight = 1 / Math.max(1e-6, dataset.propensities[row]!);
    evidenceRows += 1;
    if (first < 0) {
      for (let head = 0; head < headCount; head++) if (actionSpace.isHeadActive(head, base)) add(keyOf(head, base[head]!, band, base[head]!), reward, weight);
    } else {
      add(keyOf(first, base[first]!, band, logged[first]!), reward, weight);
    }
  }
  const meanOf = (cell: Cell | undefined) => (cell === undefined || cell.count < minimum ? null : cell.weightedReward / cell.weight);
  return {
    cells: cells.size,
    rows: evidenceRows,
    allows(row, head, from, to) {
      const rulesChoice = rules[row * headCount + head]!;
      const band = bandOf(row);
      const target = meanOf(cells.get(keyOf(head, rulesChoice, band, to)));
      const current = meanOf(cells.get(keyOf(head, rulesChoice, band, from)));
      return target !== null && current !== null && target >= current;
    },
  };
}
