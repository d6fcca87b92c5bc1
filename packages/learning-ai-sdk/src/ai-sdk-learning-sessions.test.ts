import { generateText } from 'ai';
import type { LearningManager } from '@orchestra/learning';
import type { AgentRole } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { AiSdkLearningConfigError, UnknownSessionError, createAiSdkLearning, type AiSdkLearningOptions, type LanguageModelV4, type LearningFacade } from './index';
import { answering } from './test-support/mock-models';
import { callsOf, drop, providers, setUp } from './test-support/learning-fixture';

describe('many sessions at once', () => {
  it('keeps 100 concurrent sessions apart, each recorded once with its own attempts', async () => {
    const { facade, recorded, learning } = await setUp();
    const ai = drop({ learning: facade });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        ai.session({ description: `task ${index}: add a field to the user profile form` }, async (session) => {
          const first = await generateText({ model: session.model('executor'), prompt: `task ${index}` });
          await new Promise((resolve) => setTimeout(resolve, index % 7));
          const second = await generateText({ model: session.model('auditor'), prompt: `review ${index}` });
          return { id: session.id, texts: [first.text, second.text] };
        }),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(100);
    expect(recorded).toHaveLength(100);
    for (const session of recorded) {
      expect(session.workflow.map((step) => step.agentRole)).toEqual(['executor', 'auditor']);
      expect(session.globalMetrics.totalAttempts).toBe(2);
    }
    const buffer = await learning.readBuffer();
    expect(new Set(buffer.map((experience) => experience.sessionId))).toEqual(new Set(results.map((result) => result.id)));
  });
});

describe('one session', () => {
  it('keeps parallel calls of one session in separate steps', async () => {
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade });
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      const executor = session.model('executor');
      await Promise.all([1, 2, 3].map((index) => generateText({ model: executor, prompt: `part ${index}` })));
    });
    const steps = recorded[0]!.workflow;
    expect(steps.map((step) => step.id)).toEqual(['step-1', 'step-2', 'step-3']);
    expect(steps.every((step) => step.status === 'completed' && step.attempts.length === 1)).toBe(true);
    expect(recorded[0]!.globalMetrics.totalAttempts).toBe(3);
  });

  it('does not record calls made after the session ended (logged), and refuses unknown roles', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade }, logs);
    let escaped: LanguageModelV4 | undefined;
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      expect(() => session.model('boss' as AgentRole)).toThrow(/^session\.model\(role\): unknown role "boss"/);
      escaped = session.model('executor');
      await generateText({ model: escaped, prompt: 'inside' });
    });
    const late = await generateText({ model: escaped!, prompt: 'after the end' });
    expect(late.text).toMatch(/answer/);
    expect(recorded[0]!.workflow).toHaveLength(1);
    expect(logs).toEqual([expect.stringMatching(/: a executor call after the session ended is not recorded$/)]);
  });
});

describe('modes', () => {
  it('disabled records nothing; shadow records', async () => {
    for (const mode of ['disabled', 'shadow'] as const) {
      const { facade, learning } = await setUp({ mode });
      const ai = drop({ learning: facade });
      const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => (await generateText({ model: session.model('executor'), prompt: 'x' })).text);
      expect(text).toMatch(/answer/);
      expect(await learning.readBuffer().catch(() => [])).toHaveLength(mode === 'disabled' ? 0 : 1);
    }
  });

  it('production: the deployed learned policy decides the models', async () => {
    const { learning, dataDir } = await setUp({ mode: 'shadow' });
    const { deployTestModel } = await import('./test-support/test-model');
    await deployTestModel(learning as LearningManager, dataDir);
    await learning.setMode('production', { force: true });
    const map = providers();
    const decisions: Array<{ source: string; policyVersion: string; models: Record<string, string | undefined> }> = [];
    const ai = drop({ learning, providers: map, onRecorded: (result) => decisions.push({ source: result.experience!.policy.source, policyVersion: result.experience!.policy.version, models: result.experience!.action.models }) });
    const used = await ai.session({ description: 'add a dark mode toggle to the settings page', files: ['src/settings/theme.tsx'] }, async (session) => {
      expect(session.decision).toMatchObject({ mode: 'production', source: 'learned', policyVersion: 'ai-sdk-test-1' });
      const executor = session.modelIdFor('executor');
      await generateText({ model: session.model('executor'), prompt: 'x' });
      return executor;
    });
    expect(decisions).toEqual([{ source: 'learned', policyVersion: 'ai-sdk-test-1', models: expect.objectContaining({ executor: used }) }]);
    expect(callsOf(map[used as keyof typeof map])).toBe(1);
  });
});

