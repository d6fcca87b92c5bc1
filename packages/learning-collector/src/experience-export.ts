import { createWriteStream, promises as fs } from 'node:fs';
import type { Writable } from 'node:stream';
import { agentRoles, validate, type Experience } from '@orchestra/learning-types';
import { z } from 'zod';
import { formatCsvRow, type CsvCell } from './csv-writer';
import { experienceFilterSchema } from './experience-filter';
import type { ExperienceStore } from './experience-store';

/** `json`: one JSON array; `jsonl`: one experience per line; `csv`: flattened features/action/reward columns. */
export const exportFormatSchema = z.enum(['json', 'jsonl', 'csv']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** Options of `exportExperiences`. */
export const exportOptionsSchema = z.object({
  format: exportFormatSchema.default('json'),
  filter: experienceFilterSchema.optional(),
  /** CSV: names of the feature columns (`feature_<name>`); default `feature_0…` by position. */
  featureNames: z.array(z.string().min(1)).optional(),
  /** CSV: reward components given their own column; default: those of the first exported experience. */
  rewardComponents: z.array(z.string().min(1)).optional(),
});
export type ExportOptions = z.infer<typeof exportOptionsSchema>;
export type ExportOptionsInput = z.input<typeof exportOptionsSchema>;

/** What an export wrote. */
export interface ExportReport {
  format: ExportFormat;
  exported: number;
  /** Valid experiences the filter dropped. */
  filteredOut: number;
  /** Invalid lines met (and quarantined) while reading. */
  quarantined: number;
}

async function write(output: Writable, text: string): Promise<void> {
  if (!output.write(text)) await new Promise<void>((resolve) => output.once('drain', resolve));
}

/** CSV layout fixed by the first exported experience (or the options). */
class CsvLayout {
  readonly header: string[];
  constructor(
    readonly featureCount: number,
    readonly featureNames: readonly string[] | undefined,
    readonly rewardComponents: readonly string[],
  ) {
    const features = Array.from({ length: featureCount }, (_, index) => `feature_${featureNames?.[index] ?? index}`);
    this.header = [
      'id',
      'timestamp',
      'session_id',
      'mode',
      'policy_source',
      'policy_version',
      'propensity',
      'feature_schema_hash',
      'task_type',
      'domains',
      'complexity',
      'risk',
      'estimated_time_minutes',
      ...features,
      'action_agents',
      'action_approach',
      'action_parallelism',
      'action_timeout_multiplier',
      'action_retry_strategy',
      'action_safety_level',
      'action_skills',
      ...agentRoles.map((role) => `action_model_${role}`),
      'reward_total',
      ...rewardComponents.map((component) => `reward_${component}`),
      'reward_components_json',
      'reward_capped',
      'outcome_success',
      'outcome_duration_ms',
      'outcome_estimated_duration_ms',
      'outcome_cost_usd',
      'outcome_tokens',
      'outcome_error_count',
      'outcome_fallback_rotations',
    ];
  }

  row(experience: Experience): CsvCell[] {
    const { state, action, reward, outcome } = experience;
    const features: CsvCell[] = [];
    // A record of another feature schema keeps its hash column; its values are written up to the header's width.
    for (let index = 0; index < this.featureCount; index += 1) features.push(state.features[index]);
    return [
      experience.id,
      experience.timestamp,
      experience.sessionId,
      experience.mode,
      experience.policy.source,
      experience.policy.version,
      experience.propensity,
      state.featureSchemaHash,
      state.context.taskType,
      state.context.domains.join(';'),
      state.context.complexity,
      state.context.risk,
      state.context.estimatedTimeMinutes,
      ...features,
      action.agents.join(';'),
      action.approach,
      action.parallelism,
      action.timeoutMultiplier,
      action.retryStrategy,
      action.safetyLevel,
      action.skills.join(';'),
      ...agentRoles.map((role) => action.models[role]),
      reward.total,
      ...this.rewardComponents.map((component) => reward.components[component]),
      JSON.stringify(reward.components),
      reward.capped.join(';'),
      outcome.success,
      outcome.durationMs,
      outcome.estimatedDurationMs,
      outcome.totalCostUsd,
      outcome.totalTokens,
      outcome.errorCount,
      outcome.fallbackRotations,
    ];
  }
}

/**
 * Streams the store's experiences (filtered by time range, mode and policy source) to `output` — a file path
 * (created with mode 0600) or a writable stream — as JSON, JSONL or CSV, in O(1) memory.
 */
export async function exportExperiences(store: ExperienceStore, output: string | Writable, options: ExportOptionsInput = {}): Promise<ExportReport> {
  const parsed = validate(exportOptionsSchema, options, 'ExportOptions');
  const stream = store.read(parsed.filter === undefined ? {} : { filter: parsed.filter });
  const target = typeof output === 'string' ? createWriteStream(output, { mode: 0o600 }) : output;
  let exported = 0;
  let layout: CsvLayout | undefined;
  try {
    if (parsed.format === 'json') await write(target, '[');
    for await (const batch of stream.batches()) {
      let text = '';
      for (const experience of batch) {
        if (parsed.format === 'jsonl') text += `${JSON.stringify(experience)}\n`;
        else if (parsed.format === 'json') text += `${exported === 0 ? '\n' : ',\n'}${JSON.stringify(experience)}`;
        else {
          if (layout === undefined) {
            layout = new CsvLayout(
              parsed.featureNames?.length ?? experience.state.features.length,
              parsed.featureNames,
              parsed.rewardComponents ?? Object.keys(experience.reward.components),
            );
            text += formatCsvRow(layout.header);
          }
          text += formatCsvRow(layout.row(experience));
        }
        exported += 1;
      }
      await write(target, text);
    }
    if (parsed.format === 'json') await write(target, exported === 0 ? ']\n' : '\n]\n');
    if (parsed.format === 'csv' && layout === undefined) {
      await write(target, formatCsvRow(new CsvLayout(parsed.featureNames?.length ?? 0, parsed.featureNames, parsed.rewardComponents ?? []).header));
    }
  } finally {
    if (typeof output === 'string') {
      await new Promise<void>((resolve, reject) => target.end((error?: Error | null) => (error ? reject(error) : resolve())));
      await fs.chmod(output, 0o600);
    }
  }
  return { format: parsed.format, exported, filteredOut: stream.summary.filteredOut, quarantined: stream.summary.quarantined };
}
