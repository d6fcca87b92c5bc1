import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { agentRoles, validate, type Experience } from '@orchestra/learning-types';
import { z } from 'zod';
import { formatCsvRow, type CsvCell } from './csv-writer';
import { ExportError } from './errors';
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
  /** Replace an existing regular file at the target path (never a symlink, directory or device). Default false. */
  overwrite: z.boolean().default(false),
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

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (code === undefined ? message : `${code}: ${message}`).split('\n')[0]!;
}

/**
 * Checks an export target before anything is written: a non-empty path in an existing directory, not a symlink, not
 * a directory/device/FIFO, and not an existing file unless `overwrite`. Throws `ExportError`.
 */
async function checkExportTarget(target: string, overwrite: boolean): Promise<void> {
  if (target.trim() === '' || target.includes('\0')) throw new ExportError({ path: target, reason: 'invalid-path', message: 'the path is empty or invalid' });
  const directory = path.dirname(path.resolve(target));
  const directoryStat = await fs.stat(directory).catch(() => undefined);
  if (directoryStat === undefined || !directoryStat.isDirectory()) {
    throw new ExportError({ path: target, reason: 'missing-directory', message: `directory ${directory} does not exist` });
  }
  let stat;
  try {
    stat = await fs.lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ExportError({ path: target, reason: 'write-failed', message: errorText(error), cause: error });
  }
  if (stat.isSymbolicLink()) throw new ExportError({ path: target, reason: 'symlink', message: 'it is a symbolic link (refused: it could point anywhere)' });
  if (stat.isDirectory()) throw new ExportError({ path: target, reason: 'not-a-regular-file', message: 'it is a directory' });
  if (!stat.isFile()) throw new ExportError({ path: target, reason: 'not-a-regular-file', message: 'it is not a regular file (device, FIFO or socket)' });
  if (!overwrite) throw new ExportError({ path: target, reason: 'exists', message: 'the file exists (use --force / overwrite: true to replace it)' });
}

/** The text sink an export writes to: a temporary file next to the target, or a caller's stream. */
interface ExportSink {
  write(text: string): Promise<void>;
}

/**
 * Streams the store's experiences (filtered by time range, mode and policy source) to `output` — a file path or a
 * writable stream — as JSON, JSONL or CSV, in O(1) memory.
 *
 * A file export is atomic: it is written to a temporary file (mode 0600, created exclusively) in the target's
 * directory, synced, then moved into place, so a failure midway (disk full, a read error) leaves no truncated
 * file and an existing one untouched. It refuses (`ExportError`, one line) an empty path, a missing directory, a
 * symlink, a directory or device, and an existing file unless `overwrite`.
 */
export async function exportExperiences(store: ExperienceStore, output: string | Writable, options: ExportOptionsInput = {}): Promise<ExportReport> {
  const parsed = validate(exportOptionsSchema, options, 'ExportOptions');
  if (typeof output !== 'string') {
    return writeExport(store, parsed, { write: (text) => write(output, text) });
  }
  await checkExportTarget(output, parsed.overwrite);
  const target = path.resolve(output);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(temporary, 'wx', 0o600);
  } catch (error) {
    throw new ExportError({ path: output, reason: 'write-failed', message: errorText(error), cause: error });
  }
  let report: ExportReport;
  let moved = false;
  try {
    try {
      report = await writeExport(store, parsed, {
        async write(text) {
          const bytes = Buffer.from(text);
          let offset = 0;
          while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
        },
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (parsed.overwrite) {
      // rename replaces the name itself: a symlink swapped in meanwhile is replaced, never followed.
      await fs.rename(temporary, target);
    } else {
      // link fails if the target appeared meanwhile: never replace a file the caller did not allow us to.
      await fs.link(temporary, target);
    }
    moved = true;
  } catch (error) {
    if (ExportError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw code === 'EEXIST'
      ? new ExportError({ path: output, reason: 'exists', message: 'the file appeared while exporting (use --force / overwrite: true to replace it)', cause: error })
      : new ExportError({ path: output, reason: 'write-failed', message: errorText(error), cause: error });
  } finally {
    if (!moved || !parsed.overwrite) await fs.rm(temporary, { force: true });
  }
  return report;
}

async function writeExport(store: ExperienceStore, parsed: ExportOptions, target: ExportSink): Promise<ExportReport> {
  const stream = store.read(parsed.filter === undefined ? {} : { filter: parsed.filter });
  let exported = 0;
  let layout: CsvLayout | undefined;
  if (parsed.format === 'json') await target.write('[');
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
    await target.write(text);
  }
  if (parsed.format === 'json') await target.write(exported === 0 ? ']\n' : '\n]\n');
  if (parsed.format === 'csv' && layout === undefined) {
    await target.write(formatCsvRow(new CsvLayout(parsed.featureNames?.length ?? 0, parsed.featureNames, parsed.rewardComponents ?? []).header));
  }
  return { format: parsed.format, exported, filteredOut: stream.summary.filteredOut, quarantined: stream.summary.quarantined };
}
