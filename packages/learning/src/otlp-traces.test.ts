import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { describe, expect, it } from 'vitest';
import { createLearning } from './learning-manager';
import { agentRoleOf, errorCodeOf, sessionsFromOtlpText } from './otlp-traces';

/** Real spans from the OpenTelemetry JS SDK (in-memory exporter), with the GenAI semantic conventions. */
function recordTraces(build: (tracer: Tracer) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  build(provider.getTracer('orchestrator', '1.0.0'));
  return exporter.getFinishedSpans();
}

/** OTLP/JSON as the Collector's file exporter writes it: one `ExportTraceServiceRequest` per line. */
function otlpLines(...batches: ReadableSpan[][]): string {
  return batches.map((spans) => new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)).join('\n');
}

const base = Date.UTC(2026, 10, 30, 12, 0, 0);
function timed(tracer: Tracer, name: string, parent: Span | undefined, startMs: number, attributes: Attributes = {}): Span {
  const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(name, { startTime: base + startMs, attributes }, parentContext);
}

/** A session of three agents: the planner's call, the coder's rate-limited call and its fallback, the reviewer's call. */
function agentSession(tracer: Tracer, sessionId: string | undefined): void {
  const root = timed(tracer, 'orchestrate', undefined, 0, {
    ...(sessionId === undefined ? {} : { 'orchestra.session.id': sessionId }),
    'orchestra.task.description': 'fix: the login page crashes when the password is empty',
    'orchestra.task.files': ['web/src/login.tsx'],
  });
  const planner = timed(tracer, 'invoke_agent planner', root, 10, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' });
  const plan = timed(tracer, 'chat gpt-5.2-codex', planner, 20, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-5.2-codex',
    'gen_ai.response.model': 'gpt-5.2-codex-2026-01',
    'gen_ai.provider.name': 'openai',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 300,
    'gen_ai.usage.cost': 0.031,
    'gen_ai.response.finish_reasons': ['stop'],
  });
  plan.end(base + 1_520);
  planner.end(base + 1_600);
  const coder = timed(tracer, 'invoke_agent coder', root, 2_000, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'coder' });
  const limited = timed(tracer, 'chat glm-4.7', coder, 2_010, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'glm-4.7', 'gen_ai.system': 'zai', 'error.type': '429' });
  limited.setStatus({ code: SpanStatusCode.ERROR, message: 'Too Many Requests' });
  limited.end(base + 2_110);
  // A tool call inside the agent: not a model call, but the next chat is still the coder's.
  const tool = timed(tracer, 'execute_tool edit_file', coder, 2_120, { 'gen_ai.operation.name': 'execute_tool' });
  const fallback = timed(tracer, 'chat kimi-k2.5', tool, 2_130, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'kimi-k2.5', 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 800 });
  fallback.end(base + 4_130);
  tool.end(base + 4_200);
  coder.end(base + 4_300);
  const reviewer = timed(tracer, 'invoke_agent reviewer', root, 4_400, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'reviewer' });
  const review = timed(tracer, 'text_completion claude-opus', reviewer, 4_410, { 'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': 'claude-opus', 'gen_ai.usage.input_tokens': 500, 'gen_ai.usage.output_tokens': 100 });
  review.end(base + 5_410);
  reviewer.end(base + 5_500);
  root.end(base + 5_600);
}

