import type { Tracer } from '@opentelemetry/api';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { CatalogModel, LearningMode } from '@orchestra/learning-types';
import type { LoadConfigOptions } from './config';
import type { CandidateModel, DeployedModel, DriftEvent, LearningState } from './learning-state';
import type { ExperienceSink, LearningRuntime } from './learning-runtime';
import type { GuardrailVerdict } from './rollout';
import type { ModuleImporter } from './trainer-loader';

/** Options of `createLearning` / `LearningManager.open`: configuration sources plus the pluggable parts. */
export interface CreateLearningOptions extends Omit<LoadConfigOptions, 'overrides'> {
  /** Data directory (wins over config file and `ORCHESTRA_DATA_DIR`). */
  dataDir?: string;
  /** Learning mode pinned for this process (wins over the persisted state, the environment and the config file). */
  mode?: LearningMode;
  /** Other configuration values that win over the config file. */
  config?: LoadConfigOptions['overrides'];
  /** The policy side (context inference + routing + learned model); default `DefaultLearningRuntime`. */
  runtime?: LearningRuntime;
  /** The collector side (experience building and storage); default `CollectorSink` over `<dataDir>/experience_buffer`. */
  sink?: ExperienceSink;
  /** Replaces the dynamic import of the trainer (tests). */
  importModule?: ModuleImporter;
  /**
   * The orchestrator's own model catalog (wins over `models` of the config file); see `learningConfigSchema.models`.
   * Default: the features package's default catalog.
   */
  models?: CatalogModel[];
  /**
   * Worker threads of `ingestFile`: with the default sink (a JSONL buffer), runtime and clock, and
   * `keepExperiences: false`, a session file's records are validated and built on them, and this thread only splits
   * the file and stores the lines (`IngestWorkerPool`), for files of at least `minFileBytes` (default 32 MiB: below
   * it the workers' start-up costs more than they save). Default: the built worker module, one worker per processor
   * (at most 4); `file` another module (tests); `null`: everything on this thread.
   */
  ingestWorkers?: { file?: URL | string; size?: number; minFileBytes?: number } | null;
  /** Where the store's warnings go (a PostgreSQL store failing over to the local buffer); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /**
   * The OpenTelemetry tracer of the `orchestra.decide` spans (default: the global one of `@opentelemetry/api`, a no-op
   * unless the application registered an SDK).
   */
  tracer?: Tracer;
  /**
   * Clock in milliseconds since the epoch (default `Date.now`): the timestamp of every recorded experience (which the
   * time-decayed history features read), of history observations and of state events. A simulation passes a
   * simulated clock so that nothing it decides depends on the wall clock. A custom `sink` keeps its own clock.
   */
  clock?: () => number;
  /**
   * The reward of recorded sessions and of training (weights, caps; the reward package's `RewardConfigInput`). The
   * catalog's tiers are added to it (`models`) unless it lists models itself. Default: the reward package's defaults.
   * A replay of outcome tables sets a linear cost term here (`cost.perUsd`); a custom `sink` keeps its own reward.
   */
  reward?: RewardConfigInput;
}

/** What `orchestra learning` prints. */
export interface LearningStatus {
  dataDir: string;
  mode: LearningMode;
  modeSource: 'default' | 'config-file' | 'state-file' | 'environment' | 'option';
  abFraction: number;
  deployed: DeployedModel | null;
  /** The exploration candidate acting on a share of shadow sessions, or null. */
  candidate: CandidateModel | null;
  /** The rules' exploration weights set by the last `improve` (`adaptiveExploration`), or null (uniform). */
  exploration: LearningState['exploration'];
  previous: DeployedModel[];
  abTest: LearningState['abTest'] & { guardrails: GuardrailVerdict; productionAllowedAfter: number };
  events: LearningState['events'];
  /** Changes the drift detection found (persisted) and the exploration boost in force in this process. */
  drift: { events: DriftEvent[]; explorationBoost: { model: string; epsilon: number; untilSession: number }[] };
  /** Why the deployed model is not served (its copy failed verification on load), or null. */
  modelError: { reason: string; message: string } | null;
  runtime?: Record<string, unknown>;
}
