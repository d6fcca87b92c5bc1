import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLearningConfig, parseLearningMode } from './config';
import { LearningConfigError } from './errors';

async function directoryWith(config?: unknown): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'learning-config-'));
  if (config !== undefined) await writeFile(join(directory, 'orchestra.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return directory;
}

describe('loadLearningConfig', () => {
  it('defaults to disabled mode and ./data under the working directory', async () => {
    const cwd = await directoryWith();
    const config = loadLearningConfig({ cwd, env: {} });
    expect(config.mode).toBe('disabled');
    expect(config.modeSource).toBe('default');
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.rollout.rampSteps).toEqual([0.1, 0.25, 0.5, 1]);
  });

  it('reads orchestra.config.json, then lets the environment and explicit options win', async () => {
    const cwd = await directoryWith({ mode: 'shadow', dataDir: 'from-file', rollout: { sessionsPerStep: 7 } });
    expect(loadLearningConfig({ cwd, env: {} })).toMatchObject({ mode: 'shadow', modeSource: 'config-file', dataDir: join(cwd, 'from-file') });
    const fromEnvironment = loadLearningConfig({ cwd, env: { ORCHESTRA_LEARNING_MODE: 'ab_test', ORCHESTRA_DATA_DIR: '/tmp/x' } });
    expect(fromEnvironment).toMatchObject({ mode: 'ab_test', modeSource: 'environment', dataDir: '/tmp/x' });
    expect(fromEnvironment.rollout.sessionsPerStep).toBe(7);
    const fromOption = loadLearningConfig({ cwd, env: { ORCHESTRA_LEARNING_MODE: 'ab_test' }, overrides: { mode: 'production' } });
    expect(fromOption).toMatchObject({ mode: 'production', modeSource: 'option' });
  });

  it('rejects an unknown mode from the environment, naming the variable', async () => {
    const cwd = await directoryWith();
    expect(() => loadLearningConfig({ cwd, env: { ORCHESTRA_LEARNING_MODE: 'turbo' } })).toThrow(/ORCHESTRA_LEARNING_MODE.*unknown mode "turbo"/);
  });

  it('rejects a config file with a bad field or bad JSON, naming the file and field', async () => {
    const badField = await directoryWith({ rollout: { rampSteps: [0.5, 0.25] } });
    try {
      loadLearningConfig({ cwd: badField, env: {} });
      expect.unreachable();
    } catch (error) {
      expect(LearningConfigError.isInstance(error)).toBe(true);
      expect((error as LearningConfigError).field).toBe('rollout.rampSteps');
    }
    const badJson = await directoryWith('{ nope');
    expect(() => loadLearningConfig({ cwd: badJson, env: {} })).toThrow(/not valid JSON/);
    expect(() => loadLearningConfig({ cwd: badJson, env: {}, configFile: 'missing.json' })).toThrow(/cannot read it/);
  });

  it('rejects an unknown key, naming it (at the top level and nested)', async () => {
    const top = await directoryWith({ mode: 'shadow', model: [] });
    expect(() => loadLearningConfig({ cwd: top, env: {} })).toThrow(/orchestra\.config\.json: unknown key "model"$/);
    const nested = await directoryWith({ rollout: { sessionPerStep: 3 } });
    expect(() => loadLearningConfig({ cwd: nested, env: {} })).toThrow(/at rollout: unknown key "sessionPerStep"$/);
  });

  it('reads the model catalog from the config file, or from --config FILE, and validates every model', async () => {
    const models = [
      { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
      { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
    ];
    const cwd = await directoryWith({ models });
    expect(loadLearningConfig({ cwd, env: {} }).models).toEqual(models);
    await writeFile(join(cwd, 'other.json'), JSON.stringify({ models: [models[0]] }));
    expect(loadLearningConfig({ cwd, env: {}, configFile: 'other.json' }).models).toEqual([models[0]]);
    const badTier = await directoryWith({ models: [{ ...models[0], tier: 'premium' }] });
    expect(() => loadLearningConfig({ cwd: badTier, env: {} })).toThrow(/at models\.0\.tier/);
    const duplicate = await directoryWith({ models: [models[0], models[0]] });
    expect(() => loadLearningConfig({ cwd: duplicate, env: {} })).toThrow(/model ids must be unique/);
    const unknownModelKey = await directoryWith({ models: [{ ...models[0], price: 1 }] });
    expect(() => loadLearningConfig({ cwd: unknownModelKey, env: {} })).toThrow(/at models\.0: unknown key "price"/);
  });

  it('reads the experience store from the config file, lets ORCHESTRA_STORE_URL win, and rejects other schemes', async () => {
    const cwd = await directoryWith({ store: { url: 'postgres://fleet@db.internal:5432/orchestra', poolSize: 4 } });
    expect(loadLearningConfig({ cwd, env: {} }).store).toEqual({ url: 'postgres://fleet@db.internal:5432/orchestra', poolSize: 4 });
    expect(loadLearningConfig({ cwd, env: { ORCHESTRA_STORE_URL: 'postgresql://other/db' } }).store).toEqual({ url: 'postgresql://other/db', poolSize: 4 });
    expect(loadLearningConfig({ cwd: await directoryWith(), env: {} }).store).toEqual({});
    expect(() => loadLearningConfig({ cwd, env: { ORCHESTRA_STORE_URL: 'mysql://x/y' } })).toThrow(/store\.url.*postgres:\/\//);
    const typo = await directoryWith({ store: { url: 'postgres://x/y', pool: 3 } });
    expect(() => loadLearningConfig({ cwd: typo, env: {} })).toThrow(/unknown key "pool"/);
  });

  it('parses mode names given by people', () => {
    expect(parseLearningMode('shadow')).toBe('shadow');
    expect(() => parseLearningMode('SHADOW')).toThrow(LearningConfigError);
  });
});
