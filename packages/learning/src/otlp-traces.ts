import { readFile } from 'node:fs/promises';
import { jsonNestingDepth, makeQuarantineEntry, type QuarantineEntry } from '@orchestra/learning-collector';
import { tokenCost, type PriceTable } from '@orchestra/learning-reward';
import { parseSessionState, safeValidate, type AgentRole, type EnhancedSessionState, type ModelUsage, type TaskStep } from '@orchestra/learning-types';
import { SessionIngestError } from './errors';
import {
  agentRoleOf,
  COST_ATTRIBUTES,
  countAttribute,
  errorCodeOf,
  exportTraceServiceRequestSchema,
  isErrorStatus,
  isoOf,
  millisecondsBetween,
  MODEL_CALL_OPERATIONS,
  normaliseId,
  otlpSpanSchema,
  plainValue,
  STEP_OPERATION,
  stringAttribute,
  type TraceSpan,
} from './otlp-span';
import type { IngestedSession } from './session-file';
import { MAX_SESSION_NESTING_DEPTH } from './session-stream';

export { agentRoleOf, COST_ATTRIBUTES, errorCodeOf, exportTraceServiceRequestSchema, MODEL_CALL_OPERATIONS, otlpSpanSchema, STEP_OPERATION, type OtlpSpan } from './otlp-span';

/** What reading a trace file produced: one session per valid trace, and a quarantine entry per malformed one. */
export interface OtlpIngest {
  sessions: IngestedSession[];
  quarantine: QuarantineEntry[];
  /** Traces seen (valid and malformed). */
  traces: number;
}

/** Options of the OTLP adapter. */
export interface OtlpIngestOptions {
  /** Prices calls that carry no cost attribute (default: the reward package's price table). */
  priceTable?: PriceTable;
  /** The file name recorded in quarantine entries. */
  file?: string;
}

interface TraceGroup {
  spans: TraceSpan[];
  line: number;
  problems: string[];
}

/** Splits a trace file's text into request records: one JSON object (or array of them), or one object per line. */
function requestRecords(text: string): { value?: unknown; line: number; problem?: string; excerpt: string }[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const parse = (source: string, line: number) => {
    if (jsonNestingDepth(source, MAX_SESSION_NESTING_DEPTH) > MAX_SESSION_NESTING_DEPTH) return { line, problem: `nested more than ${MAX_SESSION_NESTING_DEPTH} levels deep`, excerpt: source };
    try {
      return { value: JSON.parse(source) as unknown, line, excerpt: source };
    } catch (error) {
      return { line, problem: `not valid JSON: ${(error as Error).message}`, excerpt: source };
    }
  };
  const whole = parse(trimmed, 1);
  if (whole.problem === undefined) {
    if (Array.isArray(whole.value)) return whole.value.map((value) => ({ value, line: 1, excerpt: '' }));
    return [whole];
  }
  const records = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line !== '') records.push(parse(line, index + 1));
  }
  return records;
}

/**
 * Turns OpenTelemetry GenAI traces (OTLP/JSON `ExportTraceServiceRequest`s, as the Collector's file exporter writes
 * them: one per line, or one object) into finished sessions. A trace is a session: its id is the root span's
 * `orchestra.session.id`, else the trace id; its task the root's `orchestra.task.description` (and
 * `orchestra.task.files`). A span whose `gen_ai.operation.name` is `invoke_agent` is a step (role from
 * `gen_ai.agent.name`); one whose operation is `chat`, `text_completion` or `generate_content` is a model call of its
 * nearest step (model `gen_ai.response.model` ?? `gen_ai.request.model`, provider `gen_ai.provider.name` ??
 * `gen_ai.system`, tokens `gen_ai.usage.input_tokens` + `output_tokens`, latency the span's duration, success unless
 * its status is ERROR, error code from `error.type`, cost from a cost attribute or else the price table). Calls
 * outside any `invoke_agent` span form one executor step. Spans of a trace may be spread over many lines.
 *
 * Never throws for bad input: a line that is not a request and a trace that does not make a session (no root span
 * or several, no GenAI span, a call without a model, an unreadable span) become quarantine entries with the reason.
 */
