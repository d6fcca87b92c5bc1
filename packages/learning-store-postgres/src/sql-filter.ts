import { experienceFilterSchema, type ExperienceFilterInput } from '@orchestra/learning-collector';
import { validate } from '@orchestra/learning-types';

/** A filter as a SQL condition on the experiences table (alias `e`) and its parameters. */
export interface SqlFilter {
  /** The condition, or `''` when the filter keeps everything. */
  sql: string;
  parameters: unknown[];
}

function milliseconds(instant: Date | string): number {
  return instant instanceof Date ? instant.getTime() : Date.parse(instant);
}

/**
 * Translates an experience filter (time range `[from, to)`, modes, sources) into SQL with the same meaning as
 * `compileExperienceFilter`: times compare as `Date.parse(experience.timestamp)` does (the `time_ms` column).
 * Parameters are numbered from `$<offset + 1>`.
 */
export function sqlFilter(input: ExperienceFilterInput | undefined, offset = 0): SqlFilter {
  if (input === undefined) return { sql: '', parameters: [] };
  const filter = validate(experienceFilterSchema, input, 'ExperienceFilter');
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const parameter = (value: unknown) => {
    parameters.push(value);
    return `$${offset + parameters.length}`;
  };
  if (filter.from !== undefined) conditions.push(`e.time_ms >= ${parameter(milliseconds(filter.from))}`);
  if (filter.to !== undefined) conditions.push(`e.time_ms < ${parameter(milliseconds(filter.to))}`);
  if (filter.modes !== undefined) conditions.push(`e.mode = ANY(${parameter(filter.modes)}::text[])`);
  if (filter.sources !== undefined) conditions.push(`e.policy_source = ANY(${parameter(filter.sources)}::text[])`);
  return { sql: conditions.join(' AND '), parameters };
}
