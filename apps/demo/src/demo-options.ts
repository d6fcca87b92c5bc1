import { parseArgs } from 'node:util';
import { OrchestraError, safeValidate } from '@orchestra/learning-types';
import { z } from 'zod';

/** The demo's options (flags of `pnpm demo`), validated with zod. */
export const demoOptionsSchema = z.object({
  /** A world JSON file (validated by the simulator's schema); absent: the default world. */
  world: z.string().min(1).optional(),
  /** Total budget of simulated sessions, every phase counted (shadow, A/B, production). */
  sessions: z.number().int().min(200).max(200_000).default(2000),
  /** Seed of everything random (tasks, sessions, exploration, training). */
  seed: z.number().int().nonnegative().default(1),
  /** Print only the JSON summary (the contract other tools read). */
  json: z.boolean().default(false),
  /** Data directory (must be empty or absent); default: a fresh temporary directory. */
  dataDir: z.string().min(1).optional(),
  /** Fresh held-out tasks of the final evaluation (the same for every policy). */
  evaluationTasks: z.number().int().min(20).max(50_000).default(1000),
  /** Share of the budget spent in the shadow phase (rules with exploration). */
  shadowShare: z.number().gt(0).lt(1).default(0.25),
  /** Retrain after this many sessions since the last training (default: a fifth of the budget, at least 400). */
  retrainEvery: z.number().int().min(50).optional(),
  /**
   * `--relook-every N`: sessions between re-looks at the exploration candidate between trainings
   * (`LearningManager.relook`, `relookEvery` of the library's schedule); 0: it is looked at only when a training runs.
   * Default: a quarter of the retraining period (100 at 2,000 sessions). Measured with `--relook-logs` on 15 never-run
   * 2,000-session cases against neither: 6 of 15 beat the rules with a CI above 0 instead of 3 (README, "Re-looks
   * between trainings").
   */
  relookEvery: z.number().int().min(0).optional(),
  /**
   * `--relook-logs N`: the fresh logs over which a candidate's re-looks spend their error by information fraction
   * (`relookLogs` of `@orchestra/learning`); 0: by look index. Default: three retraining periods (1,200 at 2,000
   * sessions), what three looks at trainings used to see.
   */
  relookLogs: z.number().int().min(0).optional(),
  /** ε of the rules' exploration in shadow and A/B (one head redrawn; exact propensities). */
  exploration: z.number().min(0).max(1).default(0.3),
  /**
   * Share of shadow sessions on which the exploration candidate acts (a trained model the gate did not find worse than
   * the rules; see `candidateShare` of `@orchestra/learning`), so that `improve` can re-look at it on logs that support
   * its actions; with a share, only such a re-look deploys. Default 0.5 (measured against 0.25 and 0: README); 0 —
   * the library's default — leaves the rules acting on every shadow session and the gate at training as the only gate.
   */
  candidateShare: z.number().min(0).max(0.5).default(0.5),
  /**
   * `--adaptive-exploration on|off`: after each training the rules' exploration weighs its alternatives by the critic
   * (`adaptiveExploration` of `@orchestra/learning`). Default (`adaptiveExplorationFor`): on for runs of
   * `ADAPTIVE_EXPLORATION_FROM` sessions or more, off below (README, "Exploration weighted by the critic").
   */
  adaptiveExploration: z.enum(['on', 'off']).optional(),
  /**
   * `--gate-error-budget candidate|run`: the deploy gate's error rate per exploration candidate (5 % one-sided each),
   * or over the whole run (`gateErrorBudget` of `@orchestra/learning`). Per candidate by default: over 4 never-run
   * 10,000-session cases the run's budget avoided no bad deployment and lost one true one (README, "The deploy gate's error budget").
   */
  gateErrorBudget: z.enum(['candidate', 'run']).default('candidate'),
  /**
   * `--exploration-design one|factorial`: an explored session (the rules' and the learned policy's) changes one
   * decision, or is factorial — every decision moves with probability `switchProbability` (`ExplorationDesign` of
   * `@orchestra/learning-policy`; exact propensities either way). One by default: over 30 never-run 2,000-session
   * cases factorial ended lower summed, and it served 6.0 points less per session while it explored (README,
   * "Factorial exploration").
   */
  explorationDesign: z.enum(['one', 'factorial']).default('one'),
  /** `--switch-probability Q`: a decision's probability of moving in a factorial session (default 0.35). */
  switchProbability: z.number().gt(0).max(1).default(0.35),
  /** Compute the oracle in a worker thread (the second core) while the learning loop runs. */
  oracleWorker: z.boolean().default(true),
  /**
   * How the deployed learned policy acts: `argmax` with ε-exploration (`learnedExploration`, by default the rules'
   * ε; exact propensities), or `sample` from its softmax. Code-only (bench experiments).
   */
  learnedSelection: z.enum(['argmax', 'sample']).default('argmax'),
  /**
   * ε of the learned policy's own exploration around its argmax (`learnedSelection: 'argmax'`), as an exploration
   * candidate and deployed; the gate judges its greedy decisions (as it judges the rules'). Default: `exploration` (the rules'; 0 and 0.1 measured against it:
   * README).
   */
  learnedExploration: z.number().min(0).max(1).optional(),
  /** Learned sessions per A/B ramp step (default: max(20, sessions / 100)); production needs 5 × that. Code-only. */
  sessionsPerStep: z.number().int().min(1).optional(),
  /**
   * Simulated time between the ends of two sessions (ms), which experience timestamps and so the history's decay
   * follow; default: each session's own simulated duration (sessions run one after another). Code-only (experiments).
   */
  sessionSpacingMs: z.number().nonnegative().finite().optional(),
  /**
   * Online drift detection and its responses (`--drift on|off|auto`): `auto` (default) turns it on when the world
   * schedules changes, so the default world's figures stay those of a run without it.
   */
  drift: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Trainer settings merged over the demo's (`--trainer-config JSON`, for experiments; validated by the trainer). */
  trainerConfig: z.record(z.string(), z.unknown()).optional(),
});
export type DemoOptions = z.infer<typeof demoOptionsSchema>;
export type DemoOptionsInput = z.input<typeof demoOptionsSchema>;

