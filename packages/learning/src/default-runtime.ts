import { inferTaskContext } from '@orchestra/learning-features/inference';
import { PolicyRouter, type ExplorationWeights, type ModelArtifact, type PolicyRouterOptions } from '@orchestra/learning-policy';
import { taskContextSchema, validate, type Decision, type TaskContext } from '@orchestra/learning-types';
import { ContextInferenceWorker } from './context-inference-worker';
import type { LearningRuntime, PolicyInput, Routing, TaskInput } from './learning-runtime';

/** Options of `DefaultLearningRuntime`: passed to the `PolicyRouter` (mode and fraction come per decision). */
export type DefaultRuntimeOptions = Omit<PolicyRouterOptions, 'mode' | 'environment' | 'learned'> & {
  /** Bulk inference (`inferContexts`) on a worker thread (default: the built worker next to the package; null: none). */
  inferenceWorker?: ContextInferenceWorker | null;
};

/**
 * The runtime `createLearning` uses unless given another: `inferTaskContext` from the features package (known
 * facts in `task.context` win over inferred ones) and the policy package's `PolicyRouter` (rules, learned policy,
 * safety guard, exploration, fallbacks).
 */
export class DefaultLearningRuntime implements LearningRuntime {
  readonly router: PolicyRouter;

  readonly #inference: ContextInferenceWorker | null;

  constructor(options: DefaultRuntimeOptions = {}) {
    const { inferenceWorker, ...routerOptions } = options;
    // The manager passes the mode with every decision; `environment: {}` keeps the router from reading it twice.
    this.router = new PolicyRouter({ ...routerOptions, environment: {} });
    this.#inference = inferenceWorker === undefined ? new ContextInferenceWorker() : inferenceWorker;
  }

  inferContext(task: TaskInput): TaskContext {
    const inferred = inferTaskContext({ description: task.description, files: [...(task.files ?? [])] }).context;
    if (task.context === undefined) return inferred;
    return validate(taskContextSchema, { ...inferred, ...task.context }, 'TaskInput.context');
  }

  /** `inferTaskContext` of each task, on the inference worker thread when there is one (see `ContextInferenceWorker`). */
  inferContexts(tasks: readonly { description: string; files: readonly string[] }[]): Promise<TaskContext[]> {
    if (this.#inference === null) return Promise.resolve(tasks.map((task) => this.inferContext(task)));
    return this.#inference.infer(tasks);
  }

  async close(): Promise<void> {
    await this.#inference?.close();
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

  setExplorationWeights(weights: Readonly<Record<string, Readonly<Record<string, number>>>> | null): void {
    this.router.setExplorationWeights(weights as ExplorationWeights | null);
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
