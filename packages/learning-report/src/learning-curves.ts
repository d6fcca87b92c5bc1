import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LearningCurve } from './report-data';

/** Fields that are an x axis rather than a value, in order of preference. */
const xKeys = ['epoch', 'step', 'sessionsSeen'];

/** Separates the model version from the start time in a metrics file name (`<version>--<time>.jsonl`). */
export const RUN_NAME_SEPARATOR = '--';

/**
 * Reads the learning curves written by the trainer: every `*.jsonl` file of `directory`, each line an object whose
 * numeric fields are plotted against its `epoch` (or `step`, or `sessionsSeen`, else the line number). A curve is
 * named by the model version of its file name (`<version>--<time>.jsonl`), with the time only when two runs trained
 * the same version. Unparseable lines are counted in `skippedLines`, never drawn. Missing directory: none.
 */
export async function readLearningCurves(directory: string): Promise<{ curves: LearningCurve[]; skippedLines: number }> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort();
  } catch {
    return { curves: [], skippedLines: 0 };
  }
  const curves: Array<LearningCurve & { file: string }> = [];
  let skippedLines = 0;
  for (const name of names) {
    const fields: Record<string, Array<[number, number]>> = {};
    let xLabel: string | undefined;
    const lines = (await readFile(join(directory, name), 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        skippedLines += 1;
        return;
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        skippedLines += 1;
        return;
      }
      const values = record as Record<string, unknown>;
      const xKey = xKeys.find((key) => typeof values[key] === 'number');
      if (xKey !== undefined) xLabel ??= xKey;
      const x = xKey === undefined ? index + 1 : (values[xKey] as number);
      for (const [key, value] of Object.entries(values)) {
        if (xKeys.includes(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
        (fields[key] ??= []).push([x, value]);
      }
    });
    const file = name.replace(/\.jsonl$/, '');
    const separator = file.lastIndexOf(RUN_NAME_SEPARATOR);
    if (Object.keys(fields).length > 0) curves.push({ file, name: separator > 0 ? file.slice(0, separator) : file, xLabel: xLabel ?? 'line', fields });
  }
  const counts = new Map<string, number>();
  for (const curve of curves) counts.set(curve.name, (counts.get(curve.name) ?? 0) + 1);
  return { curves: curves.map(({ file, ...curve }) => ((counts.get(curve.name) ?? 0) > 1 ? { ...curve, name: file } : curve)), skippedLines };
}
