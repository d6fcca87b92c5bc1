import { validate } from '@orchestra/learning-types';
import { gateDecisions } from '@orchestra/learning-policy';
import { z } from 'zod';

const finite = z.number().finite();
const interval = z.tuple([finite, finite]).refine(([lower, upper]) => lower <= upper, 'the lower end of an interval must not exceed its upper end');
const share = z.number().min(0).max(1);

/** One policy measured on held-out data: mean reward with its 95 % CI, success rate, cost per session. */
export const heldOutPolicySchema = z.object({
  /** `rules`, `learned`, `oracle` (or any other name, listed after them). */
  name: z.string().min(1),
  meanReward: finite,
  ci: interval.optional(),
  successRate: share.optional(),
  costPerSession: z.number().finite().nonnegative().optional(),
  /** Effective sample size of an off-policy estimate. */
  effectiveSampleSize: z.number().finite().nonnegative().optional(),
});
export type HeldOutPolicy = z.infer<typeof heldOutPolicySchema>;

/** An estimate of a deploy gate: value, 95 % CI, effective sample size. */
const gateEstimateSchema = z.object({ value: finite, ci: interval, effectiveSampleSize: z.number().finite().nonnegative().optional() });

/** One deploy-gate verdict: the off-policy estimate of a trained model against the rules, and what the gate did. */
export const gateVerdictSchema = z.object({
  model: z.string().min(1),
  /** Sessions logged when the model was trained (places it on the timeline). */
  sessionsSeen: z.number().int().nonnegative().optional(),
  estimator: z.string().nullable().default(null),
  learned: gateEstimateSchema.nullable().default(null),
  /** The baseline's estimate: the rules', or for a challenger's re-look the deployed model's it challenged (`against`). */
  rules: gateEstimateSchema.nullable().default(null),
  /** What the model was compared with: `rules`, or the version of the deployed model a challenger was compared with. */
  against: z.string().min(1).default('rules'),
  /** Estimated learned − baseline (the rules, or `against`). */
  difference: z.object({ value: finite, ci: interval }).nullable().default(null),
  verdict: z.enum(gateDecisions),
  /** Why it was refused or not evaluated (e.g. too little overlap with the logging policy). */
  reason: z.string().nullable().default(null),
  deployed: z.boolean(),
});
export type GateVerdict = z.infer<typeof gateVerdictSchema>;

/** Kinds of timeline events (each drawn in its own colour). */
export const timelineEventKinds = ['deploy', 'refused', 'ramp', 'breach', 'rollback', 'mode', 'drift', 'other'] as const;
export type TimelineEventKind = (typeof timelineEventKinds)[number];

/** One event on the timeline, placed by its session index (0-based) or, failing that, by its time. */
export const timelineEventSchema = z
  .object({ session: z.number().int().nonnegative().optional(), at: z.string().min(1).optional(), kind: z.enum(timelineEventKinds), message: z.string().min(1) })
  .refine((event) => event.session !== undefined || event.at !== undefined, 'a timeline event needs its session or its time (at)');
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** What the report knows beyond the experiences: held-out results, gate verdicts, the cost-weight curve, events. */
export const reportExtrasSchema = z.object({
  /** The policy in force and the mode (the verdict's first line). */
  deployed: z.object({ model: z.string().min(1).nullable(), mode: z.string().min(1) }).optional(),
  /** Held-out comparison of the policies (rules, learned, oracle), on the same tasks or held-out logs. */
  heldOut: z
    .object({
      /** What was held out, e.g. `1,000 fresh simulated tasks` or `the 200 most recent logged sessions (off-policy estimate)`. */
      description: z.string().min(1),
      policies: z.array(heldOutPolicySchema),
      /** Measured learned − rules (paired, same tasks) with its 95 % CI. */
      difference: z.object({ mean: finite, ci: interval }).optional(),
      /** False when the figures are off-policy estimates rather than measurements. */
      measured: z.boolean().default(true),
    })
    .optional(),
  /** Every deploy-gate verdict, oldest first. */
  gates: z.array(gateVerdictSchema).default([]),
  /** Success and cost per session of the serving policy over cost weights (`decide(task, { costWeight })`). */
  costWeightCurve: z.array(z.object({ costWeight: z.number().finite().nonnegative(), successRate: share, costPerSession: z.number().finite().nonnegative() })).optional(),
  /** Which policy the cost-weight curve is of (default `learned`): the one that serves, e.g. `rules` while nothing is deployed. */
  costWeightCurvePolicy: z.string().min(1).max(80).optional(),
  /** Mode changes, A/B ramp steps, guardrail breaches, rollbacks, deployments, drift. */
  events: z.array(timelineEventSchema).default([]),
  /** Held-out mean reward of each policy after each training, by sessions logged. */
  heldOutCurve: z.array(z.object({ sessionsSeen: z.number().int().nonnegative(), rules: finite, learned: finite, oracle: finite.optional() })).optional(),
});
export type ReportExtrasInput = z.input<typeof reportExtrasSchema>;
export type ReportExtras = z.output<typeof reportExtrasSchema>;

/** Validates what a caller passes beyond the experiences; throws a one-line `ValidationError` naming the field. */
export function parseReportExtras(input: unknown): ReportExtras {
  return validate(reportExtrasSchema, input ?? {}, 'ReportExtras');
}
