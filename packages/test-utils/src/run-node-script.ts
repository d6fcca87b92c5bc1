import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** How a script run ended: its exit code and what it printed. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript file (a path or a `file:` URL) as a newcomer would, in its own Node process through tsx; resolves
 * with its exit code and output whatever the code, and rejects only when the process could not be started.
 */
export async function runNodeScript(file: string | URL, ...args: string[]): Promise<ScriptRun> {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as Partial<ScriptRun>;
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}
