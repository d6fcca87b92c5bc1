import { agentRoleSchema, approachSchema, riskLevelSchema, safetyLevelSchema, taskTypeSchema } from '@orchestra/learning-types';
import { actionHeadNames } from '@orchestra/learning-features';
import { z } from 'zod';

const roleModelsSchema = z.object({ architect: z.string().min(1), executor: z.string().min(1), auditor: z.string().min(1), consultant: z.string().min(1) });

const plan = (approach: z.infer<typeof approachSchema>, roles: Array<'architect' | 'auditor' | 'consultant'>, models: z.infer<typeof roleModelsSchema>) =>
  z
    .object({ approach: approachSchema, roles: z.array(agentRoleSchema.exclude(['executor'])), models: roleModelsSchema })
    .default({ approach, roles, models });

/**
 * Configuration of `RulesPolicy`; every field has the documented default (see the package README).
 *
 * - `plans`: approach, extra roles and a model per role for each complexity. Simple tasks go direct to the executor
 *   on a cheap model; medium ones run sequentially with an architect; complex ones are coordinated by an architect on
 *   the strongest model, with an auditor.
 * - `auditorForRisks`, `securityNeedsAuditor`, `consultantForComplexHighRisk`: roles added by risk and task type.
 * - `parallelDomainThreshold`: a medium task touching at least this many domains runs `parallel`.
 * - `load`: at `high` load parallel work drops to 1 worker, at `medium` load by one worker.
 * - `timeouts`: multiplier by estimated minutes (first row whose `upToMinutes` is not exceeded), plus
 *   `complexExtra` for complex tasks; clamped to [0.5, 2] and snapped to the 0.25 bins.
 * - `retry`: `fallback` (rotate models) from `fallbackAtErrorRate` of recent model errors, `retry_with_backoff`
 *   otherwise; `fail_fast` for low-risk tasks whose history shows fewer errors than `failFastBelowErrorRate`.
 * - `safety`: level by risk; `permissiveTaskTypes` of low risk run permissive.
 * - `epsilon`: exploration (0 = deterministic); `seed` of its random stream.
 * - `exploredHeads`: the heads exploration may change (default: every head), e.g. `['retry', 'model_executor']` where
 *   only the models run and their order are observed (a replay of an outcome table).
 * - `explorationDesign`: how an explored session departs from the greedy action (`ExplorationDesign`; default: one
 *   alternative per explored session).
 */
export const rulesConfigSchema = z.object({
  version: z.string().min(1).default('rules-v1'),
  plans: z
    .object({
      simple: plan('direct', [], { architect: 'kimi-k2.5', executor: 'glm-4.7', auditor: 'kimi-k2.5', consultant: 'kimi-k2.5' }),
      medium: plan('sequential', ['architect'], { architect: 'kimi-k2.5', executor: 'glm-4.7', auditor: 'kimi-k2.5', consultant: 'gpt-5.2-codex' }),
      complex: plan('coordinated', ['architect', 'auditor'], {
        architect: 'claude-opus',
        executor: 'gpt-5.2-codex',
        auditor: 'kimi-k2.5',
        consultant: 'claude-opus',
      }),
    })
    .prefault({}),
  auditorForRisks: z.array(riskLevelSchema).default(['high']),
  securityNeedsAuditor: z.boolean().default(true),
  consultantForComplexHighRisk: z.boolean().default(true),
  parallelDomainThreshold: z.number().int().min(2).default(3),
  load: z.object({ high: z.number().min(0).max(1).default(0.8), medium: z.number().min(0).max(1).default(0.5) }).prefault({}),
  timeouts: z
    .array(z.object({ upToMinutes: z.number().positive().nullable(), multiplier: z.number().min(0.5).max(2) }))
    .min(1)
    .default([
      { upToMinutes: 15, multiplier: 1 },
      { upToMinutes: 60, multiplier: 1.25 },
      { upToMinutes: 240, multiplier: 1.5 },
      { upToMinutes: null, multiplier: 1.75 },
    ]),
  complexExtra: z.number().min(0).max(1.5).default(0.25),
  retry: z
    .object({
      fallbackAtErrorRate: z.number().min(0).max(1).default(0.25),
      failFastBelowErrorRate: z.number().min(0).max(1).default(0.02),
    })
    .prefault({}),
  safety: z
    .object({ low: safetyLevelSchema.default('balanced'), medium: safetyLevelSchema.default('balanced'), high: safetyLevelSchema.default('strict') })
    .prefault({}),
  permissiveTaskTypes: z.array(taskTypeSchema).default(['docs', 'style']),
  epsilon: z.number().min(0).max(1).default(0),
  exploredHeads: z
    .array(z.enum(actionHeadNames))
    .min(1)
    .refine((heads) => new Set(heads).size === heads.length, 'a head is named twice')
    .optional(),
  explorationDesign: z
    .object({ share: z.number().min(0).max(1), switchProbability: z.number().gt(0).max(1) })
    .optional(),
  seed: z.number().int().default(1),
});
export type RulesConfig = z.infer<typeof rulesConfigSchema>;
export type RulesConfigInput = z.input<typeof rulesConfigSchema>;
