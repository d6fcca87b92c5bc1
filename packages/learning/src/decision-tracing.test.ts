import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { DECIDE_SPAN_NAME } from './decision-tracing';
import { createLearning, type LearningManager } from './learning-manager';
import { writeTestModel } from './test-support/write-test-model';

function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, tracer: provider.getTracer('test') };
}

const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
  trace.disable();
});

async function open(options: Parameters<typeof createLearning>[0] = {}) {
  const root = await mkdtemp(join(tmpdir(), 'learning-tracing-'));
  const manager = await createLearning({ cwd: root, dataDir: join(root, 'data'), config: { reloadIntervalMs: 0 }, ...options });
  managers.push(manager);
  return { manager, root };
}

describe('OpenTelemetry out: every decision is an orchestra.decide span', () => {
  it('carries the mode, policy source and version, the exact propensity, the action and the task', async () => {
    const { exporter, tracer } = sdk();
    const { manager } = await open({ mode: 'shadow', tracer });
    const decision = manager.decide({ description: 'fix: the login page crashes when the password is empty', sessionId: 'traced-session' });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe(DECIDE_SPAN_NAME);
    expect(span!.attributes).toMatchObject({
      'orchestra.session.id': 'traced-session',
      'orchestra.learning.mode': 'shadow',
      'orchestra.policy.source': 'rules',
      'orchestra.policy.version': decision.policyVersion,
      'orchestra.decision.propensity': decision.propensity,
      'orchestra.action.approach': decision.action.approach,
      'orchestra.action.agents': decision.action.agents,
      'orchestra.action.model.executor': decision.action.models.executor,
      'orchestra.task.type': 'bugfix',
    });
    expect(JSON.parse(span!.attributes['orchestra.action'] as string)).toEqual(decision.action);
    expect(span!.attributes['orchestra.ab.arm']).toBeUndefined();
    expect(span!.attributes['orchestra.decision.fallback_reason']).toBeUndefined();
  });

  it('says why the rules acted: the fallback reason (production without a model)', async () => {
    const { exporter, tracer } = sdk();
    const { manager } = await open({ mode: 'production', tracer });
    const decision = manager.decide({ description: 'feat: add CSV export' });
    expect(decision.source).toBe('rules');
    expect(decision.fallbackReason).toBe('no-model');
    expect(exporter.getFinishedSpans()[0]!.attributes).toMatchObject({ 'orchestra.learning.mode': 'production', 'orchestra.decision.fallback_reason': 'no-model', 'orchestra.policy.source': 'rules' });
  });

  it('names the A/B arm and fraction in ab_test, through the global tracer provider the application registered', async () => {
    const { exporter, provider } = sdk();
    trace.setGlobalTracerProvider(provider);
    const { manager, root } = await open({ mode: 'shadow' });
    await writeTestModel(join(root, 'model'), { version: 'model-1' });
    await manager.deploy(join(root, 'model'));
    await manager.setMode('ab_test', { fraction: 0.5, force: true });
    const arms = new Set<string>();
    for (let index = 0; index < 40; index += 1) manager.decide({ description: `feat: add endpoint ${index}`, sessionId: `ab-${index}` });
    const spans = exporter.getFinishedSpans().filter((span) => span.name === DECIDE_SPAN_NAME);
    expect(spans).toHaveLength(40);
    for (const span of spans) {
      expect(span.attributes['orchestra.ab.fraction']).toBe(0.5);
      arms.add(span.attributes['orchestra.ab.arm'] as string);
      if (span.attributes['orchestra.policy.source'] === 'learned') expect(span.attributes['orchestra.policy.version']).toBe('model-1');
    }
    expect([...arms].sort()).toEqual(['learned', 'rules']);
  });

  it('costs nothing to build when no SDK is installed (a non-recording span), and decides the same', async () => {
    const { manager } = await open({ mode: 'shadow', config: { reloadIntervalMs: 0, seed: 3 } });
    const { manager: traced } = await open({ mode: 'shadow', tracer: sdk().tracer, config: { reloadIntervalMs: 0, seed: 3 } });
    const plain = manager.decide({ description: 'docs: explain the config file', sessionId: 'same' });
    const withSdk = traced.decide({ description: 'docs: explain the config file', sessionId: 'same' });
    expect(withSdk.action).toEqual(plain.action);
    expect(withSdk.propensity).toBe(plain.propensity);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});
