import { catalogModelSchema } from '@orchestra/learning-types';
import { z } from 'zod';

/** One line of `tasks.jsonl`: a task of the evaluation set, as the orchestrator would see it. */
export const replayTaskSchema = z
  .object({
    id: z.string().min(1),
    /** The task's text (what `decide` reads). */
    text: z.string(),
    /** Files the task touches, when known (read by the task-context inference). */
    files: z.array(z.string()).optional(),
    /** A group (benchmark subject, repository, …), reported and kept for the user's own analyses. */
    group: z.string().optional(),
  })
  .strict();
/** One task of a replay table. */
export type ReplayTask = z.infer<typeof replayTaskSchema>;

/** One line of `outcomes.jsonl`: what one model achieved on one task. */
export const replayOutcomeSchema = z
  .object({
    taskId: z.string().min(1),
    model: z.string().min(1),
    /** Whether the model solved the task (the auditor's tests passed), or the probability that it does, in [0, 1]. */
    success: z.union([z.boolean(), z.number().min(0).max(1)]),
    /** What the attempt cost in USD. */
    costUsd: z.number().finite().nonnegative(),
    latencyMs: z.number().finite().nonnegative().optional(),
    inputTokens: z.number().int().nonnegative().optional(),
    outputTokens: z.number().int().nonnegative().optional(),
  })
  .strict();
/** One recorded outcome of a replay table. */
export type ReplayOutcome = z.infer<typeof replayOutcomeSchema>;

/** `models.json`: the models of the table, as in `orchestra.config.json` (id, provider, tier, prices per 1k tokens). */
export const replayModelsSchema = z.object({
  models: z
    .array(catalogModelSchema.strict())
    .min(1)
    .refine((models) => new Set(models.map((model) => model.id)).size === models.length, 'model ids must be unique'),
});
/** The models file of a replay table. */
export type ReplayModels = z.infer<typeof replayModelsSchema>;
