import { z } from 'zod';
import { validate } from '@orchestra/learning-types';

/** One multilayer perceptron: ReLU hidden layers of the given sizes. */
export const networkConfigSchema = z.object({
  hiddenSizes: z.array(z.number().int().positive().max(4096)).min(1).max(8).default([256, 128]),
  activation: z.literal('relu').default('relu'),
});
export type NetworkConfig = z.infer<typeof networkConfigSchema>;

/** Adam settings. The learning rate is recommended within 1e-4 … 1e-3. */
export const optimizerConfigSchema = z.object({
  name: z.literal('adam').default('adam'),
  learningRate: z.number().positive().max(0.1).default(7e-4),
  /** Learning rate of the critic; the actor's when omitted. */
  criticLearningRate: z.number().positive().max(0.1).optional(),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  /** Gradient-norm clip of each network (actor and critic separately); `null` disables it. */
  maxGradientNorm: z.number().positive().nullable().default(0.5),
});
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;

/** Online A2C rollout settings: `environments × nSteps` transitions make one update. */
export const a2cConfigSchema = z.object({
  /** Environments stepped together. */
  environments: z.number().int().positive().max(1024).default(16),
  /** Steps per environment between updates (n-step returns). */
  nSteps: z.number().int().positive().max(1024).default(8),
  gamma: z.number().min(0).max(1).default(0.99),
  /** Standardise advantages within each update batch. */
  normalizeAdvantage: z.boolean().default(false),
});
export type A2cConfig = z.infer<typeof a2cConfigSchema>;

