import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';

const example = fileURLToPath(new URL('./orchestrator-loop.ts', import.meta.url));

describe('orchestrator-loop example', () => {
  it('decides, runs and records three tasks into the data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'orchestrator-loop-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', example, dataDir]);
    const lines = stdout.trim().split('\n');
    const taskLines = lines.filter((line) => line.startsWith('task '));
    expect(taskLines).toHaveLength(3);
    for (const line of taskLines) {
      expect(line).toMatch(/^task \d: \w+ via rules, agents [a-z+]*executor[a-z+]*, reward -?\d+(\.\d+)?, stored yes$/);
    }
    expect(taskLines[0]).toContain(': bugfix via');
    const rewards = taskLines.map((line) => Number(/reward (-?[\d.]+)/.exec(line)![1]));
    expect(rewards.every((reward) => reward > 0)).toBe(true);
    expect(lines.at(-1)).toBe('mode shadow');
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);
  }, 60_000);
});