describe('OpenTelemetry GenAI traces in', () => {
  it('turns a trace of the real SDK into a session: steps, roles, calls, errors, fallbacks, latency, tokens, cost, task', () => {
    const spans = recordTraces((tracer) => agentSession(tracer, 'otel-session-1'));
    const { sessions, quarantine, traces } = sessionsFromOtlpText(otlpLines(spans), { file: 'traces.jsonl' });
    expect(quarantine).toEqual([]);
    expect(traces).toBe(1);
    const [{ session, task }] = sessions as [(typeof sessions)[number]];
    expect(session.sessionId).toBe('otel-session-1');
    expect(task).toEqual({ description: 'fix: the login page crashes when the password is empty', files: ['web/src/login.tsx'] });
    expect(session.phase).toBe('completed');
    expect(session.workflow.map((step) => [step.agentRole, step.description, step.status, step.attempts.length])).toEqual([
      ['architect', 'planner', 'completed', 1],
      ['executor', 'coder', 'completed', 2],
      ['auditor', 'reviewer', 'completed', 1],
    ]);
    const [plan] = session.workflow[0]!.attempts;
    expect(plan).toMatchObject({ modelId: 'gpt-5.2-codex-2026-01', provider: 'openai', tokensUsed: 1500, inputTokens: 1200, outputTokens: 300, latencyMs: 1500, success: true, estimatedCost: 0.031, costSource: 'provider', finishReason: 'stop', attempt: 1 });
    const [limited, fallback] = session.workflow[1]!.attempts;
    expect(limited).toMatchObject({ modelId: 'glm-4.7', provider: 'zai', success: false, errorCode: 'RATE_LIMIT_429', errorMessage: 'Too Many Requests', latencyMs: 100, attempt: 1 });
    expect(fallback).toMatchObject({ modelId: 'kimi-k2.5', success: true, tokensUsed: 2800, latencyMs: 2000, costSource: 'price_table', attempt: 2 });
    expect(fallback!.estimatedCost).toBeGreaterThan(0);
    expect(session.globalMetrics).toMatchObject({ totalAttempts: 4, failedAttempts: 1, fallbackRotations: 1, totalTokens: 1500 + 0 + 2800 + 600 });
    expect(session.globalMetrics.startTime).toBe(new Date(base).toISOString());
    expect(session.workflow[0]!.duration).toBe(1590);
  });

  it('reads a trace spread over several lines, takes the trace id without a session id, and gathers loose calls into one step', () => {
    let traceId = '';
    const spans = recordTraces((tracer) => {
      const root = timed(tracer, 'handle request', undefined, 0);
      traceId = root.spanContext().traceId;
      const first = timed(tracer, 'chat', root, 5, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'glm-4.7', 'error.type': 'TimeoutError' });
      first.setStatus({ code: SpanStatusCode.ERROR });
      first.end(base + 30_005);
      const second = timed(tracer, 'generate_content', root, 30_010, { 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.model': 'glm-4.7', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 });
      second.end(base + 31_010);
      root.end(base + 31_100);
    });
    const { sessions, quarantine } = sessionsFromOtlpText(otlpLines(spans.slice(0, 1), spans.slice(1)));
    expect(quarantine).toEqual([]);
    const [{ session }] = sessions as [(typeof sessions)[number]];
    expect(session.sessionId).toBe(traceId);
    expect(session.workflow).toHaveLength(1);
    expect(session.workflow[0]!.agentRole).toBe('executor');
    expect(session.workflow[0]!.attempts.map((usage) => [usage.success, usage.errorCode])).toEqual([
      [false, 'TIMEOUT'],
      [true, undefined],
    ]);
    expect(session.globalMetrics.fallbackRotations).toBe(0);
  });

  it('quarantines what does not make a session, with the reason, and keeps the good traces', () => {
    const spans = recordTraces((tracer) => {
      agentSession(tracer, 'good');
      const plain = timed(tracer, 'GET /health', undefined, 0);
      timed(tracer, 'db query', plain, 1).end(base + 2);
      plain.end(base + 3);
      const noModel = timed(tracer, 'session', undefined, 0);
      timed(tracer, 'chat', noModel, 1, { 'gen_ai.operation.name': 'chat' }).end(base + 2);
      noModel.end(base + 3);
    });
    const text = `${otlpLines(spans)}\nnot json at all\n{"resourceSpans": "nope"}\n`;
    const { sessions, quarantine, traces } = sessionsFromOtlpText(text, { file: 'mixed.jsonl' });
    expect(sessions.map((entry) => entry.session.sessionId)).toEqual(['good']);
    expect(traces).toBe(3);
    expect(quarantine.every((entry) => entry.reason === 'malformed-trace' && entry.segment === 'mixed.jsonl')).toBe(true);
    const details = quarantine.map((entry) => entry.detail);
    expect(details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no GenAI span/),
        expect.stringMatching(/names no model \(gen_ai\.request\.model\)/),
        expect.stringMatching(/not valid JSON/),
        expect.stringMatching(/not an ExportTraceServiceRequest/),
      ]),
    );
    expect(quarantine.find((entry) => /not valid JSON/.test(entry.detail))!.line).toBe(2);
  });

  it('maps agent names to roles and error types to error codes', () => {
    expect(['architect', 'Planner', 'code-reviewer', 'researcher', 'coder', 'anything', undefined].map(agentRoleOf)).toEqual(['architect', 'architect', 'auditor', 'consultant', 'executor', 'executor', 'executor']);
    expect(errorCodeOf('429', undefined)).toBe('RATE_LIMIT_429');
    expect(errorCodeOf('RateLimitError', undefined)).toBe('RATE_LIMIT_429');
    expect(errorCodeOf('APITimeoutError', undefined)).toBe('TIMEOUT');
    expect(errorCodeOf('BadRequestError', 'context_length_exceeded: maximum context length is 128000 tokens')).toBe('CONTEXT_EXCEEDED');
    expect(errorCodeOf('InternalServerError', '500')).toBe('API_ERROR');
  });

  it('ingests a trace file through the facade (auto-detected or --format otlp): recorded once, malformed traces quarantined', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-otlp-'));
    const spans = recordTraces((tracer) => {
      for (let index = 0; index < 5; index += 1) agentSession(tracer, `traced-${index}`);
      const plain = timed(tracer, 'GET /health', undefined, 0);
      plain.end(base + 1);
    });
    const file = join(root, 'traces.jsonl');
    await writeFile(file, otlpLines(spans.slice(0, 20), spans.slice(20)));
    const learning = await createLearning({ cwd: root, dataDir: join(root, 'data'), mode: 'shadow', config: { reloadIntervalMs: 0 } });
    const report = await learning.ingestFile(file);
    expect(report).toMatchObject({ recorded: 5, traces: { total: 6, quarantined: 1 } });
    expect(report.experiences.map((experience) => experience.sessionId)).toEqual(['traced-0', 'traced-1', 'traced-2', 'traced-3', 'traced-4']);
    expect(report.experiences[0]!.state.context.taskType).toBe('bugfix');
    expect(report.experiences[0]!.action.models.executor).toBe('glm-4.7');
    const again = await learning.ingestFile(file, { format: 'otlp' });
    expect(again).toMatchObject({ recorded: 0 });
    expect(again.skipped).toHaveLength(5);
    await learning.close();
    const store = await JsonlExperienceStore.open({ dataDir: join(root, 'data'), readOnly: true });
    const quarantined = await store.readQuarantine();
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatchObject({ reason: 'malformed-trace', segment: file });
    expect((await store.stats()).stats.totalExperiences).toBe(5);
    await store.close();
  });
});
