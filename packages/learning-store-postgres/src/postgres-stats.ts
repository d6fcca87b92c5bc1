import { ExperienceStatsAccumulator, LATENCY_SKETCH_RELATIVE_ACCURACY, type ExperienceStats, type ExperienceStatsState } from '@orchestra/learning-collector';
import type { Pool } from 'pg';
import { numericToNumber } from './exact-decimal';
import type { SqlFilter } from './sql-filter';
import type { TableNames } from './schema';

interface GroupRow {
  g_task: number;
  g_domain: number;
  g_source: number;
  g_mode: number;
  task_type: string | null;
  primary_domain: string | null;
  policy_source: string | null;
  mode: string | null;
  count: string;
  successes: string;
  reward_sum: string | null;
  cost_sum: string | null;
  token_sum: string | null;
  rotation_sum: string | null;
}

interface ModelRow {
  g_key: number;
  g_error: number;
  model: string;
  latency_key: number | null;
  error_code: string | null;
  attempts: string | null;
  successes: string | null;
  token_sum: string | null;
  cost_sum: string | null;
  rotation_sum: string | null;
  calls: string;
  rows: string;
}

interface InstantRow {
  which: 'first' | 'last';
  time_ms: string;
  timestamp: string;
}

type GroupState = ExperienceStatsState['overall'];
type ModelState = ExperienceStatsState['byModel'][number][1];

function groupState(row: GroupRow): GroupState {
  return { count: Number(row.count), successes: Number(row.successes), rewardSum: [numericToNumber(row.reward_sum)] };
}

/**
 * The statistics of the stored experiences (matching `filter`), computed by the database: one grouped aggregate
 * over the experiences (`GROUPING SETS`: overall, by task type, domain, source and mode), one over the model usage
 * (per model, per model and latency bin, per model and error code), and the first and last instants by index. The
 * sums are exact (`numeric` of exact decimals) and the latency quantiles come from the same DDSketch bins, so the
 * result equals `computeExperienceStats(store.read({ filter }))` — and a JSONL store's statistics of the same
 * experiences.
 */
