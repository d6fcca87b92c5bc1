import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built executable the tests run, as a user would. Build first (`pnpm --filter @orchestra/cli build`). */
export const binPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** What a run printed and its exit code. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/bin.js ...args` in `cwd` with a clean environment plus `env`. `TMPDIR` passes through, so what the
 * CLI puts in the OS temp directory lands in the test run's temporary root (`@orchestra/test-utils/temporary-root`).
 */
export function runOrchestra(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const temporary = process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR };
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...temporary, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh working directory whose data dir is `<dir>/data` (via ORCHESTRA_DATA_DIR), and a runner bound to it. */
export async function sandbox(): Promise<{ cwd: string; dataDir: string; run: (...args: string[]) => Promise<RunResult> }> {
  const cwd = await mkdtemp(join(tmpdir(), 'orchestra-cli-'));
  const dataDir = join(cwd, 'data');
  return { cwd, dataDir, run: (...args) => runOrchestra(args, { cwd, env: { ORCHESTRA_DATA_DIR: dataDir } }) };
}

/** Fails the test file at once when the binary is not built (its tests run `dist/`). */
export function requireBuiltBinary(): void {
  if (!existsSync(binPath)) throw new Error(`${binPath} is missing: run \`pnpm --filter @orchestra/cli build\` first`);
}