export function sessionsFromOtlpText(text: string, options: OtlpIngestOptions = {}): OtlpIngest {
  const file = options.file ?? '<otlp>';
  const quarantine: QuarantineEntry[] = [];
  const quarantineRecord = (line: number, detail: string, content: string) =>
    quarantine.push(makeQuarantineEntry({ segment: file, line, reason: 'malformed-trace', detail, bytes: Buffer.byteLength(content), content, segmentFingerprint: `otlp:${file}` }));
  const traces = new Map<string, TraceGroup>();
  for (const record of requestRecords(text)) {
    if (record.problem !== undefined) {
      quarantineRecord(record.line, record.problem, record.excerpt);
      continue;
    }
    const request = safeValidate(exportTraceServiceRequestSchema, record.value, 'ExportTraceServiceRequest');
    if (!request.success) {
      quarantineRecord(record.line, `not an ExportTraceServiceRequest: ${request.error.message}`, JSON.stringify(record.value) ?? '');
      continue;
    }
    for (const resourceSpans of request.value.resourceSpans) {
      for (const scopeSpans of resourceSpans.scopeSpans) {
        for (const raw of scopeSpans.spans) {
          const traceIdText = typeof (raw as { traceId?: unknown })?.traceId === 'string' ? ((raw as { traceId: string }).traceId) : undefined;
          const traceId = traceIdText === undefined ? undefined : normaliseId(traceIdText, 16);
          if (traceId === undefined) {
            quarantineRecord(record.line, `a span without a readable traceId (${JSON.stringify(traceIdText ?? null)})`, JSON.stringify(raw) ?? '');
            continue;
          }
          let group = traces.get(traceId);
          if (group === undefined) {
            group = { spans: [], line: record.line, problems: [] };
            traces.set(traceId, group);
          }
          const parsed = safeValidate(otlpSpanSchema, raw, 'span');
          if (!parsed.success) {
            group.problems.push(`span ${(raw as { spanId?: unknown }).spanId ?? '?'}: ${parsed.error.message}`);
            continue;
          }
          const span = parsed.value;
          const spanId = normaliseId(span.spanId, 8);
          const parentId = span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : normaliseId(span.parentSpanId, 8);
          if (spanId === undefined || (span.parentSpanId !== undefined && span.parentSpanId !== '' && parentId === undefined)) {
            group.problems.push(`span ${span.spanId}: spanId/parentSpanId is not an 8-byte id`);
            continue;
          }
          const start = BigInt(span.startTimeUnixNano);
          const end = BigInt(span.endTimeUnixNano);
          if (end < start) {
            group.problems.push(`span ${spanId} ends before it starts`);
            continue;
          }
          const attributes = new Map<string, unknown>();
          for (const attribute of span.attributes) attributes.set(attribute.key, plainValue(attribute.value));
          group.spans.push({ span, traceId, spanId, parentId, attributes, start, end, error: isErrorStatus(span.status), line: record.line });
        }
      }
    }
  }
  const sessions: IngestedSession[] = [];
  for (const [traceId, group] of traces) {
    let result: { session: IngestedSession } | { problem: string };
    try {
      result = group.problems.length > 0 ? { problem: group.problems.slice(0, 3).join('; ') } : sessionOfTrace(traceId, group.spans, options);
    } catch (error) {
      // e.g. a time outside what a date can hold: the trace is what is wrong, never the ingest.
      result = { problem: (error as Error).message.split('\n')[0]! };
    }
    if ('problem' in result) {
      quarantineRecord(group.line, `trace ${traceId}: ${result.problem}`, JSON.stringify({ traceId, spans: group.spans.map((span) => span.span.name) }));
      continue;
    }
    sessions.push(result.session);
  }
  return { sessions, quarantine, traces: traces.size };
}

