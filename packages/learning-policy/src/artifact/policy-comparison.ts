import { z } from 'zod';

/**
 * The train → deploy seam, owned by the artifact format: the off-policy comparison of a candidate with the rules
 * that a manifest carries in `ope`, the deploy gate's only input. The trainer's estimators produce it (its
 * `PolicyComparison` and `CriticGateComparison` are checked against `PolicyComparison` here at compile time), the
 * facade's `train` writes it, `deploy`, the CLI, the report and the replay read it — all through this schema.
 */

const finite = z.number().finite();

/** One policy's estimated value on the held-out logs, with its interval and the estimators' diagnostics. */
export const policyValueEstimateSchema = z.object({
  policy: z.string().optional(),
  estimator: z.string().optional(),
  value: finite,
  lower: finite,
  upper: finite,
  confidence: finite.optional(),
  standardError: finite.optional(),
  /** Kish effective sample size of the importance weights. */
  effectiveSampleSize: finite.optional(),
  sampleSize: finite.optional(),
  meanWeight: finite.optional(),
  maximumWeight: finite.optional(),
});
export type PolicyValueEstimateRecord = z.infer<typeof policyValueEstimateSchema>;

/**
 * Candidate (`target`) against the rules (`baseline`) on the same logs; beats them when the lower bound of the
 * difference is above 0. Fields are those of the trainer's estimators (bootstrap: `replicates`, `seed`; critic gate:
 * `directMethod`, `changedShare`, the two parts of the difference's standard error); others are not read.
 */
export const policyComparisonSchema = z.object({
  estimator: z.string().min(1),
  /** Two-sided confidence of the intervals (the trainer writes it; absent from some earlier manifests). */
  confidence: finite.gt(0).lt(1).optional(),
  sampleSize: z.number().int().nonnegative(),
  replicates: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  directMethod: z.string().optional(),
  changedShare: finite.min(0).max(1).optional(),
  target: policyValueEstimateSchema,
  baseline: policyValueEstimateSchema,
  difference: z.object({
    value: finite,
    lower: finite,
    upper: finite,
    standardError: finite.optional(),
    samplingStandardError: finite.optional(),
    criticStandardError: finite.optional(),
  }),
  targetBeatsBaseline: z.boolean(),
  /**
   * A re-look at an exploration candidate (the trainer's `regateCandidate`): on the logs recorded while it acted on a
   * share of shadow sessions (`freshLogs`, `candidateActed` of them), its `look`-th, and whether they supported every
   * one of its actions (then the interval is the sampling error alone). Absent: the gate at training.
   */
  kind: z.literal('regate').optional(),
  look: z.number().int().positive().optional(),
  freshLogs: z.number().int().nonnegative().optional(),
  candidateActed: z.number().int().nonnegative().optional(),
  referenceLogs: z.number().int().nonnegative().optional(),
  supported: z.boolean().optional(),
  /**
   * A re-look's bound: the z its lower bound used (`confidence` is that z's two-sided confidence), the information
   * (1 / SE²; null when the SE was 0 or undefined) the next look's exact group-sequential bound needs, and how the bound
   * was set.
   */
  bound: finite.optional(),
  information: finite.positive().nullable().optional(),
  boundMethod: z.enum(['group-sequential', 'bonferroni']).optional(),
  error: z.never().optional(),
});
export type PolicyComparison = z.infer<typeof policyComparisonSchema>;

/** Why no comparison could be made (e.g. no overlap: logs without exploration). */
export const policyComparisonFailureSchema = z.object({ error: z.string().min(1) });
export type PolicyComparisonFailure = z.infer<typeof policyComparisonFailureSchema>;

/**
 * A verdict without its numbers: what manifests of earlier versions may hold (`{ targetBeatsBaseline }`,
 * `{ beatsRules }`), migrated on load. New manifests never write it.
 */
export const legacyPolicyVerdictSchema = z
  .object({
    targetBeatsBaseline: z.boolean(),
    error: z.never().optional(),
    // A record with estimates is a comparison: a malformed one must fail, not pass as a bare verdict.
    target: z.never().optional(),
    baseline: z.never().optional(),
    difference: z.never().optional(),
  })
  .loose();
export type LegacyPolicyVerdict = z.infer<typeof legacyPolicyVerdictSchema>;

/** The manifest's `ope` as this format reads it. */
export type ManifestPolicyComparison = PolicyComparison | PolicyComparisonFailure | LegacyPolicyVerdict;

/**
 * Reads the shapes earlier versions wrote into `ope` as today's: `{ beatsRules }` → `{ targetBeatsBaseline }`,
 * `{ comparison: {…} }` → the comparison, a record of none of the known shapes → a failure naming what it held (so
 * the gate refuses it, as it did, and nothing is dropped silently). Today's shapes pass unchanged.
 */
export function migrateManifestPolicyComparison(ope: unknown): unknown {
  if (ope === null || ope === undefined || typeof ope !== 'object' || Array.isArray(ope)) return ope ?? null;
  const record = ope as Record<string, unknown>;
  if (typeof record.error === 'string' || typeof record.targetBeatsBaseline === 'boolean') return record;
  if (typeof record.beatsRules === 'boolean') {
    const { beatsRules, ...rest } = record;
    return { ...rest, targetBeatsBaseline: beatsRules };
  }
  if (typeof record.comparison === 'object' && record.comparison !== null) return migrateManifestPolicyComparison(record.comparison);
  return { error: `an evaluation of an unknown shape (keys: ${Object.keys(record).join(', ') || 'none'})` };
}

/**
 * The manifest's `ope`: a comparison, why none was made, or (old manifests) a bare verdict; null when none was run.
 * `parseModelManifest` migrates what earlier versions wrote before it validates.
 */
export const manifestPolicyComparisonSchema = z.union([policyComparisonSchema, policyComparisonFailureSchema, legacyPolicyVerdictSchema]).nullable();

/** The deploy gate's verdict on a candidate: the one name `train`, `deploy`, the CLI and the report use. */
export type DeployVerdict = 'beats-rules' | 'does-not-beat-rules' | 'not-evaluated';

/**
 * What the deploy gate decided in an improvement step (`improve`'s `gate`, the report's and the replay's `verdict`):
 * `passed` when the candidate's (or a re-look's) verdict was `beats-rules`, `refused` when it was not, `not-evaluated`
 * when no comparison could be made.
 */
export const gateDecisions = ['passed', 'refused', 'not-evaluated'] as const;
export type GateDecision = (typeof gateDecisions)[number];

/** The deploy verdict a manifest's `ope` gives: `not-evaluated` without a comparison (none run, or it failed). */
export function deployVerdictOf(ope: ManifestPolicyComparison | null | undefined): DeployVerdict {
  if (ope === null || ope === undefined || !('targetBeatsBaseline' in ope)) return 'not-evaluated';
  return ope.targetBeatsBaseline ? 'beats-rules' : 'does-not-beat-rules';
}

/** The comparison with its estimates in a manifest's `ope`, or null (none run, a failure, or an old bare verdict). */
export function estimatedComparisonOf(ope: ManifestPolicyComparison | null | undefined): PolicyComparison | null {
  const parsed = policyComparisonSchema.safeParse(ope);
  return parsed.success ? parsed.data : null;
}
