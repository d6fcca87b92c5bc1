import { InvalidArgumentError } from 'commander';
import type { ExperienceFilter } from '@orchestra/learning-collector';
import { learningModes, type LearningMode, type PolicySource } from '@orchestra/learning-types';

/** `--fraction`: a number in (0, 1]. */
export function parseFraction(value: string): number {
  const fraction = Number(value);
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction > 1) throw new InvalidArgumentError('must be a number in (0, 1], e.g. 0.25');
  return fraction;
}

/** A positive integer option (`--epochs`, `--sessions`). */
export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

/** A non-negative integer option (`--seed`). */
export function parseNonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return number;
}

/** `--cost-weight`: the cost–quality knob, a finite number ≥ 0. */
export function parseCostWeight(value: string): number {
  const weight = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(weight) || weight < 0) throw new InvalidArgumentError('must be a finite number ≥ 0 (0 = cost ignored, 1 = the default trade-off, 2 = cost counts double)');
  return weight;
}

/** A learning mode argument. */
export function parseMode(value: string): LearningMode {
  if (!(learningModes as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown mode; expected one of ${learningModes.join(', ')}`);
  return value as LearningMode;
}

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: an ISO 8601 date/time (`2026-11-01`, `2026-11-01T12:00:00Z`) or a duration back from `now`
 * (`30m`, `24h`, `7d`, `2w`).
 */
export function parseSince(value: string, now = new Date()): Date {
  const duration = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(value.trim());
  if (duration !== null) return new Date(now.getTime() - Number(duration[1]) * durationUnits[duration[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (Number.isFinite(time)) return new Date(time);
  }
  throw new InvalidArgumentError('must be an ISO date (2026-11-01, 2026-11-01T12:00:00Z) or a duration like 30m, 24h, 7d');
}

/** The experience filter of `--since`, `--until`, `--mode` and `--source` (learning-stats, learning-export). */
export function experienceFilterOf(options: { since?: Date; until?: Date; mode?: LearningMode; source?: PolicySource }): ExperienceFilter {
  const filter: ExperienceFilter = {};
  if (options.since !== undefined) filter.from = options.since;
  if (options.until !== undefined) filter.to = options.until;
  if (options.mode !== undefined) filter.modes = [options.mode];
  if (options.source !== undefined) filter.sources = [options.source];
  return filter;
}
