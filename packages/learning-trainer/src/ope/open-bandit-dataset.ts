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

/** Reads one `item_id,position,click,propensity_score` CSV (the header is required and checked). */
export function readOpenBanditLog(file: string | URL): OpenBanditLog {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0]?.trim();
  if (header !== 'item_id,position,click,propensity_score') throw new Error(`Unexpected Open Bandit header in ${String(file)}: ${header}`);
  const size = lines.length - 1;
  const log: OpenBanditLog = {
    itemIds: new Int32Array(size),
    positions: new Int32Array(size),
    clicks: new Float64Array(size),
    propensities: new Float64Array(size),
    itemCount: 0,
  };
  for (let row = 0; row < size; row += 1) {
    const [item, position, click, propensity] = lines[row + 1]!.split(',');
    log.itemIds[row] = Number(item);
    log.positions[row] = Number(position);
    log.clicks[row] = Number(click);
    log.propensities[row] = Number(propensity);
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

/**
 * Records for evaluating the uniform-random policy (every item equally likely in each slot, probability
 * 1/itemCount, exactly the policy of the dataset's "random" logs) on `log`. With `withRewardModel`, adds
 * cross-fitted reward-model estimates for doubly robust: the click rate of each (item, slot) cell, smoothed
 * towards the overall rate, fitted on the other half of the log (first vs second half in time).
 */
export function uniformRandomPolicyRecords(log: OpenBanditLog, itemCount: number, withRewardModel = false): OffPolicyRecord[] {
  const size = log.clicks.length;
  const targetProbability = 1 / itemCount;
  const half = Math.floor(size / 2);
  const models = withRewardModel ? [fitCellClickRates(log, half, size, itemCount), fitCellClickRates(log, 0, half, itemCount)] : [];
  const records: OffPolicyRecord[] = [];
  for (let row = 0; row < size; row += 1) {
    const record: OffPolicyRecord = { reward: log.clicks[row]!, propensity: log.propensities[row]!, targetProbability };
    const model = models[row < half ? 0 : 1];
    if (model !== undefined) {
      const slot = log.positions[row]! - 1;
      let expected = 0;
      for (let item = 0; item < itemCount; item += 1) expected += model[slot * itemCount + item]!;
      record.directMethodEstimate = expected / itemCount;
      record.loggedActionEstimate = model[slot * itemCount + log.itemIds[row]!]!;
    }
    records.push(record);
  }
  return records;
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