describe('ab_test', () => {
  it('serves the learned arm at fraction 1 and adds every recorded session to the A/B arms', async () => {
    const { learning, dataDir } = await setUp({ mode: 'shadow' });
    const { deployTestModel } = await import('./test-support/test-model');
    await deployTestModel(learning as LearningManager, dataDir);
    await learning.setMode('ab_test', { fraction: 1, force: true });
    const ai = drop({ learning });
    for (let index = 0; index < 3; index += 1) {
      await ai.session({ description: `task ${index}: add a dark mode toggle to the settings page` }, async (session) => {
        expect(session.decision).toMatchObject({ mode: 'ab_test', arm: 'learned' });
        await generateText({ model: session.model('executor'), prompt: 'x' });
      });
    }
    const status = await learning.status();
    expect(status.abTest.total.learned.sessions).toBe(3);
    expect(status.abTest.total.rules.sessions).toBe(0);
  });
});

describe('never breaks the user call', () => {
  it('runs on the default model and logs why when deciding fails', async () => {
    const logs: string[] = [];
    const { learning } = await setUp();
    const map = providers();
    const facade: LearningFacade = {
      catalog: learning.catalog,
      decide: () => {
        throw new Error('runtime exploded');
      },
      record: () => Promise.reject(new Error('must not be called')),
    };
    const ai = drop({ learning: facade, providers: map, defaultModel: 'claude-sonnet' }, logs);
    const text = await ai.session({ description: 'x' }, async (session) => {
      expect(session.decision).toBeNull();
      return (await generateText({ model: session.model('executor'), prompt: 'x' })).text;
    });
    expect(text).toBe('mid answer');
    expect(logs).toEqual([expect.stringMatching(/^deciding failed \(runtime exploded\): every role calls the default model claude-sonnet/)]);
  });

  it('returns the result and logs when recording fails (the store throws)', async () => {
    const logs: string[] = [];
    const { learning } = await setUp();
    const facade: LearningFacade = { catalog: learning.catalog, decide: (task) => learning.decide(task), record: () => Promise.reject(new Error('disk full')) };
    const ai = drop({ learning: facade }, logs);
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => (await generateText({ model: session.model('executor'), prompt: 'x' })).text);
    expect(text).toMatch(/answer/);
    expect(logs).toEqual([expect.stringMatching(/recording failed \(disk full\); the call's result is unaffected/)]);
  });

  it('survives a throwing logger and a throwing onRecorded', async () => {
    const { facade, recorded } = await setUp();
    const ai = createAiSdkLearning({
      learning: facade,
      providers: { 'gpt-4o-mini': answering('gpt-4o-mini', 'only answer', 10, 10) },
      defaultModel: 'gpt-4o-mini',
      log: () => {
        throw new Error('logger down');
      },
      onRecorded: () => {
        throw new Error('callback down');
      },
    });
    const text = await ai.session({ description: 'refactor the payment service to use the new billing API and add tests' }, async (session) => {
      const answers = [];
      for (const role of ['architect', 'executor', 'auditor', 'consultant'] as const) answers.push((await generateText({ model: session.model(role), prompt: 'x' })).text);
      return answers.join(' ');
    });
    expect(text).toBe('only answer only answer only answer only answer');
    expect(recorded).toHaveLength(1);
  });

  it('falls back to the default model when the decided model has no provider, and logs it once per model', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const only = answering('gpt-4o-mini', 'only answer', 10, 10);
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': only } }, logs);
    const task = { description: 'refactor the payment service to use the new billing API and add tests', files: ['src/billing/payment.ts', 'src/billing/api.ts'] };
    const missing = new Set<string>();
    for (let repeat = 0; repeat < 2; repeat += 1) {
      await ai.session(task, async (session) => {
        for (const role of session.agents) {
          expect(session.modelIdFor(role)).toBe('gpt-4o-mini');
          await generateText({ model: session.model(role), prompt: 'x' });
          await generateText({ model: session.model(role), prompt: 'again' });
          if (session.decision!.action.models[role] !== 'gpt-4o-mini') missing.add(session.decision!.action.models[role]!);
        }
      });
    }
    expect(missing.size).toBeGreaterThan(0); // this task decides mid/expensive models for some role
    expect(logs).toEqual([...missing].map((id) => `the decided model ${id} is not in providers; calling the default model gpt-4o-mini instead (logged once per model)`));
    expect(only.doGenerateCalls).toHaveLength(recorded[0]!.workflow.length + recorded[1]!.workflow.length);
    expect(recorded.flatMap((session) => session.workflow).every((step) => step.attempts[0]!.modelId === 'gpt-4o-mini')).toBe(true);
  });

  it('calls the default model for a role the decision left out, logged once per role', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade }, logs);
    for (let repeat = 0; repeat < 2; repeat += 1) {
      await ai.session({ description: 'fix a typo in the README' }, async (session) => {
        const left = (['architect', 'executor', 'auditor', 'consultant'] as const).find((role) => session.decision!.action.models[role] === undefined)!;
        expect(left).toBeDefined();
        expect(session.modelIdFor(left)).toBe('gpt-4o-mini');
        await generateText({ model: session.model(left), prompt: 'x' });
      });
    }
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^a decision chose no model for \w+ \(it is not among the decided agents\); calling the default model gpt-4o-mini \(logged once per role\)$/);
    expect(recorded.map((session) => session.workflow[0]!.attempts[0]!.modelId)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });
});

