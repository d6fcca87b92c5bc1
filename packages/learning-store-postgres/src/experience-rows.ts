import { LatencySketch } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';
import { exactDecimal } from './exact-decimal';

/** PostgreSQL text cannot hold U+0000: such a character in a column value (never in the record) becomes U+FFFD. */
function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** Column arrays of a batch of experiences (one array per column: sent with `unnest`, one statement per batch). */
export interface ExperienceColumns {
  id: string[];
  sessionId: (string | null)[];
  timeMs: string[];
  timestamp: string[];
  mode: string[];
  policySource: string[];
  policyVersion: string[];
  taskType: string[];
  primaryDomain: string[];
  success: boolean[];
  reward: number[];
  rewardExact: string[];
  costUsd: string[];
  tokens: string[];
  fallbackRotations: string[];
  /** JSON text stored as `jsonb`, or null when `recordText` holds it. */
  record: (string | null)[];
  /** JSON text that `jsonb` cannot hold (it contains an escaped U+0000), kept as text. */
  recordText: (string | null)[];
}

/** Column arrays of the model-usage rows of a batch (linked to their experience by its id). */
export interface UsageColumns {
  experienceId: string[];
  model: string[];
  isCall: boolean[];
  attempts: number[];
  successes: number[];
  tokens: string[];
  costUsd: string[];
  latencyKey: (number | null)[];
  errorCode: (string | null)[];
  rotations: number[];
}

/** Empty column arrays. */
export function emptyColumns(): { experiences: ExperienceColumns; usage: UsageColumns } {
  return {
    experiences: {
      id: [],
      sessionId: [],
      timeMs: [],
      timestamp: [],
      mode: [],
      policySource: [],
      policyVersion: [],
      taskType: [],
      primaryDomain: [],
      success: [],
      reward: [],
      rewardExact: [],
      costUsd: [],
      tokens: [],
      fallbackRotations: [],
      record: [],
      recordText: [],
    },
    usage: { experienceId: [], model: [], isCall: [], attempts: [], successes: [], tokens: [], costUsd: [], latencyKey: [], errorCode: [], rotations: [] },
  };
}

/**
 * Adds one experience to the column arrays: its columns, and its model usage exactly as the collector's
 * `ExperienceStatsAccumulator` counts it — one row per model call of the raw session (tokens, cost, the latency's
 * sketch bin, the error code, and a rotation when a failed call is followed by another model in the same step), or,
 * for a record without calls, one row per `outcome.models` entry (attempts and successes only).
 */
export function addExperienceColumns(columns: { experiences: ExperienceColumns; usage: UsageColumns }, experience: Experience): void {
  const row = columns.experiences;
  const json = JSON.stringify(experience);
  const jsonbSafe = !json.includes('\\u0000');
  row.id.push(text(experience.id));
  row.sessionId.push(experience.sessionId === undefined ? null : text(experience.sessionId));
  row.timeMs.push(String(Date.parse(experience.timestamp)));
  row.timestamp.push(text(experience.timestamp));
  row.mode.push(experience.mode);
  row.policySource.push(experience.policy.source);
  row.policyVersion.push(text(experience.policy.version));
  row.taskType.push(experience.state.context.taskType);
  row.primaryDomain.push(experience.state.context.domains[0]!);
  row.success.push(experience.outcome.success);
  row.reward.push(experience.reward.total);
  row.rewardExact.push(exactDecimal(experience.reward.total));
  row.costUsd.push(exactDecimal(experience.outcome.totalCostUsd));
  row.tokens.push(exactDecimal(experience.outcome.totalTokens));
  row.fallbackRotations.push(String(experience.outcome.fallbackRotations));
  row.record.push(jsonbSafe ? json : null);
  row.recordText.push(jsonbSafe ? null : json);

  const usage = columns.usage;
  const id = text(experience.id);
  const session = experience.session;
  if (session !== undefined && session.workflow.some((step) => step.attempts.length > 0)) {
    for (const step of session.workflow) {
      const attempts = step.attempts;
      for (let index = 0; index < attempts.length; index += 1) {
        const call = attempts[index]!;
        const next = attempts[index + 1];
        usage.experienceId.push(id);
        usage.model.push(text(call.modelId));
        usage.isCall.push(true);
        usage.attempts.push(1);
        usage.successes.push(call.success ? 1 : 0);
        usage.tokens.push(exactDecimal(call.tokensUsed));
        usage.costUsd.push(exactDecimal(call.estimatedCost ?? 0));
        usage.latencyKey.push(LatencySketch.keyOf(call.latencyMs));
        usage.errorCode.push(call.errorCode === undefined ? null : text(call.errorCode));
        usage.rotations.push(!call.success && next !== undefined && next.modelId !== call.modelId ? 1 : 0);
      }
    }
    return;
  }
  for (const entry of experience.outcome.models) {
    usage.experienceId.push(id);
    usage.model.push(text(entry.model));
    usage.isCall.push(false);
    usage.attempts.push(entry.attempts);
    usage.successes.push(entry.successes);
    usage.tokens.push('0');
    usage.costUsd.push('0');
    usage.latencyKey.push(null);
    usage.errorCode.push(null);
    usage.rotations.push(0);
  }
}

