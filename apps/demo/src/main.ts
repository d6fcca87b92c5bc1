import { OrchestraError } from '@orchestra/learning-types';
import { demoHelp, parseDemoArguments } from './demo-options';
import { formatSummary } from './format-summary';
import { runDemo, type DemoProgress } from './run-demo';

/** Where the demo writes: the summary to `stdout`, progress and errors to `stderr`. */
export interface DemoIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * The `pnpm demo` command: parses the flags, runs the demo with progress lines on stderr (none with `--json`),
 * prints the summary (or exactly the JSON summary with `--json`). Returns the exit code: 0, or 2 on bad input
 * (one-line error), 1 on an unexpected failure.
 */
export async function main(argv: readonly string[], io: DemoIo = process): Promise<number> {
  const started = performance.now();
  try {
    const options = parseDemoArguments(argv);
    if (options === null) {
      io.stdout.write(demoHelp);
      return 0;
    }
    const onProgress = options.json
      ? undefined
      : (progress: DemoProgress) => io.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${progress.phase.padEnd(10)} ${progress.message}\n`);
    const summary = await runDemo(options, onProgress);
    io.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
    return 0;
  } catch (error) {
    if (OrchestraError.isInstance(error)) {
      io.stderr.write(`demo: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`demo: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
