import { describe, expect, it } from 'vitest';
import { ValidationError } from '@orchestra/learning-types';
import { parseTrainerConfig } from './trainer-config';

describe('trainerConfigSchema', () => {
  it('fills in the seed defaults: [256, 128] ReLU actor and critic, Adam, batch 128', () => {
    const config = parseTrainerConfig();
    expect(config.actor).toEqual({ hiddenSizes: [256, 128], activation: 'relu' });
    expect(config.critic).toEqual({ hiddenSizes: [256, 128], activation: 'relu' });
    expect(config.optimizer.name).toBe('adam');
    expect(config.batchSize).toBe(128);
    expect(config.a2c.environments * config.a2c.nSteps).toBe(128);
    expect(config.optimizer.learningRate).toBeGreaterThanOrEqual(1e-4);
    expect(config.optimizer.learningRate).toBeLessThanOrEqual(1e-3);
    expect(config.offline.minimumExperiences).toBe(50);
  });

  it('pools the linear critic unless told to stratify it by the rules’ choices, and refuses another stratification', () => {
    expect(parseTrainerConfig().offline.criticStrata).toBe('none');
    expect(parseTrainerConfig({ offline: { criticStrata: 'rules' } }).offline.criticStrata).toBe('rules');
    expect(() => parseTrainerConfig({ offline: { criticStrata: 'task-type' as 'rules' } })).toThrowError(/offline\.criticStrata/);
  });

  it('keeps nested overrides and names the offending field', () => {
    expect(parseTrainerConfig({ a2c: { nSteps: 5 } }).a2c).toMatchObject({ nSteps: 5, environments: 16 });
    expect(() => parseTrainerConfig({ a2c: { gamma: 1.5 } })).toThrowError(ValidationError);
    expect(() => parseTrainerConfig({ a2c: { gamma: 1.5 } })).toThrowError(/a2c\.gamma/);
  });

  it('names the kernels as the policy runtime does, still reading the deprecated wasm and js', () => {
    expect(parseTrainerConfig().backend).toBe('auto');
    expect(parseTrainerConfig({ backend: 'wasm-simd' }).backend).toBe('wasm-simd');
    expect(parseTrainerConfig({ backend: 'typescript' }).backend).toBe('typescript');
    expect(parseTrainerConfig({ backend: 'wasm' }).backend).toBe('wasm-simd');
    expect(parseTrainerConfig({ backend: 'js' }).backend).toBe('typescript');
    expect(() => parseTrainerConfig({ backend: 'gpu' as 'auto' })).toThrowError(/backend/);
  });
});
