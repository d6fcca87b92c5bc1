import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';

const cwd = useTemporaryDirectory('orchestra-relative-', (directory) => simulateShadowSessions(directory, join(directory, 'data'), 20, 5));

const run = (...argv: string[]) => runInProcess(cwd(), ...argv);

describe('relative paths on the command line', () => {
  it('resolve against the CLI\'s working directory, not the process\'s', async () => {
    expect(cwd()).not.toBe(process.cwd());
    const exported = await run('learning-export', '-o', 'out/../history.jsonl', '--format', 'jsonl');
    expect(exported.code).toBe(0);
    expect(existsSync(join(process.cwd(), 'history.jsonl'))).toBe(false);
    expect((await readFile(join(cwd(), 'history.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(20);
    // Read back from the same relative path: every session is stored already.
    const recorded = await run('learning-record', 'history.jsonl', '--json');
    expect(recorded.code).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ recorded: 0, skipped: 20 });
    const report = await run('learning-report', '-o', 'report-here.html', '--json');
    expect(report.code).toBe(0);
    expect(existsSync(join(cwd(), 'report-here.html'))).toBe(true);
    expect(existsSync(join(process.cwd(), 'report-here.html'))).toBe(false);
  });

  it('keep refusing an empty path with one line', async () => {
    const result = await run('learning-export', '-o', '');
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
