import { inferTaskContext } from '@orchestra/learning-features/inference';
import { PolicyRouter, type ModelArtifact, type PolicyRouterOptions } from '@orchestra/learning-policy';
import { taskContextSchema, validate, type Decision, type TaskContext } from '@orchestra/learning-types';
import type { LearningRuntime, PolicyInput, Routing, TaskInput } from './learning-runtime';

/** Options of `DefaultLearningRuntime`: passed to the `PolicyRouter` (mode and fraction come per decision). */
export type DefaultRuntimeOptions = Omit<PolicyRouterOptions, 'mode' | 'environment' | 'learned'>;

/**
 * The runtime `createLearning` uses unless given another: `inferTaskContext` from the features package (known
 * facts in `task.context` win over inferred ones) and the policy package's `PolicyRouter` (rules, learned policy,
 * safety guard, exploration, fallbacks).
 */
export class DefaultLearningRuntime implements LearningRuntime {
  readonly router: PolicyRouter;

  constructor(options: DefaultRuntimeOptions = {}) {
    // The manager passes the mode with every decision; `environment: {}` keeps the router from reading it twice.
    this.router = new PolicyRouter({ ...options, environment: {} });
  }

  inferContext(task: TaskInput): TaskContext {
    const inferred = inferTaskContext({ description: task.description, files: [...(task.files ?? [])] }).context;
    if (task.context === undefined) return inferred;
    return validate(taskContextSchema, { ...inferred, ...task.context }, 'TaskInput.context');
  }

  /**
   * Routes one decision. `arm` is the A/B arm the session was assigned to (`LearningRuntime.decide`): a
   * learned-arm session whose model fell back to the rules still counts for the learned arm (intention to treat —
   * the arms stay the randomised groups, and the learned arm bears its own fallbacks). Outside ab_test it is the
   * policy that acted.
   */
  decide(input: PolicyInput, routing: Routing): Decision & { arm: 'rules' | 'learned'; fallbackReason?: string } {
    const route = this.router.route(input, routing);
    const arm = route.assignment ?? route.arm;
    return route.fallbackReason === undefined ? { ...route.decision, arm } : { ...route.decision, arm, fallbackReason: route.fallbackReason };
  }

  setModel(artifact: ModelArtifact | null): void {
    this.router.setModel(artifact);
  }

  setCandidate(artifact: ModelArtifact | null): void {
    this.router.setCandidate(artifact);
  }

  setExplorationBoost(boost: { models: readonly string[]; epsilon: number } | null): void {
    this.router.setExplorationBoost(boost);
  }

  modelFailed(error: unknown): void {
    this.router.modelFailed(error);
  }

  get modelVersion(): string | null {
    return this.router.modelVersion;
  }

  report(): Record<string, unknown> {
    return this.router.report();
  }
}
