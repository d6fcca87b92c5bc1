import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** How a script run ended: its exit code and what it printed. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript file as a newcomer would, in its own Node process (through tsx); never rejects on exit codes. */
export async function runNodeScript(file: string, ...args: string[]): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as Partial<ScriptRun>;
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}
