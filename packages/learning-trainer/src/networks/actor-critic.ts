import type { TrainerConfig } from '../config/trainer-config';
import type { DenseLayerWeights } from './dense-layer-weights';
import type { PolicyHeadLayout } from './factorised-policy';
import { headOffsets } from './factorised-policy';
import { MultilayerPerceptron } from './multilayer-perceptron';
import { SeededRandom } from './seeded-random';

/** What an actor-critic pair is built from. */
export interface ActorCriticOptions {
  stateSize: number;
  /** Sizes of the action heads (CartPole: `[2]`); the actor outputs their concatenated logits. */
  heads: PolicyHeadLayout;
  config: TrainerConfig;
}

/**
 * The seed's two networks: actor (state → hidden ReLU layers → concatenated logits of every action head) and
 * critic (state → hidden ReLU layers → V(s)), each with its own Adam state, sharing one global gradient-norm clip.
 */
export class ActorCritic {
  readonly actor: MultilayerPerceptron;
  readonly critic: MultilayerPerceptron;
  readonly heads: PolicyHeadLayout;
  readonly stateSize: number;
  readonly totalLogits: number;
  private readonly config: TrainerConfig;

  constructor(options: ActorCriticOptions) {
    const { stateSize, heads, config } = options;
    if (!Number.isInteger(stateSize) || stateSize <= 0) throw new RangeError(`stateSize must be a positive integer, got ${stateSize}`);
    if (heads.sizes.length === 0 || heads.sizes.some((size) => !Number.isInteger(size) || size < 1)) {
      throw new RangeError(`heads.sizes must be positive integers, got ${JSON.stringify(heads.sizes)}`);
    }
    const random = new SeededRandom(config.seed);
    this.stateSize = stateSize;
    this.heads = { sizes: [...heads.sizes] };
    this.totalLogits = headOffsets(heads).totalLogits;
    this.config = config;
    this.actor = new MultilayerPerceptron({
      inputSize: stateSize,
      hiddenSizes: config.actor.hiddenSizes,
      outputSize: this.totalLogits,
      seed: random.fork(),
      // A near-zero output layer starts the policy close to uniform, which keeps early A2C updates stable.
      outputScale: 0.01,
      backend: config.backend,
    });
    this.critic = new MultilayerPerceptron({
      inputSize: stateSize,
      hiddenSizes: config.critic.hiddenSizes,
      outputSize: 1,
      seed: random.fork(),
      backend: config.backend,
    });
  }

  /**
   * Clips each network's gradient norm (when configured), then takes one Adam step on both (on the actor only with `updateCritic: false`). The two networks are
   * clipped separately: the critic's squared-error gradient is usually far larger than the actor's and would
   * otherwise shrink the policy step whenever returns are large.
   */
  applyGradients(options: { updateCritic?: boolean } = {}): { actorGradientNorm: number; criticGradientNorm: number } {
    const optimizer = this.config.optimizer;
    const actorGradientNorm = Math.sqrt(this.actor.gradientSquaredNorm());
    this.actor.applyAdam(optimizer.learningRate, optimizer.beta1, optimizer.beta2, optimizer.epsilon, clipScale(actorGradientNorm, optimizer.maxGradientNorm));
    if (options.updateCritic === false) return { actorGradientNorm, criticGradientNorm: 0 };
    const criticGradientNorm = Math.sqrt(this.critic.gradientSquaredNorm());
    this.critic.applyAdam(
      optimizer.criticLearningRate ?? optimizer.learningRate,
      optimizer.beta1,
      optimizer.beta2,
      optimizer.epsilon,
      clipScale(criticGradientNorm, optimizer.maxGradientNorm),
    );
    return { actorGradientNorm, criticGradientNorm };
  }

  /** The actor's layers in the neutral format (for the artifact writer). */
  getActorWeights(): DenseLayerWeights[] {
    return this.actor.getWeights();
  }

  /** The critic's layers in the neutral format (for the artifact writer). */
  getCriticWeights(): DenseLayerWeights[] {
    return this.critic.getWeights();
  }
}

/** The factor that brings a gradient of norm `norm` down to `maximumNorm` (1 when within it or unclipped). */
function clipScale(norm: number, maximumNorm: number | null): number {
  return maximumNorm !== null && norm > maximumNorm ? maximumNorm / (norm + 1e-6) : 1;
}