/**
 * The statement that inserts a batch: every experience whose id and session id are new (`ON CONFLICT DO NOTHING`:
 * the unique constraints decide, whatever other processes insert at the same moment), then the model usage of those
 * inserted — one statement, so atomic. Returns the ids inserted.
 */
export function insertStatement(names: { experiences: string; modelUsage: string }): string {
  // The records travel as one JSON array (parsed once by the server) rather than as a text[] of JSON documents,
  // whose array-literal quoting costs more than the rest of the insert.
  return `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                         $10::boolean[], $11::float8[], $12::numeric[], $13::numeric[], $14::numeric[], $15::bigint[], $16::text[])
      WITH ORDINALITY AS t(id, session_id, time_ms, "timestamp", mode, policy_source, policy_version, task_type, primary_domain,
                            success, reward, reward_exact, cost_usd, tokens, fallback_rotations, record_text, position)
  ), records AS (
    SELECT value AS record, ordinality AS position FROM jsonb_array_elements($17::jsonb) WITH ORDINALITY
  ), inserted AS (
    INSERT INTO ${names.experiences} (id, session_id, time_ms, "timestamp", mode, policy_source, policy_version, task_type, primary_domain,
                                      success, reward, reward_exact, cost_usd, tokens, fallback_rotations, record, record_text)
    SELECT input.id, input.session_id, input.time_ms, input."timestamp", input.mode, input.policy_source, input.policy_version, input.task_type,
           input.primary_domain, input.success, input.reward, input.reward_exact, input.cost_usd, input.tokens, input.fallback_rotations,
           CASE WHEN input.record_text IS NULL THEN records.record END, input.record_text
    FROM input JOIN records ON records.position = input.position ORDER BY input.position
    ON CONFLICT DO NOTHING
    RETURNING seq, id
  ), usage AS (
    INSERT INTO ${names.modelUsage} (experience_seq, model, is_call, attempts, successes, tokens, cost_usd, latency_key, error_code, rotations)
    SELECT inserted.seq, u.model, u.is_call, u.attempts, u.successes, u.tokens, u.cost_usd, u.latency_key, u.error_code, u.rotations
    FROM unnest($18::text[], $19::text[], $20::boolean[], $21::integer[], $22::integer[], $23::numeric[], $24::numeric[], $25::integer[], $26::text[], $27::integer[])
      AS u(experience_id, model, is_call, attempts, successes, tokens, cost_usd, latency_key, error_code, rotations)
    JOIN inserted ON inserted.id = u.experience_id
  )
  SELECT id FROM inserted`;
}

/** The parameters of `insertStatement` for a batch. */
export function insertParameters(columns: { experiences: ExperienceColumns; usage: UsageColumns }): unknown[] {
  const row = columns.experiences;
  const usage = columns.usage;
  return [
    row.id,
    row.sessionId,
    row.timeMs,
    row.timestamp,
    row.mode,
    row.policySource,
    row.policyVersion,
    row.taskType,
    row.primaryDomain,
    row.success,
    row.reward,
    row.rewardExact,
    row.costUsd,
    row.tokens,
    row.fallbackRotations,
    row.recordText,
    `[${row.record.map((json) => json ?? 'null').join(',')}]`,
    usage.experienceId,
    usage.model,
    usage.isCall,
    usage.attempts,
    usage.successes,
    usage.tokens,
    usage.costUsd,
    usage.latencyKey,
    usage.errorCode,
    usage.rotations,
  ];
}
