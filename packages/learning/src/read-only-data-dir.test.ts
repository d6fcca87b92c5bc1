import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'learning-read-only-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Every path under `directory` with its size, mtime and mode: any write shows up as a difference. */
async function snapshot(directory: string, prefix = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of (await readdir(directory, { withFileTypes: true })).sort((left, right) => left.name.localeCompare(right.name))) {
    const path = join(directory, entry.name);
    const info = await stat(path);
    lines.push(`${prefix}${entry.name} ${info.size} ${info.mtimeMs} ${(info.mode & 0o777).toString(8)}`);
    if (entry.isDirectory()) lines.push(...(await snapshot(path, `${prefix}${entry.name}/`)));
  }
  return lines;
}

describe('a data dir that is only read', () => {
  it('is not written by start-up (history warm-up), disabled-mode sessions, buffer reads or status (the report: @orchestra/learning-report)', async () => {
    const dataDir = join(root, 'data');
    const writer = await createLearning({ dataDir, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, warmHistory: false } });
    const decision = writer.decide({ description: 'fix the login bug' });
    await writer.record(new OrchestratorIntegration({ sessionId: decision.sessionId }).finish(), decision);
    await writer.close();
    const buffer = await JsonlExperienceStore.open({ dataDir });
    await buffer.close();
    const before = await snapshot(dataDir);

    const reader = await createLearning({ dataDir, env: {}, mode: 'disabled', config: { reloadIntervalMs: 0, warmHistory: true } });
    try {
      const disabled = reader.decide({ description: 'refactor the parser' });
      const { experience } = await reader.record(new OrchestratorIntegration({ sessionId: disabled.sessionId }).finish(), disabled);
      expect(experience).toBeNull();
      expect(await reader.readBuffer()).toHaveLength(1);
      await reader.status();
    } finally {
      await reader.close();
    }
    expect(await snapshot(dataDir)).toEqual(before);
  });
});