/**
 * Runs of this many sessions or more weigh the rules' exploration by the critic unless told otherwise. Over 25
 * never-run 10,000-session runs the weights ended better in 14 and worse in 5 (the default world 58.9 % and 55.2 % of
 * the gap on seeds 144–145 against 45.6 % and 45.8 %, but the rules on seed 146 against 30.3 %); at 2,000 sessions,
 * where the first weights come from a critic of 500 sessions, they did not end better in two sets (README,
 * "Exploration weighted by the critic").
 */
export const ADAPTIVE_EXPLORATION_FROM = 10_000;

/** Whether a run of `sessions` sessions weighs its exploration by the critic: `--adaptive-exploration`, else by budget. */
export function adaptiveExplorationFor(flag: DemoOptions['adaptiveExploration'], sessions: number): boolean {
  return (flag ?? (sessions >= ADAPTIVE_EXPLORATION_FROM ? 'on' : 'off')) === 'on';
}

/** A bad flag or flag value; the message is one line meant for the terminal. */
export class DemoArgumentError extends OrchestraError {
  readonly flag: string;

  constructor({ flag, message, cause }: { flag: string; message: string; cause?: unknown }) {
    super({ name: 'DemoArgumentError', code: 'ORCHESTRA_DEMO_ARGUMENT', message, cause });
    this.flag = flag;
  }

  static override isInstance(error: unknown): error is DemoArgumentError {
    return OrchestraError.isInstance(error) && (error as Error).name === 'DemoArgumentError';
  }
}

/** The help text of `pnpm demo --help`. */
export const demoHelp = `Usage: pnpm demo [-- options]

End-to-end demo: shadow phase (rules explore) → offline A2C training → off-policy evaluation vs the rules →
A/B ramp 10/25/50/100 % → production with periodic retraining → held-out evaluation of rules, learned policy and
oracle on the same fresh tasks; writes report.html and summary.json into the data dir.

Options:
  --world FILE          world JSON (validated by @orchestra/learning-sim); default: the built-in default world
  --sessions N          total simulated sessions, every phase counted (default 2000)
  --seed S              seed of everything random (default 1)
  --json                print only the JSON summary
  --data-dir DIR        data directory (empty or absent; default: a new temporary directory)
  --eval-tasks N        held-out tasks of the final evaluation (default 1000)
  --exploration E       rules' ε in shadow and A/B (default 0.3)
  --learned-exploration E  the learned policy's ε around its argmax, exploring and deployed (default: --exploration)
  --retrain-every N     sessions between retrainings (default: sessions / 5, within 400..1000)
  --relook-every N      sessions between re-looks at the exploration candidate between trainings (0: only at trainings; default: retrain period / 4)
  --relook-logs N       fresh logs over which a candidate's re-looks spend their error by information (0: by look index; default: 3 retrain periods)
  --exploration-design one|factorial  an explored session changes one decision, or each with --switch-probability (default one)
  --switch-probability Q  a decision's probability of moving in a factorial explored session (default 0.35)
  --candidate-share F   share of shadow (and, for a challenger, production) sessions the exploration candidate acts on (0..0.5, default 0.5)
  --trainer-config JSON trainer settings merged over the demo's (experiments), e.g. '{"offline":{"validationFraction":0.4}}'
  --drift on|off|auto   online drift detection and response (default auto: on when the world schedules changes)
  --no-oracle-worker    compute the oracle on the main thread
  -h, --help            this text
`;

function toNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new DemoArgumentError({ flag, message: `--${flag} expects a number, got "${value}"` });
  return number;
}

function toJsonObject(flag: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new DemoArgumentError({ flag, message: `--${flag} expects a JSON object: ${(error as Error).message}`, cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DemoArgumentError({ flag, message: `--${flag} expects a JSON object, got ${value.slice(0, 40)}` });
  return parsed as Record<string, unknown>;
}

/** Parses `argv` (without node and the script); returns null for `--help`. Throws `DemoArgumentError`. */
export function parseDemoArguments(argv: readonly string[]): DemoOptions | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.filter((argument) => argument !== '--'),
      options: {
        world: { type: 'string' },
        sessions: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'eval-tasks': { type: 'string' },
        exploration: { type: 'string' },
        'retrain-every': { type: 'string' },
        'relook-every': { type: 'string' },
        'relook-logs': { type: 'string' },
        'learned-exploration': { type: 'string' },
        'candidate-share': { type: 'string' },
        'trainer-config': { type: 'string' },
        'no-oracle-worker': { type: 'boolean' },
        drift: { type: 'string' },
        'adaptive-exploration': { type: 'string' },
        'gate-error-budget': { type: 'string' },
        'exploration-design': { type: 'string' },
        'switch-probability': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new DemoArgumentError({ flag: '', message: (error as Error).message, cause: error });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return null;
  const input: Record<string, unknown> = {
    world: values.world,
    sessions: toNumber('sessions', values.sessions as string | undefined),
    seed: toNumber('seed', values.seed as string | undefined),
    json: values.json,
    dataDir: values['data-dir'],
    evaluationTasks: toNumber('eval-tasks', values['eval-tasks'] as string | undefined),
    exploration: toNumber('exploration', values.exploration as string | undefined),
    retrainEvery: toNumber('retrain-every', values['retrain-every'] as string | undefined),
    relookEvery: toNumber('relook-every', values['relook-every'] as string | undefined),
    relookLogs: toNumber('relook-logs', values['relook-logs'] as string | undefined),
    learnedExploration: toNumber('learned-exploration', values['learned-exploration'] as string | undefined),
    candidateShare: toNumber('candidate-share', values['candidate-share'] as string | undefined),
    trainerConfig: toJsonObject('trainer-config', values['trainer-config'] as string | undefined),
    oracleWorker: values['no-oracle-worker'] === true ? false : undefined,
    drift: values.drift,
    adaptiveExploration: values['adaptive-exploration'],
    gateErrorBudget: values['gate-error-budget'],
    explorationDesign: values['exploration-design'],
    switchProbability: toNumber('switch-probability', values['switch-probability'] as string | undefined),
  };
  return validateDemoOptions(input);
}

/** Validates options given in code (fills in defaults); throws `DemoArgumentError` naming the field. */
export function validateDemoOptions(input: DemoOptionsInput | Record<string, unknown>): DemoOptions {
  const result = safeValidate(demoOptionsSchema, input, 'demo options');
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DemoArgumentError({ flag: result.error.field, message: `invalid option ${result.error.field}: ${issue?.message ?? 'invalid'}`, cause: result.error });
  }
  return result.value;
}

/** How the learned policy acts — as exploration candidate, deployed, and as the gate judges it (one place). */
export function learnedServing(options: DemoOptions): { selection: 'argmax'; epsilon: number } | { selection: 'sample' } {
  return options.learnedSelection === 'argmax' ? { selection: 'argmax', epsilon: options.learnedExploration ?? options.exploration } : { selection: 'sample' };
}

/** The learned policy's ε in force (`settings.learnedExploration`); null when it samples from its softmax. */
export function servedEpsilonOf(options: DemoOptions): number | null {
  const served = learnedServing(options);
  return served.selection === 'argmax' ? served.epsilon : null;
}

/** The exploration design of the rules and the learned policy (`ExplorationDesign` of `@orchestra/learning-policy`). */
export function explorationDesignOf(options: DemoOptions): { share: number; switchProbability: number } {
  return { share: options.explorationDesign === 'factorial' ? 1 : 0, switchProbability: options.switchProbability };
}
