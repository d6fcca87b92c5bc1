import { z } from 'zod';

/**
 * The 13 task types. They follow the Conventional Commits vocabulary (so real commit subjects can label them),
 * plus `security` and `dependencies`, which change how an orchestrator should act:
 *
 * | type | meaning |
 * |---|---|
 * | feature | new user-facing capability (`feat`) |
 * | bugfix | fix of wrong behaviour (`fix`) |
 * | refactor | restructuring without behaviour change |
 * | test | adding or fixing tests |
 * | docs | documentation only |
 * | performance | speed or memory work (`perf`) |
 * | security | vulnerabilities, auth hardening, secrets |
 * | dependencies | dependency bumps and upgrades (`chore(deps)`) |
 * | build | build system, bundling, packaging |
 * | ci | CI/CD pipelines and release automation |
 * | style | formatting, lint fixes, no logic change |
 * | revert | undoing an earlier change |
 * | chore | maintenance that fits nothing above |
 */
export const taskTypes = [
  'feature',
  'bugfix',
  'refactor',
  'test',
  'docs',
  'performance',
  'security',
  'dependencies',
  'build',
  'ci',
  'style',
  'revert',
  'chore',
] as const;
export const taskTypeSchema = z.enum(taskTypes);
export type TaskType = z.infer<typeof taskTypeSchema>;

/**
 * The 9 domains a task can touch (a task has one or more; the first is its primary domain):
 * frontend (UI, components, styles), backend (services, business logic), api (HTTP/GraphQL/RPC surface, SDKs),
 * database (schemas, queries, migrations), devops (deploy, containers, cloud, CI infrastructure), security
 * (auth, crypto, permissions), testing (test suites and tooling), documentation (docs sites, READMEs),
 * tooling (compilers, CLIs, build tools, developer tooling).
 */
export const domains = [
  'frontend',
  'backend',
  'api',
  'database',
  'devops',
  'security',
  'testing',
  'documentation',
  'tooling',
] as const;
export const domainSchema = z.enum(domains);
export type Domain = z.infer<typeof domainSchema>;

export const complexities = ['simple', 'medium', 'complex'] as const;
export const complexitySchema = z.enum(complexities);
export type Complexity = z.infer<typeof complexitySchema>;

export const riskLevels = ['low', 'medium', 'high'] as const;
export const riskLevelSchema = z.enum(riskLevels);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

/** Architect plans, executor writes code, auditor reviews and tests, consultant advises on hard questions. */
export const agentRoles = ['architect', 'executor', 'auditor', 'consultant'] as const;
export const agentRoleSchema = z.enum(agentRoles);
export type AgentRole = z.infer<typeof agentRoleSchema>;

/** direct: one agent, one pass; sequential: agents in turn; parallel: sub-tasks at once; coordinated: planned and reviewed. */
export const approaches = ['direct', 'sequential', 'parallel', 'coordinated'] as const;
export const approachSchema = z.enum(approaches);
export type Approach = z.infer<typeof approachSchema>;

export const retryStrategies = ['fail_fast', 'retry_with_backoff', 'fallback'] as const;
export const retryStrategySchema = z.enum(retryStrategies);
export type RetryStrategy = z.infer<typeof retryStrategySchema>;

export const safetyLevels = ['strict', 'balanced', 'permissive'] as const;
export const safetyLevelSchema = z.enum(safetyLevels);
export type SafetyLevel = z.infer<typeof safetyLevelSchema>;

/** disabled (default): rules, nothing collected; shadow: rules act, data collected; ab_test: a fraction learned; production: learned with fallback. */
export const learningModes = ['disabled', 'shadow', 'ab_test', 'production'] as const;
export const learningModeSchema = z.enum(learningModes);
export type LearningMode = z.infer<typeof learningModeSchema>;

export const modelErrorCodes = ['RATE_LIMIT_429', 'CONTEXT_EXCEEDED', 'TIMEOUT', 'API_ERROR'] as const;
export const modelErrorCodeSchema = z.enum(modelErrorCodes);
export type ModelErrorCode = z.infer<typeof modelErrorCodeSchema>;

/** Which policy chose an action. */
export const policySources = ['rules', 'learned'] as const;
export const policySourceSchema = z.enum(policySources);
export type PolicySource = z.infer<typeof policySourceSchema>;

/** Where a session currently is. `completed` and `failed` are terminal. */
export const sessionPhases = ['planning', 'executing', 'auditing', 'completed', 'failed'] as const;
export const sessionPhaseSchema = z.enum(sessionPhases);
export type SessionPhase = z.infer<typeof sessionPhaseSchema>;

export const stepStatuses = ['pending', 'running', 'completed', 'failed', 'skipped'] as const;
export const stepStatusSchema = z.enum(stepStatuses);
export type StepStatus = z.infer<typeof stepStatusSchema>;