export async function sqlExperienceStats(pool: Pool, names: TableNames, filter: SqlFilter): Promise<ExperienceStats> {
  const where = `NOT e.quarantined${filter.sql === '' ? '' : ` AND ${filter.sql}`}`;
  const groupsQuery = pool.query<GroupRow>(
    `SELECT grouping(task_type) AS g_task, grouping(primary_domain) AS g_domain, grouping(policy_source) AS g_source, grouping(mode) AS g_mode,
            task_type, primary_domain, policy_source, mode,
            count(*) AS count, count(*) FILTER (WHERE success) AS successes,
            sum(reward_exact)::text AS reward_sum, sum(cost_usd)::text AS cost_sum, sum(tokens)::text AS token_sum, sum(fallback_rotations)::text AS rotation_sum
     FROM ${names.experiences} e WHERE ${where}
     GROUP BY GROUPING SETS ((), (task_type), (primary_domain), (policy_source), (mode))`,
    filter.parameters,
  );
  // Without a filter the usage rows need no join: a quarantined record's usage rows are deleted with the flag.
  const usageSource = filter.sql === '' ? `${names.modelUsage} u` : `${names.modelUsage} u JOIN ${names.experiences} e ON e.seq = u.experience_seq AND ${where}`;
  const modelsQuery = pool.query<ModelRow>(
    `SELECT grouping(u.latency_key) AS g_key, grouping(u.error_code) AS g_error, u.model, u.latency_key, u.error_code,
            sum(u.attempts)::text AS attempts, sum(u.successes)::text AS successes, sum(u.tokens)::text AS token_sum,
            sum(u.cost_usd)::text AS cost_sum, sum(u.rotations)::text AS rotation_sum,
            count(*) FILTER (WHERE u.is_call) AS calls, count(*) AS rows
     FROM ${usageSource}
     GROUP BY GROUPING SETS ((u.model), (u.model, u.latency_key), (u.model, u.error_code))`,
    filter.parameters,
  );
  // Of equal instants the first stored wins, as in one pass over the buffer.
  const instantsQuery = pool.query<InstantRow>(
    `(SELECT 'first' AS which, time_ms::text, "timestamp" FROM ${names.experiences} e WHERE ${where} ORDER BY time_ms ASC, seq ASC LIMIT 1)
     UNION ALL
     (SELECT 'last' AS which, time_ms::text, "timestamp" FROM ${names.experiences} e WHERE ${where} ORDER BY time_ms DESC, seq ASC LIMIT 1)`,
    filter.parameters,
  );
  const quarantinedQuery = pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${names.experiences} e WHERE e.quarantined${filter.sql === '' ? '' : ` AND ${filter.sql}`}`, filter.parameters);
  const [groups, models, instants, quarantined] = await Promise.all([groupsQuery, modelsQuery, instantsQuery, quarantinedQuery]);

  const state: ExperienceStatsState = {
    overall: { count: 0, successes: 0, rewardSum: [] },
    byTaskType: [],
    byDomain: [],
    bySource: [],
    byMode: [],
    byModel: [],
    totalCostUsd: [],
    totalTokens: [],
    fallbackRotations: 0,
    first: null,
    last: null,
    quarantined: Number(quarantined.rows[0]?.count ?? 0),
  };
  for (const row of groups.rows) {
    const grouped = [row.g_task, row.g_domain, row.g_source, row.g_mode].map(Number);
    if (grouped.every((flag) => flag === 1)) {
      state.overall = groupState(row);
      state.totalCostUsd = [numericToNumber(row.cost_sum)];
      state.totalTokens = [numericToNumber(row.token_sum)];
      state.fallbackRotations = Number(row.rotation_sum ?? 0);
    } else if (grouped[0] === 0) state.byTaskType.push([row.task_type!, groupState(row)]);
    else if (grouped[1] === 0) state.byDomain.push([row.primary_domain!, groupState(row)]);
    else if (grouped[2] === 0) state.bySource.push([row.policy_source!, groupState(row)]);
    else state.byMode.push([row.mode!, groupState(row)]);
  }
  const byModel = new Map<string, ModelState & { bins: Map<number, number> }>();
  const modelOf = (name: string) => {
    let model = byModel.get(name);
    if (model === undefined) {
      model = {
        attempts: 0,
        successes: 0,
        tokens: [],
        costUsd: [],
        latencyMs: { relativeAccuracy: LATENCY_SKETCH_RELATIVE_ACCURACY, zeroCount: 0, keys: [], counts: [] },
        errorCodes: [],
        fallbackRotations: 0,
        bins: new Map(),
      };
      byModel.set(name, model);
    }
    return model;
  };
  for (const row of models.rows) {
    const model = modelOf(row.model);
    const calls = Number(row.calls);
    if (Number(row.g_key) === 1 && Number(row.g_error) === 1) {
      model.attempts = Number(row.attempts ?? 0);
      model.successes = Number(row.successes ?? 0);
      model.tokens = [numericToNumber(row.token_sum)];
      model.costUsd = [numericToNumber(row.cost_sum)];
      model.fallbackRotations = Number(row.rotation_sum ?? 0);
    } else if (Number(row.g_key) === 0) {
      if (calls === 0) continue;
      if (row.latency_key === null) model.latencyMs.zeroCount += calls;
      else model.bins.set(row.latency_key, calls);
    } else if (row.error_code !== null) {
      // Error codes are counted per call, as the accumulator counts them.
      model.errorCodes.push([row.error_code, calls]);
    }
  }
  for (const [name, model] of byModel) {
    const keys = [...model.bins.keys()].sort((left, right) => left - right);
    model.latencyMs.keys = keys;
    model.latencyMs.counts = keys.map((key) => model.bins.get(key)!);
    const { bins: _bins, ...serialised } = model;
    state.byModel.push([name, serialised]);
  }
  for (const row of instants.rows) {
    const instant = { time: Number(row.time_ms), timestamp: row.timestamp };
    if (row.which === 'first') state.first = instant;
    else state.last = instant;
  }
  return ExperienceStatsAccumulator.from(state).result();
}
