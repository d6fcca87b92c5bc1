import { agentRoles, type Experience } from '@orchestra/learning-types';
import type { CsvCell } from './csv-writer';

/** Type of a flat export column (Parquet's physical/converted type; CSV writes every one as text). */
export type ColumnKind = 'string' | 'double' | 'boolean' | 'timestamp';

/** Flat (CSV / Parquet) layout fixed by the first exported experience (or the options). */
export class FlatLayout {
  readonly header: string[];
  readonly kinds: ColumnKind[];
  constructor(
    readonly featureCount: number,
    readonly featureNames: readonly string[] | undefined,
    readonly rewardComponents: readonly string[],
  ) {
    const features = Array.from({ length: featureCount }, (_, index) => `feature_${featureNames?.[index] ?? index}`);
    this.header = [
      'id',
      'timestamp',
      'session_id',
      'mode',
      'policy_source',
      'policy_version',
      'propensity',
      // The cost weight the propensity belongs to (empty for a record without one: the default trade-off).
      'policy_cost_weight',
      'feature_schema_hash',
      'task_type',
      'domains',
      'complexity',
      'risk',
      'estimated_time_minutes',
      ...features,
      'action_agents',
      'action_approach',
      'action_parallelism',
      'action_timeout_multiplier',
      'action_retry_strategy',
      'action_safety_level',
      'action_skills',
      ...agentRoles.map((role) => `action_model_${role}`),
      'reward_total',
      ...rewardComponents.map((component) => `reward_${component}`),
      'reward_components_json',
      'reward_capped',
      'outcome_success',
      'outcome_duration_ms',
      'outcome_estimated_duration_ms',
      'outcome_cost_usd',
      'outcome_tokens',
      'outcome_error_count',
      'outcome_fallback_rotations',
    ];
    const strings = new Set(['id', 'session_id', 'mode', 'policy_source', 'policy_version', 'feature_schema_hash', 'task_type', 'domains', 'complexity', 'risk', 'action_agents', 'action_approach', 'action_retry_strategy', 'action_safety_level', 'action_skills', 'reward_components_json', 'reward_capped']);
    this.kinds = this.header.map((name): ColumnKind => {
      if (name === 'timestamp') return 'timestamp';
      if (name === 'outcome_success') return 'boolean';
      if (strings.has(name) || name.startsWith('action_model_')) return 'string';
      return 'double';
    });
  }

  /** The row's cells in header order (`undefined`: no value, e.g. no model for a role). */
  row(experience: Experience): CsvCell[] {
    const { state, action, reward, outcome } = experience;
    const features: CsvCell[] = [];
    // A record of another feature schema keeps its hash column; its values are written up to the header's width.
    for (let index = 0; index < this.featureCount; index += 1) features.push(state.features[index]);
    return [
      experience.id,
      experience.timestamp,
      experience.sessionId,
      experience.mode,
      experience.policy.source,
      experience.policy.version,
      experience.propensity,
      experience.policy.costWeight,
      state.featureSchemaHash,
      state.context.taskType,
      state.context.domains.join(';'),
      state.context.complexity,
      state.context.risk,
      state.context.estimatedTimeMinutes,
      ...features,
      action.agents.join(';'),
      action.approach,
      action.parallelism,
      action.timeoutMultiplier,
      action.retryStrategy,
      action.safetyLevel,
      action.skills.join(';'),
      ...agentRoles.map((role) => action.models[role]),
      reward.total,
      ...this.rewardComponents.map((component) => reward.components[component]),
      JSON.stringify(reward.components),
      reward.capped.join(';'),
      outcome.success,
      outcome.durationMs,
      outcome.estimatedDurationMs,
      outcome.totalCostUsd,
      outcome.totalTokens,
      outcome.errorCount,
      outcome.fallbackRotations,
    ];
  }
}

