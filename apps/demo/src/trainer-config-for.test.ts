import { parseTrainerConfig } from '@orchestra/learning-trainer';
import { describe, expect, it } from 'vitest';
import { demoTrainerConfig, demoTrainerConfigFor, STRATIFIED_CRITIC_SESSIONS } from './run-demo';

describe('demoTrainerConfigFor', () => {
  it('stratifies the critic by the rules’ choices from 10,000 sessions on, and keeps every other setting', () => {
    expect(demoTrainerConfigFor(2000)).toBe(demoTrainerConfig);
    expect(demoTrainerConfigFor(STRATIFIED_CRITIC_SESSIONS - 1)).toBe(demoTrainerConfig);
    const long = parseTrainerConfig(demoTrainerConfigFor(STRATIFIED_CRITIC_SESSIONS));
    const short = parseTrainerConfig(demoTrainerConfigFor(2000));
    expect(long.offline.criticStrata).toBe('rules');
    expect(short.offline.criticStrata).toBe('none');
    expect({ ...long.offline, criticStrata: 'none' }).toEqual(short.offline);
  });
});