describe('delayed outcomes', () => {
  it('keeps a deferred session until amend(sessionId, outcome) and records it with that outcome', async () => {
    const { facade, learning } = await setUp();
    const ai = drop({ learning: facade });
    const id = await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      await generateText({ model: session.model('executor'), prompt: 'x' });
      return session.id;
    }, { deferOutcome: true });
    expect(ai.pendingOutcomes).toBe(1);
    expect(await learning.readBuffer().catch(() => [])).toHaveLength(0);
    const outcome = { success: true, durationMs: 1_000, estimatedDurationMs: 2_000, resourceEfficiency: 0.9, errorCount: 0, totalCostUsd: 0.001, testsPassed: true, userEdits: 2 };
    const result = await ai.amend(id, outcome);
    expect(result?.experience?.outcome).toMatchObject({ testsPassed: true, userEdits: 2 });
    expect(ai.pendingOutcomes).toBe(0);
    await expect(ai.amend(id, outcome)).rejects.toThrow(UnknownSessionError);
    await expect(ai.amend(id, { ...outcome, resourceEfficiency: 3 })).rejects.toThrow(/resourceEfficiency/);
    const buffer = await learning.readBuffer();
    expect(buffer.map((experience) => experience.sessionId)).toEqual([id]);
  });

  it('records waiting sessions without an outcome on flush() and after outcomeTimeoutMs', async () => {
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade, outcomeTimeoutMs: 30 });
    await ai.session({ description: 'fix a typo' }, () => 'a', { deferOutcome: true });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(recorded).toHaveLength(1);
    const other = drop({ learning: facade });
    await other.session({ description: 'fix a typo' }, () => 'b', { deferOutcome: true });
    expect(recorded).toHaveLength(1);
    await other.flush();
    expect(recorded).toHaveLength(2);
    expect(other.pendingOutcomes).toBe(0);
  });
});

describe('options are validated at creation', () => {
  it('names the bad option', async () => {
    const { facade } = await setUp();
    const model = answering('m', 'x', 1, 1);
    const bad: Array<[Partial<AiSdkLearningOptions>, RegExp]> = [
      [{ providers: {} }, /^providers: expected a non-empty map/],
      [{ providers: { m: { specificationVersion: 'v2' } as never }, defaultModel: 'm' }, /^providers\["m"\]: expected an AI SDK language model of specification v4, got specification v2/],
      [{ providers: { m: model }, defaultModel: 'nope' }, /^defaultModel: "nope" is not a key of providers \(m\)/],
      [{ providers: { m: model }, defaultModel: 'm', ladder: ['m', 'x'] }, /^ladder: "x" is not a key of providers/],
      [{ providers: { m: model }, defaultModel: 'm', ladder: ['m', 'm'] }, /^ladder: a model appears twice/],
      [{ providers: { m: model }, defaultModel: 'm', maxRetries: 1.5 }, /^maxRetries: expected a non-negative integer, got 1.5/],
      [{ providers: { m: model }, defaultModel: 'm', baseTimeoutMs: 0 }, /^baseTimeoutMs: expected a positive number/],
    ];
    for (const [options, message] of bad) {
      expect(() => createAiSdkLearning({ learning: facade, providers: {}, defaultModel: 'm', ...options })).toThrow(message);
      expect(() => createAiSdkLearning({ learning: facade, providers: {}, defaultModel: 'm', ...options })).toThrow(AiSdkLearningConfigError);
    }
    expect(() => createAiSdkLearning({ learning: {} as LearningFacade, providers: { m: model }, defaultModel: 'm' })).toThrow(/^learning: expected the manager returned by createLearning\(\)/);
  });

  it('orders the default ladder by catalog tier, then catalog order, unknown models last', async () => {
    const { facade } = await setUp();
    const model = (id: string) => answering(id, 'x', 1, 1);
    const ai = createAiSdkLearning({ learning: facade, providers: { local: model('local'), o3: model('o3'), 'claude-sonnet': model('claude-sonnet'), 'gpt-4o-mini': model('gpt-4o-mini') }, defaultModel: 'local' });
    expect(ai.ladder).toEqual(['gpt-4o-mini', 'claude-sonnet', 'o3', 'local']);
  });
});
