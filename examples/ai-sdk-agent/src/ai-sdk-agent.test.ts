import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';

const example = fileURLToPath(new URL('./ai-sdk-agent.ts', import.meta.url));

describe('ai-sdk-agent example', () => {
  it('runs the architect → executor → auditor loop with generateText and records the three sessions', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ai-sdk-agent-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', example, dataDir]);
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    const taskLines = lines.filter((line) => line.startsWith('task '));
    expect(taskLines).toHaveLength(3);
    for (const line of taskLines) expect(line).toMatch(/^task \d: \w+ — ([a-z]+=(gpt-4o-mini|claude-sonnet|o3) ?)+$/);
    const recorded = lines.filter((line) => line.startsWith('  recorded '));
    expect(recorded).toHaveLength(3);
    for (const line of recorded) expect(line).toMatch(/^ {2}recorded [0-9a-f]{8}: reward -?\d+\.\d\d, stored yes$/);
    // With an auditor the first review asks for a test, so the loop takes two rounds; without one, a single round.
    for (const line of taskLines) {
      const verdict = lines[lines.indexOf(line) + 2]!;
      expect(verdict).toBe(line.includes('auditor=') ? '  approved after 2 rounds' : '  approved after 1 round');
    }
    const summary = /^3 sessions in the buffer, (\d+) model calls, \$(\d+\.\d+)$/.exec(lines.at(-1)!);
    expect(summary).not.toBeNull();
    const expectedCalls = taskLines.reduce((sum, line) => sum + (line.includes('architect=') ? 1 : 0) + (line.includes('auditor=') ? 4 : 1), 0);
    expect(Number(summary![1])).toBe(expectedCalls);
    expect(Number(summary![2])).toBeGreaterThan(0);
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);
  }, 60_000);
});
