import { learningModeSchema, policySourceSchema, validate, type Experience } from '@orchestra/learning-types';
import { z } from 'zod';

const instantSchema = z.union([z.date(), z.iso.datetime({ offset: true })]);

/** Which experiences to keep: a time range `[from, to)` on `timestamp`, modes and policy sources. */
export const experienceFilterSchema = z.object({
  /** Inclusive lower bound (Date or ISO 8601). */
  from: instantSchema.optional(),
  /** Exclusive upper bound (Date or ISO 8601). */
  to: instantSchema.optional(),
  modes: z.array(learningModeSchema).optional(),
  sources: z.array(policySourceSchema).optional(),
});
export type ExperienceFilter = z.infer<typeof experienceFilterSchema>;
export type ExperienceFilterInput = z.input<typeof experienceFilterSchema>;

/** A compiled filter: `undefined` when it keeps everything. */
export type ExperiencePredicate = (experience: Experience) => boolean;

function toMilliseconds(instant: Date | string | undefined): number | undefined {
  if (instant === undefined) return undefined;
  return instant instanceof Date ? instant.getTime() : Date.parse(instant);
}

/** Validates a filter and compiles it into a predicate (or `undefined` for "keep all"). */
export function compileExperienceFilter(input: ExperienceFilterInput | undefined): ExperiencePredicate | undefined {
  if (input === undefined) return undefined;
  const filter = validate(experienceFilterSchema, input, 'ExperienceFilter');
  const from = toMilliseconds(filter.from);
  const to = toMilliseconds(filter.to);
  const modes = filter.modes === undefined ? undefined : new Set<string>(filter.modes);
  const sources = filter.sources === undefined ? undefined : new Set<string>(filter.sources);
  if (from === undefined && to === undefined && modes === undefined && sources === undefined) return undefined;
  return (experience) => {
    if (modes !== undefined && !modes.has(experience.mode)) return false;
    if (sources !== undefined && !sources.has(experience.policy.source)) return false;
    if (from !== undefined || to !== undefined) {
      const time = Date.parse(experience.timestamp);
      if (from !== undefined && time < from) return false;
      if (to !== undefined && time >= to) return false;
    }
    return true;
  };
}
