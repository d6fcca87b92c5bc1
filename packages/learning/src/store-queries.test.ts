import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';

const directory = useTemporaryDirectory('learning-store-queries-');

describe('the facade answers statistics and exports of its store', () => {
  it('counts what was recorded, filters, names the store, and exports it to a file', async () => {
    const root = directory();
    const dataDir = join(root, 'data');
    const learning = await createLearning({ dataDir, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, warmHistory: false } });
    try {
      for (const description of ['fix the login bug', 'fix the crash on save', 'write the API docs']) {
        const decision = learning.decide({ description });
        await learning.record(new OrchestratorIntegration({ sessionId: decision.sessionId }).finish(), decision);
      }
      const all = await learning.stats();
      expect(all.stats.totalExperiences).toBe(3);
      expect(all.store).toEqual({ kind: 'jsonl', location: expect.stringContaining(dataDir) });
      const before2000 = await learning.stats({ filter: { to: '2000-01-01T00:00:00Z' } });
      expect(before2000.stats.totalExperiences).toBe(0);

      const output = join(root, 'export.jsonl');
      const report = await learning.exportExperiences(output, { format: 'jsonl' });
      expect(report).toMatchObject({ format: 'jsonl', exported: 3, filteredOut: 0 });
      expect((await readFile(output, 'utf8')).trim().split('\n')).toHaveLength(3);
      await expect(learning.exportExperiences(output, { format: 'jsonl' })).rejects.toThrow(/exists/);
    } finally {
      await learning.close();
    }
  });
});
