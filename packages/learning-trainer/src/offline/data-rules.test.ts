import { describe, expect, it } from 'vitest';
import { parseTrainerConfig } from '../config/trainer-config';
import { checkDataRules, summariseExperiences } from './data-rules';
import { InsufficientExperiencesError } from './insufficient-experiences-error';
import { syntheticExperiences } from './test-support/synthetic-experiences';

const rules = parseTrainerConfig({}).offline;

describe('data rules', () => {
  it('warns when the rewards were scored by more than one definition, with the counts of each', () => {
    const experiences = syntheticExperiences({ count: 300, seed: 3, exploration: 0.3, stateSize: 15 }).map((experience, index) => ({
      ...experience,
      reward: { ...experience.reward, kind: index < 200 ? ('outcome' as const) : ('session' as const), configVersion: '0a1b2c3d' },
    }));
    const one = checkDataRules(summariseExperiences(experiences.slice(0, 200)), rules);
    expect(one.some((warning) => warning.code === 'mixed-reward-definitions')).toBe(false);
    const mixed = checkDataRules(summariseExperiences(experiences), rules).find((warning) => warning.code === 'mixed-reward-definitions');
    expect(mixed?.message).toContain('outcome/0a1b2c3d ×200, session/0a1b2c3d ×100');
  });

  it('refuses too few experiences unless allowed', () => {
    const experiences = syntheticExperiences({ count: 20, seed: 4, exploration: 0.3, stateSize: 15 });
    expect(() => checkDataRules(summariseExperiences(experiences), rules)).toThrow(InsufficientExperiencesError);
    expect(checkDataRules(summariseExperiences(experiences), { ...rules, allowFewExperiences: true }).map((warning) => warning.code)).toContain('few-experiences');
  });
});
