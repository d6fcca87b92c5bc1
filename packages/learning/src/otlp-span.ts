import type { AgentRole, ModelErrorCode } from '@orchestra/learning-types';
import { z } from 'zod';

/*
 * The OTLP/JSON span format as the trace adapter reads it: the fields it validates, the GenAI semantic-convention
 * attributes it looks at, and how an attribute, an id, a status or a timestamp becomes a plain value.
 */

/** `gen_ai.operation.name` of a span that is one step (one agent's turn) of a session. */
export const STEP_OPERATION = 'invoke_agent';
/** `gen_ai.operation.name` values of a span that is one model call. */
export const MODEL_CALL_OPERATIONS: readonly string[] = ['chat', 'text_completion', 'generate_content'];
/** Span attributes read as the call's cost in USD, in this order (else the price table prices the tokens). */
export const COST_ATTRIBUTES: readonly string[] = ['gen_ai.usage.cost', 'gen_ai.usage.cost_usd', 'orchestra.cost.usd'];

const nanosecondsSchema = z.union([z.string().regex(/^\d{1,30}$/), z.number().int().nonnegative()]);
const keyValueSchema = z.object({ key: z.string(), value: z.record(z.string(), z.unknown()).optional() });

/** One span of OTLP/JSON (the fields the adapter reads; others are ignored). */
export const otlpSpanSchema = z.object({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional(),
  name: z.string().default(''),
  startTimeUnixNano: nanosecondsSchema,
  endTimeUnixNano: nanosecondsSchema,
  attributes: z.array(keyValueSchema).default([]),
  status: z.object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() }).optional(),
});
export type OtlpSpan = z.infer<typeof otlpSpanSchema>;

/** The envelope of an `ExportTraceServiceRequest` (spans are validated one by one). */
export const exportTraceServiceRequestSchema = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: z.array(keyValueSchema).default([]) }).optional(),
      scopeSpans: z.array(z.object({ spans: z.array(z.unknown()).default([]) })).default([]),
    }),
  ),
});

export interface TraceSpan {
  span: OtlpSpan;
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  attributes: Map<string, unknown>;
  start: bigint;
  end: bigint;
  error: boolean;
  line: number;
}

/** A trace or span id as lower-case hex: OTLP/JSON writes hex; a base64 id (protobuf's JSON mapping) is converted. */
export function normaliseId(id: string, bytes: number): string | undefined {
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(id)) {
    const decoded = Buffer.from(id, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  return undefined;
}

/** The plain value of an OTLP `AnyValue` (strings, numbers, booleans and arrays of them). */
export function plainValue(value: Record<string, unknown> | undefined): unknown {
  if (value === undefined) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) {
    const number = Number(value.intValue);
    return Number.isSafeInteger(number) ? number : undefined;
  }
  if (value.doubleValue !== undefined) {
    const number = Number(value.doubleValue);
    return Number.isFinite(number) ? number : undefined;
  }
  const array = value.arrayValue as { values?: unknown } | undefined;
  if (array !== undefined && Array.isArray(array.values)) return array.values.map((item) => (typeof item === 'object' && item !== null ? plainValue(item as Record<string, unknown>) : undefined));
  return undefined;
}

export function isErrorStatus(status: OtlpSpan['status']): boolean {
  const code = status?.code;
  return code === 2 || code === 'STATUS_CODE_ERROR' || code === 'ERROR';
}

export function stringAttribute(span: TraceSpan, key: string): string | undefined {
  const value = span.attributes.get(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function countAttribute(span: TraceSpan, key: string): number | undefined {
  const value = span.attributes.get(key);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

const roleNames: readonly [RegExp, AgentRole][] = [
  [/architect|plan/i, 'architect'],
  [/audit|review|critic|verif|judge/i, 'auditor'],
  [/consult|advis|research|expert/i, 'consultant'],
  [/execut|code|coder|writ|build|implement|develop|work/i, 'executor'],
];

/** The orchestrator role of an agent name (`gen_ai.agent.name`): a role's own name, else by its meaning, else executor. */
export function agentRoleOf(name: string | undefined): AgentRole {
  if (name === undefined) return 'executor';
  for (const [pattern, role] of roleNames) if (pattern.test(name)) return role;
  return 'executor';
}

/** The error code of a failed call from `error.type` (and the status message). */
export function errorCodeOf(errorType: string | undefined, message: string | undefined): ModelErrorCode {
  const text = `${errorType ?? ''} ${message ?? ''}`;
  if (/\b429\b|rate.?limit|too.?many.?requests|quota/i.test(text)) return 'RATE_LIMIT_429';
  if (/time.?out|timed.?out|deadline/i.test(text)) return 'TIMEOUT';
  if (/context.?(length|window|exceeded)|too.?long|maximum.?context|max.?tokens|token.?limit/i.test(text)) return 'CONTEXT_EXCEEDED';
  return 'API_ERROR';
}

export function isoOf(nanoseconds: bigint): string {
  return new Date(Number(nanoseconds / 1_000_000n)).toISOString();
}

export function millisecondsBetween(start: bigint, end: bigint): number {
  return Number(end - start) / 1e6;
}
