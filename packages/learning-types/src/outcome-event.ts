import { z } from 'zod';

const count = z.number().int().nonnegative();

/**
 * The facts of an outcome that may become known after a session was stored (CI an hour later, the user's edits the
 * next day). Each field present replaces the stored one (set, not add): applying an event twice changes nothing.
 */
export const outcomePatchSchema = z
  .strictObject({
    /** Whether the task really succeeded. */
    success: z.boolean().optional(),
    /** Whether the tests passed (`null`: the task ran none). */
    testsPassed: z.boolean().nullable().optional(),
    /** Files (or edits) the user rewrote afterwards; user satisfaction is then derived from it. */
    userEdits: count.optional(),
    /** Safety violations found afterwards. */
    safetyViolations: count.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), { message: 'an outcome patch needs at least one field' });
export type OutcomePatch = z.infer<typeof outcomePatchSchema>;

/** Schema version of `OutcomeEvent` records. */
export const OUTCOME_EVENT_SCHEMA_VERSION = 1;

/**
 * An outcome that arrived later: appended to `outcome_events.jsonl` beside the experiences, never rewritten, and
 * joined with the session's experience at read time. `id` makes it idempotent: an event id stored once is not
 * stored again.
 */
export const outcomeEventSchema = z.strictObject({
  schemaVersion: z.literal(OUTCOME_EVENT_SCHEMA_VERSION),
  id: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(500),
  /** When the outcome became known (ISO 8601); events of a session apply in this order (then by id). */
  timestamp: z.iso.datetime({ offset: true }),
  patch: outcomePatchSchema,
  /** Who reported it (e.g. `cli`, `ci`), free text. */
  source: z.string().max(200).optional(),
});
export type OutcomeEvent = z.infer<typeof outcomeEventSchema>;
export type OutcomeEventInput = z.input<typeof outcomeEventSchema>;