function sessionOfTrace(traceId: string, spans: readonly TraceSpan[], options: OtlpIngestOptions): { session: IngestedSession } | { problem: string } {
  const byId = new Map<string, TraceSpan>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const roots = [...byId.values()].filter((span) => span.parentId === undefined || !byId.has(span.parentId));
  if (roots.length !== 1) return { problem: roots.length === 0 ? 'no root span (the parents form a cycle)' : `${roots.length} root spans (an incomplete trace?)` };
  const root = roots[0]!;
  const operation = (span: TraceSpan) => stringAttribute(span, 'gen_ai.operation.name');
  const stepSpans = [...byId.values()].filter((span) => operation(span) === STEP_OPERATION);
  const callSpans = [...byId.values()].filter((span) => MODEL_CALL_OPERATIONS.includes(operation(span) ?? ''));
  if (stepSpans.length === 0 && callSpans.length === 0) return { problem: `no GenAI span (gen_ai.operation.name ${[STEP_OPERATION, ...MODEL_CALL_OPERATIONS].join(', ')})` };

  /** The nearest `invoke_agent` ancestor of a span (walks at most the trace's size: ids may loop). */
  const nearestStep = (span: TraceSpan): TraceSpan | undefined => {
    let cursor = span.parentId === undefined ? undefined : byId.get(span.parentId);
    for (let hops = 0; cursor !== undefined && hops <= byId.size; hops += 1) {
      if (operation(cursor) === STEP_OPERATION) return cursor;
      cursor = cursor.parentId === undefined ? undefined : byId.get(cursor.parentId);
    }
    return undefined;
  };
  const calls = new Map<TraceSpan | undefined, TraceSpan[]>();
  for (const call of callSpans) {
    const step = nearestStep(call);
    const list = calls.get(step) ?? [];
    list.push(call);
    calls.set(step, list);
  }
  const byStart = (left: TraceSpan, right: TraceSpan) => (left.start < right.start ? -1 : left.start > right.start ? 1 : 0);
  const usageOf = (call: TraceSpan, attempt: number): ModelUsage | string => {
    const model = stringAttribute(call, 'gen_ai.response.model') ?? stringAttribute(call, 'gen_ai.request.model');
    if (model === undefined) return `model call ${call.spanId} names no model (gen_ai.request.model)`;
    const inputTokens = countAttribute(call, 'gen_ai.usage.input_tokens');
    const outputTokens = countAttribute(call, 'gen_ai.usage.output_tokens');
    const provider = stringAttribute(call, 'gen_ai.provider.name') ?? stringAttribute(call, 'gen_ai.system');
    let estimatedCost: number | undefined;
    let costSource: ModelUsage['costSource'] = 'unknown';
    for (const key of COST_ATTRIBUTES) {
      const value = call.attributes.get(key);
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        estimatedCost = value;
        costSource = 'provider';
        break;
      }
    }
    if (estimatedCost === undefined) {
      try {
        estimatedCost = tokenCost(model, { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 }, options.priceTable === undefined ? {} : { table: options.priceTable });
        costSource = 'price_table';
      } catch {
        // A model the price table does not know: its cost stays unknown (0), as the orchestrator's own records say.
        estimatedCost = 0;
      }
    }
    const finishReasons = call.attributes.get('gen_ai.response.finish_reasons');
    const finishReason = Array.isArray(finishReasons) && typeof finishReasons[0] === 'string' && finishReasons[0] !== '' ? finishReasons[0] : undefined;
    const usage: ModelUsage = {
      modelId: model,
      tokensUsed: (inputTokens ?? 0) + (outputTokens ?? 0),
      latencyMs: millisecondsBetween(call.start, call.end),
      success: !call.error,
      timestamp: isoOf(call.start),
      estimatedCost,
      costSource,
      attempt,
    };
    if (provider !== undefined) usage.provider = provider;
    if (inputTokens !== undefined) usage.inputTokens = inputTokens;
    if (outputTokens !== undefined) usage.outputTokens = outputTokens;
    if (finishReason !== undefined) usage.finishReason = finishReason;
    if (call.error) {
      const errorType = stringAttribute(call, 'error.type');
      usage.errorCode = errorCodeOf(errorType, call.span.status?.message);
      const message = call.span.status?.message ?? errorType;
      if (message !== undefined && message !== '') usage.errorMessage = message;
    }
    return usage;
  };
  const stepOf = (span: TraceSpan, role: AgentRole, agentName: string | undefined, members: readonly TraceSpan[]): TaskStep | string => {
    const attempts: ModelUsage[] = [];
    for (const [index, call] of [...members].sort(byStart).entries()) {
      const usage = usageOf(call, index + 1);
      if (typeof usage === 'string') return usage;
      attempts.push(usage);
    }
    const step: TaskStep = {
      id: span.spanId,
      agentRole: role,
      status: span.error ? 'failed' : 'completed',
      attempts,
      startTime: isoOf(span.start),
      endTime: isoOf(span.end),
      duration: millisecondsBetween(span.start, span.end),
    };
    if (agentName !== undefined && agentName !== role) step.description = agentName;
    return step;
  };
  const steps: { start: bigint; end: bigint; step: TaskStep }[] = [];
  for (const span of [...stepSpans].sort(byStart)) {
    const agentName = stringAttribute(span, 'gen_ai.agent.name');
    const step = stepOf(span, agentRoleOf(agentName), agentName, calls.get(span) ?? []);
    if (typeof step === 'string') return { problem: step };
    steps.push({ start: span.start, end: span.end, step });
  }
  const loose = calls.get(undefined);
  if (loose !== undefined) {
    // Calls outside any agent span: one step of the root's agent (or the executor), spanning those calls.
    const first = [...loose].sort(byStart)[0]!;
    const last = loose.reduce((latest, call) => (call.end > latest.end ? call : latest));
    const agentName = stringAttribute(root, 'gen_ai.agent.name');
    const step = stepOf({ ...first, spanId: `${root.spanId}-calls`, end: last.end, error: loose.at(-1)!.error && loose.every((call) => call.error) }, agentRoleOf(agentName), agentName, loose);
    if (typeof step === 'string') return { problem: step };
    steps.push({ start: first.start, end: last.end, step });
  }
  steps.sort((left, right) => (left.start < right.start ? -1 : left.start > right.start ? 1 : 0));
  const workflow = steps.map((entry) => entry.step);
  const attempts = workflow.flatMap((step) => step.attempts);
  let fallbackRotations = 0;
  const modelUsageCounts: Record<string, number> = {};
  for (const step of workflow) {
    step.attempts.forEach((usage, index) => {
      modelUsageCounts[usage.modelId] = (modelUsageCounts[usage.modelId] ?? 0) + 1;
      const next = step.attempts[index + 1];
      if (!usage.success && next !== undefined && next.modelId !== usage.modelId) fallbackRotations += 1;
    });
  }
  const lastStep = steps.reduce<(typeof steps)[number] | undefined>((latest, entry) => (latest === undefined || entry.end >= latest.end ? entry : latest), undefined);
  const failed = root.error || lastStep?.step.status === 'failed';
  const sessionId = stringAttribute(root, 'orchestra.session.id') ?? traceId;
  const candidate = {
    schemaVersion: 2,
    sessionId,
    workflow,
    globalMetrics: {
      totalCostEstimate: attempts.reduce((sum, usage) => sum + (usage.estimatedCost ?? 0), 0),
      startTime: isoOf(root.start),
      endTime: isoOf(root.end),
      totalTokens: attempts.reduce((sum, usage) => sum + usage.tokensUsed, 0),
      totalAttempts: attempts.length,
      successfulAttempts: attempts.filter((usage) => usage.success).length,
      failedAttempts: attempts.filter((usage) => !usage.success).length,
      fallbackRotations,
      avgLatencyMs: attempts.length === 0 ? 0 : attempts.reduce((sum, usage) => sum + usage.latencyMs, 0) / attempts.length,
      modelUsageCounts,
    },
    phase: failed ? 'failed' : 'completed',
  };
  let session: EnhancedSessionState;
  try {
    session = parseSessionState(candidate);
  } catch (error) {
    return { problem: (error as Error).message.split('\n')[0]! };
  }
  const description = stringAttribute(root, 'orchestra.task.description') ?? '';
  const filesValue = root.attributes.get('orchestra.task.files');
  const files = Array.isArray(filesValue) ? filesValue.filter((file): file is string => typeof file === 'string') : [];
  return { session: { session, task: { description, files } } };
}

/** Reads a file of OTLP/JSON traces (strict UTF-8) and turns it into sessions and quarantine entries (`sessionsFromOtlpText`). */
export async function readOtlpTraceFile(path: string, options: Omit<OtlpIngestOptions, 'file'> = {}): Promise<OtlpIngest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: 'not valid UTF-8; refused rather than replaced', cause: error });
  }
  return sessionsFromOtlpText(text, { ...options, file: path });
}
