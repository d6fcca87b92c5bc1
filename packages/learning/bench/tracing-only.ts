/** The decide-tracing benchmark alone (`pnpm --filter @orchestra/learning bench:tracing`). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { createRandomDenseLayers, packDenseNetwork, writeModelArtifact } from '@orchestra/learning-policy';
import { benchmarkDecideTracing, reportDecideTracing } from './decide-tracing';

const root = mkdtempSync(join(tmpdir(), 'learning-bench-tracing-'));
const space = new ActionSpace();
const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 256, 128, space.totalLogits], 3), 'actor.weights.bin');
const modelDirectory = join(root, 'model');
mkdirSync(modelDirectory);
await writeModelArtifact(modelDirectory, {
  manifest: {
    formatVersion: 1,
    version: 'bench-1',
    createdAt: new Date().toISOString(),
    featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
    actionSpace: space.toJSON() as unknown as Record<string, unknown>,
    actor: actor.network,
    ope: { targetBeatsBaseline: true },
  },
  weights: { 'actor.weights.bin': actor.bytes },
});
reportDecideTracing(await benchmarkDecideTracing(root, modelDirectory));
