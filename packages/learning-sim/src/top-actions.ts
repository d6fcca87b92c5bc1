import { timeoutMultiplierBins } from '@orchestra/learning-features';
import { approaches, retryStrategies, safetyLevels } from '@orchestra/learning-types';
import { forEachSetting, type ActionChoice } from './action-grid';

/** One screened action: its head indices and the closed-form estimate of its expected reward. */
export interface ScreenedAction {
  choice: ActionChoice;
  score: number;
}

/** The `keep` best scores seen so far and their packed choices. */
export class TopActions {
  private readonly scores: Float64Array;
  private readonly codes: Float64Array;
  private worstSlot = 0;
  private worstScore = -Infinity;

  constructor(
    keep: number,
    private readonly modelCount: number,
  ) {
    this.scores = new Float64Array(keep).fill(-Infinity);
    this.codes = new Float64Array(keep).fill(-1);
  }

  offer(score: number, choice: Readonly<ActionChoice>): void {
    if (!(score > this.worstScore)) return;
    this.scores[this.worstSlot] = score;
    this.codes[this.worstSlot] = encodeChoice(choice, this.modelCount);
    this.worstSlot = slotOfMinimum(this.scores);
    this.worstScore = this.scores[this.worstSlot] as number;
  }

  /** The kept actions, best first. */
  best(): ScreenedAction[] {
    const result: ScreenedAction[] = [];
    for (let slot = 0; slot < this.scores.length; slot += 1) {
      if ((this.codes[slot] as number) < 0) continue;
      result.push({ choice: decodeChoice(this.codes[slot] as number, this.modelCount), score: this.scores[slot] as number });
    }
    return result.sort((left, right) => right.score - left.score);
  }
}

/**
 * Scores of direct actions per (executor, timeout, retry, safety): a direct session ignores the team, so the empty
 * team's scores are recorded once and offered again for every other team.
 */
export class DirectScores {
  private readonly scores: Float64Array;

  constructor(modelCount: number) {
    this.scores = new Float64Array(modelCount * timeoutMultiplierBins.length * retryStrategies.length * safetyLevels.length);
  }

  private slot(choice: Readonly<ActionChoice>): number {
    return ((choice.executor * timeoutMultiplierBins.length + choice.timeout) * retryStrategies.length + choice.retry) * safetyLevels.length + choice.safety;
  }

  record(choice: Readonly<ActionChoice>, score: number): void {
    this.scores[this.slot(choice)] = score;
  }

  /** Offers every recorded direct score of `choice.executor` to `top`, walking `choice` over the settings. */
  offerAll(top: TopActions, choice: ActionChoice): void {
    choice.parallelism = 1;
    forEachSetting(choice, (setting) => top.offer(this.scores[this.slot(setting)] as number, setting));
  }
}

function slotOfMinimum(values: Float64Array): number {
  let slot = 0;
  for (let index = 1; index < values.length; index += 1) if ((values[index] as number) < (values[slot] as number)) slot = index;
  return slot;
}

/** Packs head indices into one number (mixed radix; exact in a double for catalogs of any realistic size). */
function encodeChoice(choice: Readonly<ActionChoice>, modelCount: number): number {
  let code = choice.team;
  code = code * modelCount + choice.executor;
  code = code * modelCount + choice.architect;
  code = code * modelCount + choice.auditor;
  code = code * modelCount + choice.consultant;
  code = code * approaches.length + choice.approach;
  code = code * 4 + (choice.parallelism - 1);
  code = code * timeoutMultiplierBins.length + choice.timeout;
  code = code * retryStrategies.length + choice.retry;
  return code * safetyLevels.length + choice.safety;
}

function decodeChoice(code: number, modelCount: number): ActionChoice {
  let rest = code;
  const take = (radix: number) => {
    const value = rest % radix;
    rest = (rest - value) / radix;
    return value;
  };
  const safety = take(safetyLevels.length);
  const retry = take(retryStrategies.length);
  const timeout = take(timeoutMultiplierBins.length);
  const parallelism = take(4) + 1;
  const approach = take(approaches.length);
  const consultant = take(modelCount);
  const auditor = take(modelCount);
  const architect = take(modelCount);
  const executor = take(modelCount);
  return { team: rest, executor, architect, auditor, consultant, approach, parallelism, timeout, retry, safety };
}
