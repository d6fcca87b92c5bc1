import { createColors } from 'picocolors';

/** Where the command writes and what it knows about its environment; replaceable in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Colours: on only for a TTY, never with `NO_COLOR` (any value) or `FORCE_COLOR=0`; `FORCE_COLOR=1` forces them. */
export function colorsFor(io: CliIo): ReturnType<typeof createColors> {
  const env = io.env;
  let enabled = io.stdout.isTTY === true;
  if (env.FORCE_COLOR !== undefined) enabled = env.FORCE_COLOR !== '0';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') enabled = false;
  return createColors(enabled);
}

/** Column alignment of a table. */
export type Align = 'left' | 'right';

/** Formats rows as an aligned plain-text table (numbers right-aligned by default). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const alignOf = (column: number): Align => align?.[column] ?? (column === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (alignOf(column) === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** A number with at most `digits` decimals, or `–` for null. */
export function formatValue(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A rate in [0, 1] as a percentage, or `–`. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`;
}

/** Writes a JSON document followed by a newline. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
