import { ActionSpace } from '@orchestra/learning-features';
import { actionSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { choiceToAction, countActions, forEachActionChoice, worldCatalog } from './action-grid';
import { defaultWorld } from './default-world';

describe('the discrete action grid', () => {
  it('enumerates every valid action once: 315,000 for four models', () => {
    expect(countActions(defaultWorld)).toBe(315_000);
    const seen = new Set<number>();
    forEachActionChoice(defaultWorld, (choice) => {
      // A direct session ignores parallelism; every other head combination must be distinct.
      let code = choice.team;
      for (const value of [choice.executor, choice.architect, choice.auditor, choice.consultant]) code = code * 4 + value;
      for (const [value, radix] of [[choice.approach, 4], [choice.parallelism - 1, 4], [choice.timeout, 7], [choice.retry, 3], [choice.safety, 3]] as const) {
        code = code * radix + value;
      }
      seen.add(code);
      if (choice.approach < 2) expect(choice.parallelism).toBe(1);
    });
    expect(seen.size).toBe(315_000);
  });

  it('produces valid actions encoded by the features ActionSpace with the same head indices', () => {
    const space = new ActionSpace(worldCatalog(defaultWorld));
    let checked = 0;
    let position = 0;
    forEachActionChoice(defaultWorld, (choice) => {
      position += 1;
      if (position % 499 !== 0) return;
      const action = choiceToAction(defaultWorld, choice);
      expect(actionSchema.safeParse(action).success).toBe(true);
      const indices = Array.from(space.encode(action));
      expect(indices).toEqual([
        choice.approach,
        choice.parallelism - 1,
        choice.timeout,
        choice.retry,
        choice.safety,
        choice.team,
        choice.architect,
        choice.executor,
        choice.auditor,
        choice.consultant,
      ]);
      checked += 1;
    });
    expect(checked).toBeGreaterThan(600);
  });
});