/** Offline / off-policy training from logged experiences. */
export const offlineConfigSchema = z.object({
  epochs: z.number().int().positive().max(100_000).default(50),
  /** Most recent share of the experiences (by timestamp) held out for validation and early stopping. */
  validationFraction: z.number().gt(0).lt(1).default(0.2),
  /** Stop after this many epochs without a better validation loss; the best weights are kept. */
  earlyStoppingPatience: z.number().int().positive().default(5),
  /** Freeze the critic (at its best weights) after this many epochs without a better validation value loss. */
  criticPatience: z.number().int().positive().default(2),
  /**
   * `importance-weighted`: ρ·A·∇log π with ρ = clip(π/μ); `advantage-weighted`: exp(A/β)·∇log π (AWR);
   * `q-distillation`: fit a reward model Q(s, a), improve each logged action by coordinate ascent on Q (one head at a
   * time, `improvementRounds` rounds), then behaviour-clone the improved actions.
   */
  objective: z.enum(['importance-weighted', 'advantage-weighted', 'q-distillation']).default('importance-weighted'),
  /** `q-distillation`: hidden ReLU layers of the reward model Q(s, a). */
  rewardModelHiddenSizes: z.array(z.number().int().positive().max(4096)).min(1).max(8).default([128, 64]),
  /**
   * `q-distillation`: what the reward model predicts. `decomposed` (the outcome critic): the success probability and
   * each reward component, summed through the reward's own weights; `total`: the normalised total reward.
   */
  rewardModelTarget: z.enum(['decomposed', 'total']).default('decomposed'),
  /**
   * `q-distillation`: the critic. `linear` (default): a Bayesian linear model factorised over the action heads (see
   * `fitLinearCritic`), whose posterior bounds every predicted gain; `joint`: an ensemble of networks of the state and
   * the action's one-hot (`rewardModel*` settings).
   */
  rewardModelStructure: z.enum(['linear', 'joint']).default('linear'),
  /**
   * `linear` critic: share of the training rows (every k-th by time) that fit the deploy gate's critic instead of the
   * critic that chooses the improved actions; each of the gate's two cross-fitted critics also gets the validation rows
   * of the other fold. 0 = validation rows only.
   */
  gateShare: z.number().min(0).max(0.9).default(0.5),
  /**
   * `linear` critic: which logs the deploy gate values the candidate on. `independent` (default): every row whose
   * reward the candidate's choice never saw — the held-out rows and the gate's `gateShare` of the training rows —
   * each valued by the cross-fitted gate critic of the other fold (3× the rows of `held-out` at the defaults, so an
   * interval √3 narrower from sampling); `held-out`: the most recent `validationFraction` only.
   */
  gateEvaluation: z.enum(['independent', 'held-out']).default('independent'),
  /**
   * `linear` critic: ridge penalty of how each choice's effect varies with the context (the ψ(s) terms other than
   * the constant), relative to `criticEffectRidge` / `gateCriticEffectRidge` for the choice's main effect. Above 1,
   * thin logs estimate the main effects first and let them depend on the task only as the evidence grows. Several
   * values: the critic takes the one of highest model evidence on its training rows (the gate's critic the same).
   */
  criticContextRidgeFactor: z.union([z.number().positive(), z.array(z.number().positive()).min(1).max(8)]).default([1, 4, 16, 64]),
  /**
   * `linear` critic: ridge penalty of the gate's critic. Stronger than the chooser's: it shrinks every estimated gain
   * toward 0 (so the gate errs toward refusing) and narrows the posterior it adds to the gate's interval.
   */
  gateCriticEffectRidge: z.number().positive().default(32),
  /**
   * `linear` critic: ridge penalty of each choice's effect (the prior's weight, in sessions, of "no effect"). Several
   * values: the critic takes the one of highest model evidence (jointly with `criticContextRidgeFactor`).
   */
  criticEffectRidge: z.union([z.number().positive(), z.array(z.number().positive()).min(1).max(8)]).default(8),
  /**
   * `linear` critic: `rules` stratifies every choice's effect by the default rules' choice of its head in the state
   * (`strata` of `fitLinearCritic`): a choice has one effect where the rules make it themselves and another where
   * they choose something else, instead of one pooled over both (measured on the default world at 10,000 sessions:
   * the executor's move to gpt-5.2-codex, which the rules reserve for hard tasks, was predicted +8.35 and measured
   * −11.58 with pooled effects). `none` (default): one effect pooled over both. Needs a model catalog the default
   * rules can act in (else it is `none`). The demo stratifies every run: in its full loop on never-run seeds it ended
   * above the rules in 9 of 9 runs of 10,000 sessions against 3 of 6 pooled, and at 2,000 sessions (seeds 124–129, 30
   * runs) gained as much in sum with none below the rules against one. The default stays pooled: on the real outcome
   * tables of `@orchestra/learning-replay`'s bench the stratified critic measured lower wherever it changed anything
   * (trainer README, "Effects stratified by the rules' choice").
   */
  criticStrata: z.enum(['none', 'rules']).default('none'),
  /**
   * `q-distillation` with the linear critic: reward components fitted as separate parts (each inner list one part;
   * the components no list names form the last), e.g. `[['outcome', 'tests', 'userSatisfaction', 'safety']]`
   * separates what the task's outcome decides from how the session ran (time, cost, errors, model-tier terms),
   * which is nearly noiseless given the action; the last part's prior is then chosen by its evidence. Default `[]`
   * (one model of the total): measured, the parts find larger gains on some worlds (reshuffled-9: +17.6 and +20.3
   * instead of +11.4 and +14.5) but, their prior weaker than the outcome part's, trade success for cost on others
   * (default world at 1,300 sessions: −7.6 and −9.5, success −4 points).
   */
  criticRewardParts: z.array(z.array(z.string().min(1)).min(1)).max(8).default([]),
  /** Multipliers of the effect ridge each reward part's evidence chooses from. */
  criticPartRidgeMultipliers: z.array(z.number().positive()).min(1).max(8).default([0.25, 1, 4, 16]),
  /**
   * `q-distillation` with the linear critic: a change of a head also needs the logs' randomised evidence in the row's
   * cell (head × the rules' choice there × complexity band, narrowed to the row's task type where that type logged
   * both choices often enough; see `buildLocalEvidence`): both choices logged at least this many times and the
   * target's mean reward not below the current one's. 0 (default): no guard; measured in the trainer README.
   */
  evidenceGuardMinimum: z.number().int().min(0).default(0),
  /** `q-distillation`: Adam learning rate of the reward model. */
  rewardModelLearningRate: z.number().positive().max(0.1).default(1e-3),
  /** `q-distillation`: maximum epochs of the reward model (early-stopped on the validation squared error). */
  rewardModelEpochs: z.number().int().positive().max(100_000).default(60),
  /** `q-distillation`: reward models in the ensemble (same rows, different initialisation and minibatch order). */
  rewardModelEnsemble: z.number().int().positive().max(32).default(4),
  /** `q-distillation`: members after the first fit a bootstrap resample of the training rows (epistemic spread). */
  rewardModelBootstrap: z.boolean().default(true),
  /** `q-distillation`: keep random initial weights on the action inputs (a random prior per member) instead of zeros. */
  rewardModelRandomPrior: z.boolean().default(true),
  /** `q-distillation`: an action is scored by the ensemble's mean − this × its standard deviation (pessimism off the data). */
  rewardModelPessimism: z.number().nonnegative().default(2),
  /** `q-distillation`: rounds of coordinate ascent (each may change one head); the data covers actions near the rules. */
  improvementRounds: z.number().int().nonnegative().max(10).default(2),
  /** `q-distillation`: smallest gain of Q (normalised reward) for which a head is changed. */
  improvementMargin: z.number().nonnegative().default(0.02),
  /**
   * `q-distillation`: where the improvement of a logged row starts: `logged` (the action the logs hold, exploration
   * included) or `rules` (the default rules' greedy action in that state, what the candidate departs from at serving
   * time; falls back to `logged` when the rules cannot act in the action space). Default `logged`: see `maxChangedHeads`.
   */
  improvementStart: z.enum(['logged', 'rules']).default('logged'),
  /**
   * `q-distillation`: most heads an improved action may change from its start (0 = no limit beyond
   * `improvementRounds`). With a limit, each step changes the single head whose gain has the largest lower bound.
   * Changing one head keeps the candidate where the rules' exploration logged actions (it perturbs one head at a
   * time), so the critic's estimate rests on logged evidence rather than on additivity across heads. Default 0:
   * measured with `improvementStart: 'rules'` over 12 untuned world × seed cases at 2,000 sessions, one head lifted
   * the mean learned − rules from +1.3 to +2.2, two heads to +2.2 with one case at −10.8 (a two-head change on
   * cheap-models-strong), but on the default world at 1,300 sessions seed 2 it measured −3.9 where the default
   * measured +3.7: no setting was better on every case.
   */
  maxChangedHeads: z.number().int().nonnegative().max(16).default(0),
  /**
   * `q-distillation`: a move of the approach also tries every team with it, as one move (`jointApproachTeam` of
   * `improveActionsLinear`): from `direct`, whose sessions run the executor alone, no single-head move reaches a team.
   * Default false; the demo turns it on (measured in its full loop on 15 untuned world × seed runs of 2,000 sessions,
   * trainer README), but on this package's synthetic test world it chose the best approach less often.
   */
  improvementJointApproachTeam: z.boolean().default(false),
  /**
   * `q-distillation`: the actor is a residual on the default rules: this bonus is added to the logit of the rules' greedy choice of
   * every head, in training and (through the manifest's `rulesPrior`) at serving time. With little evidence the
   * policy is then the rules, and it departs from them head by head where the targets consistently outweigh the
   * bonus (a trust region to the rules). 0 = the actor alone.
   */
  rulesPrior: z.number().min(0).max(50).default(3),
  /** Upper clip of importance weights π(a|s)/μ(a|s). */
  importanceWeightClip: z.number().positive().default(10),
  /** Temperature β of advantage-weighted regression. */
  advantageTemperature: z.number().positive().default(1),
  /** Upper clip of exp(A/β). */
  advantageWeightClip: z.number().positive().default(20),
  /** Epochs of behaviour cloning of the logged actions before the main objective (0 = none). */
  behaviourCloningEpochs: z.number().int().nonnegative().default(0),
  /** Refuse to train below this many experiences unless `allowFewExperiences`. */
  minimumExperiences: z.number().int().positive().default(50),
  allowFewExperiences: z.boolean().default(false),
  /** Warn below this many experiences. */
  recommendedExperiences: z.number().int().positive().default(200),
  /** Warn when one task type or primary domain makes up more than this share. */
  dominanceShare: z.number().gt(0).max(1).default(0.6),
});
export type OfflineConfig = z.infer<typeof offlineConfigSchema>;

