import { complexitySchema, domainSchema, riskLevelSchema, taskTypeSchema } from '@orchestra/learning-types';
import { z } from 'zod';

/**
 * When a constraint applies. Every field given must hold (AND); within a field any listed value matches (OR).
 * `domain` matches when any of the task's domains is listed; `minLoad` when the system load is at least it.
 */
export const constraintConditionSchema = z.object({
  risk: z.array(riskLevelSchema).optional(),
  complexity: z.array(complexitySchema).optional(),
  taskType: z.array(taskTypeSchema).optional(),
  domain: z.array(domainSchema).optional(),
  minLoad: z.number().min(0).max(1).optional(),
});
export type ConstraintCondition = z.infer<typeof constraintConditionSchema>;

/** Heads whose choices a `forbid` constraint can rule out (team and models are handled by `require-role`). */
export const forbiddableHeads = ['approach', 'parallelism', 'timeout', 'retry', 'safety'] as const;

/**
 * A hard safety constraint no learned action can override. `when` is one condition or a list of which any may
 * hold. `forbid` rules out choices of a head (by their ActionSpace labels) and repairs to `repairTo`;
 * `require-role` requires a role in the team (repair: add it, with the executor's model).
 */
export const hardConstraintSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('forbid'),
    id: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    when: z.union([constraintConditionSchema, z.array(constraintConditionSchema).min(1)]),
    head: z.enum(forbiddableHeads),
    labels: z.array(z.string()).min(1),
    repairTo: z.string(),
  }),
  z.object({
    kind: z.literal('require-role'),
    id: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    when: z.union([constraintConditionSchema, z.array(constraintConditionSchema).min(1)]),
    role: z.enum(['architect', 'auditor', 'consultant']),
  }),
]);
export type HardConstraint = z.infer<typeof hardConstraintSchema>;

const securityTask: ConstraintCondition[] = [{ taskType: ['security'] }, { domain: ['security'] }];

/**
 * The default hard constraints:
 *
 * | id | when | requires |
 * |---|---|---|
 * | `high-risk-not-permissive` | risk high | safety ≠ permissive (repair: strict) |
 * | `security-not-permissive` | security task type or domain | safety ≠ permissive (repair: strict) |
 * | `security-needs-auditor` | security task type or domain | auditor in the team |
 * | `high-risk-complex-needs-auditor` | risk high and complexity complex | auditor in the team |
 * | `overload-caps-parallelism` | system load ≥ 0.9 | parallelism ≤ 2 (repair: 2) |
 */
export const defaultHardConstraints: readonly HardConstraint[] = Object.freeze([
  {
    kind: 'forbid',
    id: 'high-risk-not-permissive',
    description: 'a high-risk task never runs with permissive safety',
    when: { risk: ['high'] },
    head: 'safety',
    labels: ['permissive'],
    repairTo: 'strict',
  },
  {
    kind: 'forbid',
    id: 'security-not-permissive',
    description: 'a security task never runs with permissive safety',
    when: securityTask,
    head: 'safety',
    labels: ['permissive'],
    repairTo: 'strict',
  },
  {
    kind: 'require-role',
    id: 'security-needs-auditor',
    description: 'a security task always has an auditor',
    when: securityTask,
    role: 'auditor',
  },
  {
    kind: 'require-role',
    id: 'high-risk-complex-needs-auditor',
    description: 'a complex high-risk task always has an auditor',
    when: { risk: ['high'], complexity: ['complex'] },
    role: 'auditor',
  },
  {
    kind: 'forbid',
    id: 'overload-caps-parallelism',
    description: 'under load ≥ 0.9 no task runs more than 2 parallel workers',
    when: { minLoad: 0.9 },
    head: 'parallelism',
    labels: ['3', '4'],
    repairTo: '2',
  },
] satisfies HardConstraint[]);
