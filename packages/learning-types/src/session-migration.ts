/**
 * Session records of version 1 used this project's own names for the design's fields. These helpers bring such
 * a record to version 2 (the design's names) without losing a field.
 */

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rename(record: JsonRecord, from: string, to: string): JsonRecord {
  if (!(from in record) || to in record) return record;
  const { [from]: value, ...rest } = record;
  return { ...rest, [to]: value };
}

/**
 * Whether a session record without `schemaVersion` uses version 1's names (`agent`, `modelUsage`, `model`,
 * `totalCost`, `averageLatencyMs`) rather than the design's.
 */
export function usesSessionVersion1Names(record: JsonRecord): boolean {
  const metrics = record.globalMetrics;
  if (isRecord(metrics) && ('totalCost' in metrics || 'averageLatencyMs' in metrics)) return true;
  const workflow = record.workflow;
  if (!Array.isArray(workflow)) return false;
  return workflow.some((step) => isRecord(step) && ('agent' in step || 'modelUsage' in step));
}

/**
 * Upgrades a version 1 session record to version 2: `model` → `modelId`, `agent` → `agentRole`, `modelUsage` →
 * `attempts`, `startedAt`/`completedAt` → `startTime`/`endTime`, `totalCost` → `totalCostEstimate`,
 * `averageLatencyMs` → `avgLatencyMs`, and `successfulAttempts`/`failedAttempts` counted from the attempts.
 * Anything it does not recognise is passed through for the schema to judge.
 */
export function migrateSessionVersion1(record: JsonRecord): JsonRecord {
  let successful = 0;
  let failed = 0;
  const workflow = Array.isArray(record.workflow)
    ? record.workflow.map((step: unknown) => {
        if (!isRecord(step)) return step;
        let upgraded = rename(rename(rename(rename(step, 'agent', 'agentRole'), 'modelUsage', 'attempts'), 'startedAt', 'startTime'), 'completedAt', 'endTime');
        if (Array.isArray(upgraded.attempts)) {
          upgraded = {
            ...upgraded,
            attempts: upgraded.attempts.map((usage: unknown) => {
              if (!isRecord(usage)) return usage;
              if (usage.success === true) successful += 1;
              else if (usage.success === false) failed += 1;
              return rename(usage, 'model', 'modelId');
            }),
          };
        }
        return upgraded;
      })
    : record.workflow;
  let globalMetrics = record.globalMetrics;
  if (isRecord(globalMetrics)) {
    globalMetrics = rename(rename(globalMetrics, 'totalCost', 'totalCostEstimate'), 'averageLatencyMs', 'avgLatencyMs');
    if (isRecord(globalMetrics) && !('successfulAttempts' in globalMetrics)) globalMetrics = { ...globalMetrics, successfulAttempts: successful };
    if (isRecord(globalMetrics) && !('failedAttempts' in globalMetrics)) globalMetrics = { ...globalMetrics, failedAttempts: failed };
  }
  return { ...record, workflow, globalMetrics };
}

/**
 * Brings a session record of any supported version to the current one's names, for schemas that embed a
 * session (an `Experience`'s `session`): version 1 records (by `schemaVersion: 1` or by their names) are
 * migrated and marked version 2; anything else is returned unchanged.
 */
export function upgradeSessionRecord(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const version = input.schemaVersion;
  if (version === 1 || (version === undefined && usesSessionVersion1Names(input))) {
    return { ...migrateSessionVersion1(input), schemaVersion: 2 };
  }
  return input;
}
