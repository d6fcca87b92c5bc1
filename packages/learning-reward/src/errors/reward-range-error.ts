import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraRewardRangeError';

/** A reward lies outside the bounds it is being normalised with (the two come from different configurations). */
export class RewardRangeError extends OrchestraError {
  readonly total: number;
  readonly bounds: { min: number; max: number };

  constructor({ total, bounds }: { total: number; bounds: { min: number; max: number } }) {
    super({
      name,
      code: 'ORCHESTRA_REWARD_RANGE',
      message: `Reward ${total} lies outside its bounds [${bounds.min}, ${bounds.max}]; it was computed with another reward configuration.`,
    });
    this.total = total;
    this.bounds = bounds;
  }

  static override isInstance(error: unknown): error is RewardRangeError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
