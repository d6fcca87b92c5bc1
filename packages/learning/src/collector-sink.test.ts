import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExperienceStoreError } from '@orchestra/learning-collector';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { CollectorSink } from './collector-sink';
import type { LearningDecision } from './learning-runtime';
import { OrchestratorIntegration } from './orchestrator-integration';

const root = useTemporaryDirectory('collector-sink-');

describe('CollectorSink', () => {
  it('reports a store that cannot be opened once, to the record that caused it, not again on close', async () => {
    // The data dir is a regular file: the buffer directory cannot be created under it.
    const dataDir = join(root(), 'not-a-directory');
    await writeFile(dataDir, 'x');
    const sink = new CollectorSink({ dataDir });
    const decision = { mode: 'shadow' } as LearningDecision;
    const session = new OrchestratorIntegration({ sessionId: 's' }).finish();
    await expect(sink.record(session, decision)).rejects.toSatisfy(ExperienceStoreError.isInstance);
    await expect(sink.close()).resolves.toBeUndefined();
    // The failed open is not kept: the next record tries again (and fails again, the file is still there).
    await expect(sink.record(session, decision)).rejects.toSatisfy(ExperienceStoreError.isInstance);
    await expect(sink.close()).resolves.toBeUndefined();
  });
});
