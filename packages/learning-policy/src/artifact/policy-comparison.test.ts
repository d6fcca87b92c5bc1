import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestArtifactFiles } from '../test-support/create-test-artifact';
import { loadModelArtifact } from './load-model-artifact';
import { parseModelManifest } from './parse-model-artifact';
import { deployVerdictOf, migrateManifestPolicyComparison, type PolicyComparison } from './policy-comparison';

const estimate = (value: number) => ({ policy: 'p', estimator: 'doubly-robust', value, lower: value - 0.1, upper: value + 0.1, confidence: 0.95, standardError: 0.05, effectiveSampleSize: 80, sampleSize: 100 });
const comparison: PolicyComparison = {
  estimator: 'doubly-robust',
  confidence: 0.95,
  sampleSize: 100,
  target: estimate(0.6),
  baseline: estimate(0.5),
  difference: { value: 0.1, lower: 0.02, upper: 0.18, standardError: 0.04 },
  targetBeatsBaseline: true,
};
const manifestWith = (ope: unknown) => ({ ...createTestArtifactFiles({ hidden: [4] }).manifest, ope });

describe('the manifest policy comparison', () => {
  it('keeps a comparison as written, extra diagnostics included, and reads its verdict', () => {
    const written = { ...comparison, replicates: 400, seed: 1, changedShare: 0.3 };
    const manifest = parseModelManifest(manifestWith(written));
    expect(manifest.ope).toEqual(written);
    expect(deployVerdictOf(manifest.ope)).toBe('beats-rules');
    expect(deployVerdictOf(parseModelManifest(manifestWith({ ...comparison, targetBeatsBaseline: false })).ope)).toBe('does-not-beat-rules');
  });

  it('says not-evaluated without a comparison: none run, or why it failed', () => {
    expect(parseModelManifest(manifestWith(undefined)).ope).toBeNull();
    expect(deployVerdictOf(parseModelManifest(manifestWith(null)).ope)).toBe('not-evaluated');
    const failed = parseModelManifest(manifestWith({ error: 'no overlap' })).ope;
    expect(failed).toEqual({ error: 'no overlap' });
    expect(deployVerdictOf(failed)).toBe('not-evaluated');
  });

  it('loads a 0.1 artifact from disk whose ope held `beatsRules`', async () => {
    const artifact = await loadModelArtifact(fileURLToPath(new URL('./fixtures/ope-beats-rules-0.1', import.meta.url)));
    expect(artifact.manifest.ope).toEqual({ targetBeatsBaseline: true, lowerBound: 0.031, estimator: 'snips' });
    expect(deployVerdictOf(artifact.manifest.ope)).toBe('beats-rules');
  });

  it('migrates the other shapes earlier versions wrote, and keeps an unknown one as a refusal naming its keys', () => {
    expect(deployVerdictOf(parseModelManifest(manifestWith({ targetBeatsBaseline: false })).ope)).toBe('does-not-beat-rules');
    const nested = parseModelManifest(manifestWith({ comparison })).ope;
    expect(nested).toEqual(comparison);
    expect(parseModelManifest(manifestWith({ lowerBound: 0.2 })).ope).toEqual({ error: 'an evaluation of an unknown shape (keys: lowerBound)' });
    expect(migrateManifestPolicyComparison({ beatsRules: false })).toEqual({ targetBeatsBaseline: false });
  });

  it('refuses a comparison with a non-finite bound instead of reading a verdict from it', () => {
    expect(() => parseModelManifest(manifestWith({ ...comparison, difference: { ...comparison.difference, lower: 'x' } }))).toThrow(/ope/);
  });
});
