import { z } from 'zod';
import { agentRoleSchema, approachSchema, retryStrategySchema, safetyLevelSchema } from './enums';

export const TIMEOUT_MULTIPLIER_MIN = 0.5;
export const TIMEOUT_MULTIPLIER_MAX = 2.0;
export const PARALLELISM_MIN = 1;
export const PARALLELISM_MAX = 4;

/** How to orchestrate one task: the team, the approach, the limits and the model for each role. */
export const actionSchema = z
  .object({
    skills: z.array(z.string().min(1)).default([]),
    /** The agents taking part; the executor always does. */
    agents: z
      .array(agentRoleSchema)
      .min(1)
      .refine((list) => list.includes('executor'), 'agents must include the executor')
      .refine((list) => new Set(list).size === list.length, 'agents must not repeat'),
    approach: approachSchema,
    parallelism: z.number().int().min(PARALLELISM_MIN).max(PARALLELISM_MAX),
    timeoutMultiplier: z.number().min(TIMEOUT_MULTIPLIER_MIN).max(TIMEOUT_MULTIPLIER_MAX),
    retryStrategy: retryStrategySchema,
    safetyLevel: safetyLevelSchema,
    /** Model id per agent role; every agent in `agents` needs one. */
    models: z.partialRecord(agentRoleSchema, z.string().min(1)),
  })
  .superRefine((action, context) => {
    for (const agent of action.agents) {
      if (action.models[agent] === undefined) {
        context.addIssue({ code: 'custom', path: ['models', agent], message: `no model chosen for agent ${agent}` });
      }
    }
  });
export type Action = z.infer<typeof actionSchema>;
export type ActionInput = z.input<typeof actionSchema>;
