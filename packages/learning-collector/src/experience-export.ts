import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { formatCsvRow } from './csv-writer';
import { FlatLayout } from './flat-layout';
import { ExportError } from './errors';
import { experienceFilterSchema } from './experience-filter';
import type { ExperienceStore } from './experience-store';
import { writeParquet } from './parquet-writer';

/**
 * `json`: one JSON array; `jsonl`: one experience per line; `csv`: flattened features/action/reward columns;
 * `parquet`: the same flat columns, typed (strings, doubles, booleans, `timestamp` as TIMESTAMP_MILLIS), for DuckDB,
 * Spark, Ray or pandas.
 */
export const exportFormatSchema = z.enum(['json', 'jsonl', 'csv', 'parquet']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** Options of `exportExperiences`. */
export const exportOptionsSchema = z.object({
  format: exportFormatSchema.default('json'),
  filter: experienceFilterSchema.optional(),
  /** CSV / Parquet: names of the feature columns (`feature_<name>`); default `feature_0…` by position. */
  featureNames: z.array(z.string().min(1)).optional(),
  /** CSV / Parquet: reward components given their own column; default: those of the first exported experience. */
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

async function write(output: Writable, text: string | Uint8Array): Promise<void> {
  if (!output.write(text)) await new Promise<void>((resolve) => output.once('drain', resolve));
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

/** The sink an export writes to: a temporary file next to the target, or a caller's stream. */
interface ExportSink {
  write(text: string): Promise<void>;
  writeBytes(bytes: Uint8Array): Promise<void>;
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
    return writeExport(store, parsed, { write: (text) => write(output, text), writeBytes: (bytes) => write(output, bytes) });
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
      const writeBytes = async (bytes: Uint8Array) => {
        let offset = 0;
        while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      };
      report = await writeExport(store, parsed, { write: (text) => writeBytes(Buffer.from(text)), writeBytes });
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
  if (parsed.format === 'parquet') {
    const exported = await writeParquet(stream, parsed, target);
    return { format: parsed.format, exported, filteredOut: stream.summary.filteredOut, quarantined: stream.summary.quarantined };
  }
  let exported = 0;
  let layout: FlatLayout | undefined;
  if (parsed.format === 'json') await target.write('[');
  for await (const batch of stream.batches()) {
    let text = '';
    for (const experience of batch) {
      if (parsed.format === 'jsonl') text += `${JSON.stringify(experience)}\n`;
      else if (parsed.format === 'json') text += `${exported === 0 ? '\n' : ',\n'}${JSON.stringify(experience)}`;
      else {
        if (layout === undefined) {
          layout = new FlatLayout(
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
    await target.write(formatCsvRow(new FlatLayout(parsed.featureNames?.length ?? 0, parsed.featureNames, parsed.rewardComponents ?? []).header));
  }
  return { format: parsed.format, exported, filteredOut: stream.summary.filteredOut, quarantined: stream.summary.quarantined };
}
