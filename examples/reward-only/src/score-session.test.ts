import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeScript } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';

/** Runs the example as a newcomer would, in its own Node process. */
const runExample = (...args: string[]) => runNodeScript(new URL('./score-session.ts', import.meta.url), ...args);

describe('reward-only example', () => {
  it('scores the recorded seed session 195 with its breakdown', async () => {
    const { code, stdout } = await runExample();
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('total 195');
    expect(lines).toContain('  outcome 100');
    expect(lines).toContain('  sessionCost 50');
    expect(lines).toContain('  failedSteps 15');
    const components = lines.filter((line) => /^ {2}\w+ -?\d/.test(line)).map((line) => Number(line.trim().split(' ')[1]));
    expect(components.reduce((sum, value) => sum + value, 0)).toBe(195);
    expect(lines.at(-1)).toMatch(/^normalized 0\.72\d\d$/);
  });

  it('names the offending field of an invalid session and exits 1', async () => {
    const session = JSON.parse(await readFile(new URL('./session.json', import.meta.url), 'utf8'));
    session.workflow[1].attempts[0].tokensUsed = -5;
    const directory = await mkdtemp(join(tmpdir(), 'reward-only-'));
    const file = join(directory, 'broken-session.json');
    await writeFile(file, JSON.stringify(session));
    const { code, stdout, stderr } = await runExample(file).finally(() => rm(directory, { recursive: true, force: true }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('workflow.1.attempts.0.tokensUsed');
  });
});
