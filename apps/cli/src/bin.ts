#!/usr/bin/env node
import { runCli } from './run-cli';

// A reader that stops early (`orchestra learning-stats | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`orchestra: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
