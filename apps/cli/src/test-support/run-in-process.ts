import { join } from 'node:path';
import { runCli } from '../run-cli';
import type { RunResult } from './run-orchestra';

/** Runs `orchestra ...argv` in this process (no build needed), in `cwd` with the data dir `<cwd>/data`. */
export async function runInProcess(cwd: string, ...argv: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ORCHESTRA_DATA_DIR: join(cwd, 'data'), NO_COLOR: '1' },
    cwd,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
