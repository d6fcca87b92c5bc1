import { ActionSpace, defaultModelCatalog } from '@orchestra/learning-features';
import { decisionSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { parseModelArtifact } from '../artifact/parse-model-artifact';
import { packDenseNetwork } from '../artifact/write-model-artifact';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { PolicyError } from '../errors/policy-error';
import { SafetyGuard, type SafetyGuardEvent } from '../safety/safety-guard';
import { createTestArtifact, createTestArtifactFiles } from '../test-support/create-test-artifact';
import { makeInput } from '../test-support/inputs';
import { RulesPolicy } from '../rules/rules-policy';
import { LearnedPolicy } from './learned-policy';
import { applyOutputTransform } from './prediction-transform';

const off = -30;
/** Fixed logits (ActionSpace layout, 45 entries) with a handful of plausible choices per head. */
const spreadLogits = [
  ...[0, 0, 0.5, off], // approach: direct, sequential, parallel
  ...[0, 0.3, off, off], // parallelism 1 or 2 (2 only under parallel)
  ...[off, off, 0, off, off, off, off], // timeout ×1
  ...[0, 0.2, off], // retry
  ...[0, 0.5, 1], // safety: permissive preferred
  ...[0, off, 0.3, off, off, off, off, off], // team: executor, or executor + auditor
  ...[0, off, off, off], // architect model
  ...[0, 0.5, off, off], // executor model
  ...[0.2, 0, off, off], // auditor model
  ...[0, off, off, off], // consultant model
];

function frequenciesMatch(policy: LearnedPolicy, input: ReturnType<typeof makeInput>, draws: number): void {
  const seen = new Map<string, { count: number; propensity: number }>();
  for (let index = 0; index < draws; index += 1) {
    const decision = policy.decide(input);
    const key = JSON.stringify(decision.action);
    const entry = seen.get(key);
    if (entry === undefined) seen.set(key, { count: 1, propensity: decision.propensity });
    else entry.count += 1;
  }
  let mass = 0;
  for (const [key, { count, propensity }] of seen) {
    mass += propensity;
    const standardError = Math.sqrt((propensity * (1 - propensity)) / draws);
    expect(Math.abs(count / draws - propensity), key).toBeLessThanOrEqual(4.5 * standardError + 1 / draws);
  }
  expect(mass).toBeGreaterThan(0.99);
  expect(mass).toBeLessThanOrEqual(1 + 1e-6);
}

describe('LearnedPolicy', () => {
  it('samples with propensities that match the empirical frequencies', () => {
    const policy = new LearnedPolicy(createTestArtifact({ logits: spreadLogits }), { seed: 3 });
    frequenciesMatch(policy, makeInput({ context: { risk: 'low' } }), 20_000);
  });

  it('explores around the argmax with exact propensities when asked to', () => {
    const policy = new LearnedPolicy(createTestArtifact({ logits: spreadLogits }), { selection: 'argmax', epsilon: 0.4, seed: 9 });
    frequenciesMatch(policy, makeInput({ context: { risk: 'low' } }), 20_000);
    const greedy = new LearnedPolicy(createTestArtifact({ logits: spreadLogits }), { selection: 'argmax' });
    const decision = greedy.decide(makeInput({ context: { risk: 'low' } }));
    expect(decision.propensity).toBe(1);
    expect(decision.action).toMatchObject({ approach: 'parallel', parallelism: 2, safetyLevel: 'permissive', agents: ['executor', 'auditor'] });
  });

  it('masks what the hard constraints forbid before sampling, and logs it', () => {
    const events: SafetyGuardEvent[] = [];
    const guard = new SafetyGuard({ onEvent: (event) => events.push(event) });
    const policy = new LearnedPolicy(createTestArtifact({ logits: spreadLogits }), { guard, seed: 4 });
    const input = makeInput({ context: { risk: 'high', taskType: 'security' } });
    for (let index = 0; index < 500; index += 1) {
      const decision = policy.decide(input);
      expect(decision.action.safetyLevel).not.toBe('permissive');
      expect(decision.action.agents).toContain('auditor');
    }
    expect(events.some((event) => event.type === 'masked' && event.head === 'safety' && event.from === 'permissive')).toBe(true);
    expect(guard.statistics().masked['high-risk-not-permissive']).toBe(500);
    frequenciesMatch(policy, input, 10_000);
  });

  it('gives the same decisions on the WebAssembly and the TypeScript runtime', () => {
    const artifact = createTestArtifact({ hidden: [64, 32], prediction: true });
    const wasm = new LearnedPolicy(artifact, { denseRuntime: 'wasm-simd', selection: 'argmax' });
    const typescript = new LearnedPolicy(artifact, { denseRuntime: 'typescript', selection: 'argmax' });
    expect([wasm.runtimeKind, typescript.runtimeKind]).toEqual(['wasm-simd', 'typescript']);
    // The deprecated name of the option still chooses the dense runtime.
    expect(new LearnedPolicy(artifact, { runtime: 'typescript' }).runtimeKind).toBe('typescript');
    const complexities = ['simple', 'medium', 'complex'] as const;
    for (let index = 0; index < 60; index += 1) {
      const input = makeInput({ context: { complexity: complexities[index % 3]!, estimatedTimeMinutes: 5 + index * 7 }, system: { load: (index % 10) / 10 } });
      const left = wasm.decide(input);
      const right = typescript.decide(input);
      expect(left.action).toEqual(right.action);
      expect(left.predicted!.durationMs).toBeCloseTo(right.predicted!.durationMs, 0);
      const wasmLogits = wasm.logits(input).slice(0, 45);
      const typescriptLogits = typescript.logits(input).slice(0, 45);
      expect(Math.max(...Array.from(wasmLogits, (value, position) => Math.abs(value - typescriptLogits[position]!)))).toBeLessThan(1e-5);
    }
  });

  it('predicts duration, cost and success probability through the output transforms', () => {
    const policy = new LearnedPolicy(createTestArtifact({ prediction: true }));
    const decision = policy.decide(makeInput());
    expect(decisionSchema.safeParse(decision).success).toBe(true);
    expect(decision.predicted!.durationMs).toBeGreaterThan(0);
    expect(decision.predicted!.successProbability).toBeGreaterThan(0);
    expect(decision.predicted!.successProbability).toBeLessThan(1);
    expect([applyOutputTransform('exp', 0), applyOutputTransform('sigmoid', 0), applyOutputTransform('softplus', 0), applyOutputTransform('softplus', 100)]).toEqual([1, 0.5, Math.LN2, 100]);
  });

  it('reports the exact probability of any action it could take', () => {
    const policy = new LearnedPolicy(createTestArtifact({ logits: spreadLogits }), { seed: 5 });
    const input = makeInput({ context: { risk: 'low' } });
    const decision = policy.decide(input);
    expect(policy.probabilityOf(decision.action, input)).toBeCloseTo(decision.propensity, 9);
    expect(policy.probabilityOf({ ...decision.action, timeoutMultiplier: 2 }, input)).toBeLessThan(1e-10);
  });

  it('refuses an artifact of another feature schema or action space', () => {
    const otherSchema = createTestArtifact({ manifest: { featureSchema: { version: 1, hash: 'f'.repeat(64), names: createTestArtifactFiles().manifest.featureSchema.names } } });
    expect(() => new LearnedPolicy(otherSchema)).toThrow(expect.objectContaining({ reason: 'feature-schema-mismatch' }));
    const smallCatalog = new ActionSpace({ models: defaultModelCatalog.models.slice(0, 3) });
    const otherSpace = createTestArtifact({ manifest: { actionSpace: smallCatalog.toJSON() } });
    try {
      new LearnedPolicy(otherSpace);
      expect.unreachable();
    } catch (error) {
      expect(ModelArtifactError.isInstance(error) && error.reason).toBe('action-space-mismatch');
    }
  });

  it('throws a PolicyError for non-finite outputs', () => {
    const { manifest, weights } = createTestArtifactFiles();
    const size = manifest.featureSchema.names.length;
    // A huge first-layer bias times a weight of 10 overflows float32 to Infinity.
    const actor = packDenseNetwork(
      [
        { inputSize: size, outputSize: 2, activation: 'relu', kernel: new Float32Array(size * 2), bias: [3e38, 3e38] },
        { inputSize: 2, outputSize: 45, activation: 'linear', kernel: new Float32Array(90).fill(10), bias: new Float32Array(45) },
      ],
      'actor.weights.bin',
    );
    const artifact = parseModelArtifact({ ...manifest, actor: actor.network }, { ...weights, 'actor.weights.bin': actor.bytes });
    for (const runtime of ['wasm-simd', 'typescript'] as const) {
      const policy = new LearnedPolicy(artifact, { runtime });
      expect(() => policy.decide(makeInput())).toThrow(PolicyError);
      try {
        policy.decide(makeInput());
      } catch (error) {
        expect(PolicyError.isInstance(error) && error.reason).toBe('non-finite-output');
      }
    }
  });
});

describe('LearnedPolicy with a rules prior (a residual on the rules)', () => {
  const inputs = [
    makeInput({ context: { complexity: 'complex', domains: ['backend', 'api'], risk: 'high', estimatedTimeMinutes: 90 } }),
    makeInput({ context: { complexity: 'simple', risk: 'low', estimatedTimeMinutes: 5 } }),
  ];

  it("acts as the rules when the bonus outweighs the actor's logits, and as the actor without it", () => {
    const rules = new RulesPolicy();
    const residual = new LearnedPolicy(createTestArtifact({ seed: 3, manifest: { rulesPrior: { bonus: 40 } } }), { selection: 'argmax' });
    const plain = new LearnedPolicy(createTestArtifact({ seed: 3 }), { selection: 'argmax' });
    for (const input of inputs) {
      expect(residual.decide(input).action).toEqual(rules.decide(input).action);
      expect(residual.probabilityOf(rules.decide(input).action, input)).toBeCloseTo(1, 6);
    }
    expect(inputs.some((input) => JSON.stringify(plain.decide(input).action) !== JSON.stringify(rules.decide(input).action))).toBe(true);
  });

  it('adds the bonus to the logits it reports, at the rules’ greedy choice of every head', () => {
    const files = createTestArtifactFiles({ seed: 4 });
    const plain = new LearnedPolicy(parseModelArtifact(files.manifest, files.weights));
    const residual = new LearnedPolicy(parseModelArtifact({ ...files.manifest, rulesPrior: { bonus: 2.5 } }, files.weights));
    const input = inputs[0]!;
    const greedy = new RulesPolicy().greedyIndices(input);
    const without = Float32Array.from(plain.logits(input));
    const withPrior = residual.logits(input);
    const offsets = residual.space.offsets;
    const boosted = new Set(Array.from(greedy, (choice, head) => offsets[head]! + choice));
    without.forEach((value, index) => expect(withPrior[index]).toBeCloseTo(value + (boosted.has(index) ? 2.5 : 0), 5));
  });
});
