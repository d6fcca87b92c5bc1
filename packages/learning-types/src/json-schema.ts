import { z } from 'zod';
import { actionSchema } from './action';
import { historySummarySchema, systemStateSchema, taskContextSchema } from './context';
import { decisionSchema } from './decision';
import { experienceSchema } from './experience';
import { outcomeSchema } from './outcome';
import { outcomeEventSchema } from './outcome-event';
import { rewardBreakdownSchema } from './reward-breakdown';
import { enhancedSessionStateSchema, globalMetricsSchema, modelUsageSchema, taskStepSchema } from './session';

/** Every record schema by its public name, for JSON Schema export. */
export const recordSchemas = {
  ModelUsage: modelUsageSchema,
  TaskStep: taskStepSchema,
  GlobalMetrics: globalMetricsSchema,
  EnhancedSessionState: enhancedSessionStateSchema,
  TaskContext: taskContextSchema,
  SystemState: systemStateSchema,
  HistorySummary: historySummarySchema,
  Action: actionSchema,
  Outcome: outcomeSchema,
  OutcomeEvent: outcomeEventSchema,
  RewardBreakdown: rewardBreakdownSchema,
  Decision: decisionSchema,
  Experience: experienceSchema,
} as const;
export type RecordName = keyof typeof recordSchemas;

/**
 * JSON Schema (draft 2020-12) of a record, as it is accepted on input (defaults make fields optional), for
 * orchestrators written in other languages. The same documents ship as `json-schema/<Name>.json`.
 */
export function toJsonSchema(name: RecordName): Record<string, unknown> {
  const schema = recordSchemas[name];
  const document = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...document, title: name };
}
