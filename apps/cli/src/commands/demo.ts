import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import type { CliContext } from '../cli-context';

/** Code of the error that carries the demo's non-zero exit code to `runCli`. */
export const DEMO_EXIT = 'orchestra.demo.exit';

/** Path of the demo app's entry point (`@orchestra/demo`, built to `dist/index.js`). */
function demoEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@orchestra/demo/package.json')), 'dist', 'index.js');
}

/**
 * `orchestra demo [flags]`: runs the end-to-end demo (apps/demo) with the given flags (`--sessions`, `--seed`,
 * `--world`, `--json`, … — see `orchestra demo --help`) and exits with its exit code.
 */
export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('the end-to-end demo: shadow, offline A2C, OPE gate, A/B ramp, production, held-out evaluation')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]', 'flags of the demo (see orchestra demo --help)')
    .action(async (flags: string[]) => {
      const child = spawn(process.execPath, [demoEntry(), ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env: context.io.env });
      child.stdout.on('data', (chunk: Buffer) => context.io.stdout.write(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => context.io.stderr.write(chunk.toString()));
      const code = await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (exitCode) => resolve(exitCode ?? 1));
      });
      // The demo printed its own one-line error; pass its exit code through unchanged.
      if (code !== 0) throw new CommanderError(code, DEMO_EXIT, '');
    });
}
