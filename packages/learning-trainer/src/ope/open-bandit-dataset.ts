import { readFileSync } from 'node:fs';
import type { OffPolicyRecord } from './off-policy-record';

/**
 * Reader of the Open Bandit Dataset sample kept in `data/obd/` (columns item_id, position, click, propensity_score;
 * see data/obd/README.md). Test and benchmark support only: not exported from the package.
 */
export interface OpenBanditLog {
  itemIds: Int32Array;
  /** 1-based slot (1 = left, 2 = centre, 3 = right), as in the CSV. */
  positions: Int32Array;
  clicks: Float64Array;
  propensities: Float64Array;
  itemCount: number;
}

/**
 * Reads an Open Bandit Dataset CSV: either the four-column copy in `data/obd/` or an original obp file (columns are
 * found by their header names `item_id`, `position`, `click`, `propensity_score`).
 */
export function readOpenBanditLog(file: string | URL): OpenBanditLog {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').trim().split(',');
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`Open Bandit file ${String(file)} has no ${name} column`);
    return index;
  };
  const [itemColumn, positionColumn, clickColumn, propensityColumn] = ['item_id', 'position', 'click', 'propensity_score'].map(column) as [number, number, number, number];
  const size = lines.length - 1;
  const log: OpenBanditLog = {
    itemIds: new Int32Array(size),
    positions: new Int32Array(size),
    clicks: new Float64Array(size),
    propensities: new Float64Array(size),
    itemCount: 0,
  };
  for (let row = 0; row < size; row += 1) {
    const fields = lines[row + 1]!.split(',');
    log.itemIds[row] = Number(fields[itemColumn]);
    log.positions[row] = Number(fields[positionColumn]);
    log.clicks[row] = Number(fields[clickColumn]);
    log.propensities[row] = Number(fields[propensityColumn]);
    log.itemCount = Math.max(log.itemCount, log.itemIds[row]! + 1);
  }
  return log;
}

/** Observed click rate of a log (the on-policy value of the policy that logged it). */
export function clickRate(log: OpenBanditLog): number {
  let clicks = 0;
  for (const click of log.clicks) clicks += click;
  return clicks / log.clicks.length;
}

/** A context-free slate policy: `probability[slot * itemCount + item]` = P(item shown in slot), slot 0-based. */
export interface SlotActionDistribution {
  itemCount: number;
  probability: Float64Array;
}

/** The uniform-random policy of the dataset's "random" logs: every item has probability 1/itemCount in every slot. */
export function uniformActionDistribution(itemCount: number): SlotActionDistribution {
  return { itemCount, probability: new Float64Array(3 * itemCount).fill(1 / itemCount) };
}

/**
 * Records for evaluating a context-free slate policy on `log` (obp's setting: each row is one decision, the
 * action is the item, the slot is part of the context). With `withRewardModel`, adds cross-fitted reward-model
 * estimates for doubly robust: the click rate of each (slot, item) cell, smoothed towards the overall rate, fitted on
 * the other half of the log (first vs second half in time).
 */
export function openBanditRecords(log: OpenBanditLog, target: SlotActionDistribution, withRewardModel = false): OffPolicyRecord[] {
  const { itemCount, probability } = target;
  const size = log.clicks.length;
  const half = Math.floor(size / 2);
  const models = withRewardModel ? [fitCellClickRates(log, half, size, itemCount), fitCellClickRates(log, 0, half, itemCount)] : [];
  const records: OffPolicyRecord[] = [];
  for (let row = 0; row < size; row += 1) {
    const cell = (log.positions[row]! - 1) * itemCount + log.itemIds[row]!;
    const record: OffPolicyRecord = { reward: log.clicks[row]!, propensity: log.propensities[row]!, targetProbability: probability[cell]! };
    const model = models[row < half ? 0 : 1];
    if (model !== undefined) {
      const slot = log.positions[row]! - 1;
      let expected = 0;
      for (let item = 0; item < itemCount; item += 1) expected += probability[slot * itemCount + item]! * model[slot * itemCount + item]!;
      record.directMethodEstimate = expected;
      record.loggedActionEstimate = model[cell]!;
    }
    records.push(record);
  }
  return records;
}

/** Records for evaluating the uniform-random policy on `log` (see `openBanditRecords`). */
export function uniformRandomPolicyRecords(log: OpenBanditLog, itemCount: number, withRewardModel = false): OffPolicyRecord[] {
  return openBanditRecords(log, uniformActionDistribution(itemCount), withRewardModel);
}

/** Smoothed click rate per (slot, item) from rows [from, to): (clicks + k·overall) / (shows + k), k = 50. */
function fitCellClickRates(log: OpenBanditLog, from: number, to: number, itemCount: number): Float64Array {
  const smoothing = 50;
  const clicks = new Float64Array(3 * itemCount);
  const shows = new Float64Array(3 * itemCount);
  let totalClicks = 0;
  for (let row = from; row < to; row += 1) {
    const cell = (log.positions[row]! - 1) * itemCount + log.itemIds[row]!;
    clicks[cell]! += log.clicks[row]!;
    shows[cell]! += 1;
    totalClicks += log.clicks[row]!;
  }
  const overall = totalClicks / Math.max(1, to - from);
  return clicks.map((cellClicks, cell) => (cellClicks + smoothing * overall) / (shows[cell]! + smoothing));
}
