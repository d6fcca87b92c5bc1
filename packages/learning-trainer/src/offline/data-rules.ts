import type { Experience } from '@orchestra/learning-types';
import type { OfflineConfig } from '../config/trainer-config';
import { InsufficientExperiencesError } from './insufficient-experiences-error';

/** A data-quality warning raised before training (training continues). */
export interface DataWarning {
  code: 'few-experiences' | 'dominant-task-type' | 'dominant-domain' | 'reward-out-of-bounds' | 'mixed-reward-definitions';
  message: string;
}

/** Counts of the experiences a run trains on. */
export interface DataSummary {
  total: number;
  /** Failed sessions are always kept: they carry most of the signal about what not to do. */
  failed: number;
  byTaskType: Record<string, number>;
  /** By primary (first) domain. */
  byPrimaryDomain: Record<string, number>;
  /** By reward definition: `<kind>/<configVersion>` of the breakdown (`unrecorded` for records written before). */
  byRewardDefinition: Record<string, number>;
}

/** Counts by task type, primary domain and outcome. */
export function summariseExperiences(experiences: readonly Experience[]): DataSummary {
  const byTaskType: Record<string, number> = {};
  const byPrimaryDomain: Record<string, number> = {};
  const byRewardDefinition: Record<string, number> = {};
  let failed = 0;
  for (const experience of experiences) {
    byTaskType[experience.state.context.taskType] = (byTaskType[experience.state.context.taskType] ?? 0) + 1;
    const domain = experience.state.context.domains[0] ?? 'unknown';
    byPrimaryDomain[domain] = (byPrimaryDomain[domain] ?? 0) + 1;
    if (!experience.outcome.success) failed += 1;
    const definition = `${experience.reward.kind ?? 'unrecorded'}/${experience.reward.configVersion ?? 'unrecorded'}`;
    byRewardDefinition[definition] = (byRewardDefinition[definition] ?? 0) + 1;
  }
  return { total: experiences.length, failed, byTaskType, byPrimaryDomain, byRewardDefinition };
}

/**
 * The seed's data rules: refuse fewer than `minimumExperiences` (unless `allowFewExperiences`), warn below
 * `recommendedExperiences`, and warn when one task type or primary domain exceeds `dominanceShare` of the data.
 * Throws `InsufficientExperiencesError`; returns the warnings.
 */
export function checkDataRules(summary: DataSummary, rules: OfflineConfig): DataWarning[] {
  const warnings: DataWarning[] = [];
  // Even with the override, a time split needs one training and one validation experience.
  if (summary.total < 2) throw new InsufficientExperiencesError({ count: summary.total, minimum: 2 });
  if (summary.total < rules.minimumExperiences && !rules.allowFewExperiences) {
    throw new InsufficientExperiencesError({ count: summary.total, minimum: rules.minimumExperiences });
  }
  if (summary.total < rules.recommendedExperiences) {
    warnings.push({
      code: 'few-experiences',
      message: `Only ${summary.total} experiences (fewer than ${rules.recommendedExperiences}): the learned policy and its evaluation will be noisy.`,
    });
  }
  const definitions = Object.entries(summary.byRewardDefinition);
  if (definitions.length > 1) {
    warnings.push({
      code: 'mixed-reward-definitions',
      message: `The experiences were scored by ${definitions.length} reward definitions (kind/config: ${definitions
        .sort((left, right) => right[1] - left[1])
        .map(([definition, count]) => `${definition} ×${count}`)
        .join(', ')}): their rewards are not on one scale; train on one (e.g. re-record or filter the buffer).`,
    });
  }
  for (const [code, counts, what] of [
    ['dominant-task-type', summary.byTaskType, 'task type'],
    ['dominant-domain', summary.byPrimaryDomain, 'primary domain'],
  ] as const) {
    for (const [value, count] of Object.entries(counts)) {
      const share = count / Math.max(1, summary.total);
      if (share > rules.dominanceShare) {
        warnings.push({
          code,
          message: `${what} "${value}" makes up ${(share * 100).toFixed(0)}% of the experiences (over ${(rules.dominanceShare * 100).toFixed(0)}%): the policy may not generalise to the others.`,
        });
      }
    }
  }
  return warnings;
}
