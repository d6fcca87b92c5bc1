import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBinary, runOrchestra, sandbox } from './test-support/run-orchestra';
import { writeTestModel } from './test-support/fixtures';

beforeAll(requireBuiltBinary);

// Each test has its own data dir, so they run concurrently (most of their time is process start-up).
describe.concurrent('orchestra (built binary): help, status, mode, configuration, deploy and the A/B period', () => {
  it('prints help for the program and every command, and exits 2 on unknown commands and options', async () => {
    const { run } = await sandbox();
    const help = await run('--help');
    expect(help.code).toBe(0);
    const commands = ['learning-train', 'learning-eval', 'learning', 'learning-stats', 'learning-export', 'learning-mode', 'learning-deploy', 'learning-rollback', 'learning-report', 'learning-record', 'start', 'sim'];
    const helps = await Promise.all(commands.map((command) => run(command, '--help')));
    commands.forEach((command, index) => {
      expect(help.stdout).toContain(command);
      expect(helps[index]!.code, command).toBe(0);
      expect(helps[index]!.stdout, command).toMatch(new RegExp(`^Usage: orchestra ${command} `));
    });
    const unknown = await run('learnin');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown command 'learnin'/);
    expect((await run('learning', '--bogus')).code).toBe(2);
  });

  it('shows the status of a fresh data dir, as text and as JSON', async () => {
    const { run, dataDir } = await sandbox();
    const text = await run('learning');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('mode          disabled');
    expect(text.stdout).toContain('rules only');
    const json = await run('learning', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ mode: 'disabled', deployed: null, bufferSize: 0, dataDir });
  });

  it('shows and persists the mode, rejecting unknown modes and rule-breaking changes with one line', async () => {
    const { run } = await sandbox();
    expect((await run('learning-mode')).stdout.trim()).toBe('mode disabled');
    expect((await run('learning-mode', 'shadow')).stdout.trim()).toBe('mode shadow');
    expect(JSON.parse((await run('learning-mode', '--json')).stdout)).toMatchObject({ mode: 'shadow', source: 'state-file' });
    const unknown = await run('learning-mode', 'turbo');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/invalid for argument 'mode'.*expected one of disabled, shadow, ab_test, production/);
    const badFraction = await run('learning-mode', 'ab_test', '--fraction', '1.5');
    expect(badFraction.code).toBe(2);
    // Without a deployed model ab_test is allowed (the design's guide sets it right after training): the rules decide.
    const noModel = await run('learning-mode', 'ab_test');
    expect(noModel.code).toBe(0);
    expect(noModel.stderr).toMatch(/^warning: no model is deployed: the rules decide every session/);
    expect(noModel.stderr.trim().split('\n')).toHaveLength(1);
    await run('learning-mode', 'shadow');
  });

  it('honours ORCHESTRA_LEARNING_MODE and rejects a bad one', async () => {
    const { cwd, dataDir } = await sandbox();
    const pinned = await runOrchestra(['learning-mode', '--json'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, ORCHESTRA_LEARNING_MODE: 'shadow' } });
    expect(JSON.parse(pinned.stdout)).toMatchObject({ mode: 'shadow', source: 'environment' });
    const bad = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, ORCHESTRA_LEARNING_MODE: 'fast' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ORCHESTRA_LEARNING_MODE.*unknown mode "fast"/);
  });

  it('reads orchestra.config.json from the working directory and reports a broken one', async () => {
    const { cwd } = await sandbox();
    await writeFile(join(cwd, 'orchestra.config.json'), JSON.stringify({ dataDir: 'elsewhere', mode: 'shadow' }));
    const status = JSON.parse((await runOrchestra(['learning', '--json'], { cwd })).stdout);
    expect(status).toMatchObject({ mode: 'shadow', dataDir: join(cwd, 'elsewhere') });
    await writeFile(join(cwd, 'orchestra.config.json'), '{ broken');
    const broken = await runOrchestra(['learning'], { cwd });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/orchestra\.config\.json.*not valid JSON/);
  });

  it('deploys a model that beat the rules, refuses one that did not unless forced, refuses corrupt ones, and rolls back', async () => {
    const { run, cwd } = await sandbox();
    await writeTestModel(join(cwd, 'good'), { version: 'good-1' });
    await writeTestModel(join(cwd, 'worse'), { version: 'worse-1', ope: { targetBeatsBaseline: false } });
    await writeTestModel(join(cwd, 'corrupt'), { version: 'corrupt-1' });
    await writeFile(join(cwd, 'corrupt', 'actor.weights.bin'), 'not weights');

    const missing = await run('learning-deploy', join(cwd, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing-file/);
    const corrupt = await run('learning-deploy', join(cwd, 'corrupt'));
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^orchestra: Model artifact (corrupt|checksum-mismatch)/);
    const refused = await run('learning-deploy', join(cwd, 'worse'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/did not beat the rules.*rule ope-gate/);

    const deployed = await run('learning-deploy', join(cwd, 'good'));
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('deployed model good-1');
    const forced = JSON.parse((await run('learning-deploy', join(cwd, 'worse'), '--force', '--json')).stdout);
    expect(forced.deployed).toMatchObject({ version: 'worse-1', forced: true, beatsRules: false });
    const status = await run('learning');
    expect(status.stdout).toMatch(/learned worse-1 \(forced\)/);
    expect(status.stdout).toContain('rollback to   good-1');

    expect((await run('learning-rollback')).stdout).toContain('rolled back to model good-1');
    expect((await run('learning-rollback')).stdout).toContain('rolled back to the rules');
    expect(JSON.parse((await run('learning', '--json')).stdout).deployed).toBeNull();
  });

  it('enforces the A/B period before production, with --force as the override', async () => {
    const { run, cwd } = await sandbox();
    await writeTestModel(join(cwd, 'model'), { version: 'ab-1' });
    expect((await run('learning-deploy', join(cwd, 'model'))).code).toBe(0);
    expect((await run('learning-mode', 'ab_test')).stdout.trim()).toBe('mode ab_test (fraction 0.1)');
    const jump = await run('learning-mode', 'ab_test', '--fraction', '0.5');
    expect(jump.code).toBe(1);
    expect(jump.stderr).toMatch(/rule ramp-step/);
    const early = await run('learning-mode', 'production');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/ab_test period of 500 learned sessions; 0 served.*rule ab-test-period/);
    expect((await run('learning-mode', 'production', '--force')).stdout.trim()).toBe('mode production');
  });
});