/** Prediction heads (duration, cost, success) trained beside the policy. */
export const predictionConfigSchema = z.object({
  hiddenSizes: z.array(z.number().int().positive().max(4096)).min(1).max(8).default([64]),
  learningRate: z.number().positive().max(0.1).default(1e-3),
});
export type PredictionConfig = z.infer<typeof predictionConfigSchema>;

/**
 * Every hyper-parameter of the trainer, with the seed's defaults: actor and critic MLPs [256, 128] ReLU, Adam,
 * batch 128 (64–128 recommended), learning rate 7e-4 (1e-4 … 1e-3 recommended), entropy bonus, value
 * coefficient, n-step returns over several environments, gamma, and a seed that makes runs reproducible.
 */
export const trainerConfigSchema = z.object({
  seed: z.number().int().nonnegative().default(0),
  actor: networkConfigSchema.prefault({}),
  critic: networkConfigSchema.prefault({}),
  optimizer: optimizerConfigSchema.prefault({}),
  /** Minibatch size of offline training and of prediction heads. */
  batchSize: z.number().int().positive().max(65_536).default(128),
  /** Weight of the entropy bonus (subtracted from the loss). */
  entropyCoefficient: z.number().min(0).default(0.01),
  /** Weight of the critic's squared error. */
  valueCoefficient: z.number().positive().default(0.5),
  a2c: a2cConfigSchema.prefault({}),
  offline: offlineConfigSchema.prefault({}),
  prediction: predictionConfigSchema.prefault({}),
  /**
   * Kernels: WebAssembly SIMD (`wasm-simd`), plain TypeScript (`typescript`) or `auto` (WebAssembly SIMD when
   * available) — the policy runtime's names. Deprecated: `wasm` and `js`, the names before 0.2, still accepted and
   * read as `wasm-simd` and `typescript`.
   */
  backend: z
    .enum(['auto', 'wasm-simd', 'typescript', 'wasm', 'js'])
    .default('auto')
    .transform((backend) => (backend === 'wasm' ? 'wasm-simd' : backend === 'js' ? 'typescript' : backend)),
});
export type TrainerConfig = z.infer<typeof trainerConfigSchema>;
export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;

/** Validates a (partial) configuration and fills in the defaults; throws `ValidationError` naming the bad field. */
export function parseTrainerConfig(input: TrainerConfigInput = {}): TrainerConfig {
  return validate(trainerConfigSchema, input, 'TrainerConfig');
}
