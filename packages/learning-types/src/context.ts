import { z } from 'zod';
import { agentRoleSchema, complexitySchema, domainSchema, riskLevelSchema, taskTypeSchema } from './enums';

/** What is known about a task before it runs: its type, domains (primary first), complexity, risk, size and skills. */
export const taskContextSchema = z.object({
  taskType: taskTypeSchema,
  /** One or more domains, the primary one first, no duplicates. */
  domains: z
    .array(domainSchema)
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'domains must not repeat'),
  complexity: complexitySchema,
  risk: riskLevelSchema,
  /** Estimated wall time of the task in minutes. */
  estimatedTimeMinutes: z.number().finite().positive(),
  skills: z.array(z.string().min(1)).default([]),
  /** Number of files the task touches, when known. */
  fileCount: z.number().int().nonnegative().optional(),
  description: z.string().optional(),
});
export type TaskContext = z.infer<typeof taskContextSchema>;
export type TaskContextInput = z.input<typeof taskContextSchema>;

/** The orchestrator's current load: concurrent tasks, load in [0, 1] and per-role agent availability in [0, 1]. */
export const systemStateSchema = z.object({
  concurrentTasks: z.number().int().nonnegative(),
  load: z.number().min(0).max(1),
  agentAvailability: z.partialRecord(agentRoleSchema, z.number().min(0).max(1)).default({}),
});
export type SystemState = z.infer<typeof systemStateSchema>;
export type SystemStateInput = z.input<typeof systemStateSchema>;

/** Aggregates of past sessions similar to this one (same task type × domain), each in [0, 1] where it applies. */
export const historySummarySchema = z.object({
  /** Weighted number of similar past sessions (after decay). */
  sampleWeight: z.number().finite().nonnegative(),
  successRate: z.number().min(0).max(1),
  /** Mean of min(estimated/actual, 1): how well time estimates held. */
  timeAccuracy: z.number().min(0).max(1),
  resourceEfficiency: z.number().min(0).max(1),
  meanReward: z.number().finite(),
  /** Share of recent model attempts that failed with an error code. */
  modelErrorRate: z.number().min(0).max(1),
});
export type HistorySummary = z.infer<typeof historySummarySchema>;
