import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumForTests, inspectReportInBrowser, readabilityProblems } from '@orchestra/learning-report/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltBinary, runOrchestra, sandbox } from './test-support/run-orchestra';
import { fillBuffer, ingestSession, writeTestModel } from './test-support/fixtures';
import { simulateShadowSessions } from './test-support/simulate';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const browser = chromiumForTests();

beforeAll(requireBuiltBinary);

// Each test has its own data dir, so they run concurrently (most of their time is process start-up).
describe.concurrent('orchestra (built binary): data, reports, training and simulation', () => {
  it('prints buffer statistics as text and JSON, and exports them in every format with filters', async () => {
    const { run, cwd, dataDir } = await sandbox();
    await fillBuffer(dataDir, 12);
    const json = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(json).toMatchObject({ totalExperiences: 12, quarantined: 0, successRate: 0.75 });
    for (const key of ['meanReward', 'byTaskType', 'byDomain', 'byModel', 'bySource']) expect(json).toHaveProperty(key);
    const text = await run('learning-stats');
    expect(text.stdout).toMatch(/experiences\s+12/);
    expect(text.stdout).toContain('By model');
    expect(text.stdout).toContain('glm-4.7');

    const exported = await run('learning-export', '-o', join(cwd, 'all.json'));
    expect(exported.stdout).toContain('exported 12 experiences');
    expect(JSON.parse(await readFile(join(cwd, 'all.json'), 'utf8'))).toHaveLength(12);
    await run('learning-export', '-o', join(cwd, 'learned.jsonl'), '--format', 'jsonl', '--source', 'learned');
    expect((await readFile(join(cwd, 'learned.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(4);
    await run('learning-export', '-o', join(cwd, 'recent.csv'), '--format', 'csv', '--since', '2026-11-25T12:00:06Z');
    expect((await readFile(join(cwd, 'recent.csv'), 'utf8')).trim().split('\n')).toHaveLength(1 + 6);
    const report = JSON.parse((await run('learning-export', '-o', join(cwd, 'none.json'), '--since', '1h', '--json')).stdout);
    expect(report).toMatchObject({ exported: 0, filteredOut: 12 });

    expect((await run('learning-export')).code).toBe(2);
    expect((await run('learning-export', '-o', 'x.json', '--format', 'xml')).code).toBe(2);
    const badSince = await run('learning-export', '-o', 'x.json', '--since', 'yesterday');
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/--since.*ISO date/);
  });

  it('writes a self-contained HTML report', async () => {
    const { run, cwd, dataDir } = await sandbox();
    await fillBuffer(dataDir, 20);
    const result = JSON.parse((await run('learning-report', '-o', join(cwd, 'out', 'report.html'), '--json')).stdout);
    expect(result).toMatchObject({ experiences: 20, learningCurves: 0, gates: 0, events: 0, driftEvents: 0, skippedMetricLines: 0 });
    const html = await readFile(join(cwd, 'out', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Keep the rules: no model has been trained yet.');
    expect(html).toContain('data-chart="success-over-time"');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });

  it.skipIf(browser.path === null)(`shows its report to a person in headless Chromium${browser.skip === null ? '' : `; skipped: ${browser.skip}`}`, async () => {
    const { run, cwd, dataDir } = await sandbox();
    await fillBuffer(dataDir, 60);
    expect((await run('learning-report', '-o', join(cwd, 'report.html'))).code).toBe(0);
    const views = await inspectReportInBrowser(join(cwd, 'report.html'), {
      chromiumPath: browser.path!,
      widths: [1280, 400],
      screenshotDirectory: fileURLToPath(new URL('../../../bench-results/', import.meta.url)),
      name: 'cli-report',
    });
    // Nothing trained: no gate verdict; the fixtures' calls carry no cost and no error code.
    expect(readabilityProblems(views, { mayBeEmpty: ['gates', 'model-cost', 'model-errors'] })).toEqual([]);
    expect(views[0]!.verdict).toContain('Keep the rules: no model has been trained yet.');
    expect(views[0]!.charts.filter((chart) => !chart.empty).map((chart) => chart.id)).toEqual(expect.arrayContaining(['cost-quality', 'timeline', 'success-over-time', 'cost-over-time', 'model-success', 'model-latency', 'task-types']));
  });

  it("accepts the design's example session verbatim (reward 195), skips it the second time, and re-imports an export", async () => {
    const { run, cwd } = await sandbox();
    const example = join(fixtures, 'design-example-session.json');
    const first = JSON.parse((await run('learning-record', example, '--json')).stdout);
    expect(first).toMatchObject({ recorded: 1, skipped: 0, experiences: [{ sessionId: 'design-example', reward: 195 }] });
    const again = await run('learning-record', example);
    expect(again.stdout).toContain('recorded 0 sessions');
    expect(again.stdout).toContain('skipped 1 already stored (design-example)');
    expect((await run('learning-export', '-o', join(cwd, 'experiences.json'))).code).toBe(0);
    const exported = JSON.parse(await readFile(join(cwd, 'experiences.json'), 'utf8'));
    expect(exported[0].session.workflow[1]).toMatchObject({ agentRole: 'executor', filePath: 'src/auth/login.ts', outputHash: 'sha256:9b2d44f1', duration: 3000 });
    expect(exported[0].session.globalMetrics).toMatchObject({ totalCostEstimate: 0.055, avgLatencyMs: 3750, startTime: 1768471200000 });

    const other = await sandbox();
    const reimported = JSON.parse((await other.run('learning-record', join(cwd, 'experiences.json'), '--json')).stdout);
    expect(reimported).toMatchObject({ recorded: 1, skipped: 0, experiences: [{ sessionId: 'design-example', reward: 195 }] });
    expect(JSON.parse((await other.run('learning-record', join(cwd, 'experiences.json'), '--json')).stdout)).toMatchObject({ recorded: 0, skipped: 1 });
    expect(JSON.parse((await other.run('learning-stats', '--json')).stdout).totalExperiences).toBe(1);
  });

  it("runs the design's guide verbatim in a fresh data dir", async () => {
    const { cwd, dataDir } = await sandbox();
    const guide = (...args: string[]) => runOrchestra(args, { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, ORCHESTRA_LEARNING_MODE: 'shadow' } });
    const first = await guide('start', 'Add authentication');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('recorded as experience');
    // "… more tasks": a fresh seed per start, and the simulator records many at once.
    const second = await guide('start', 'Add authentication', '--json');
    expect(JSON.parse(second.stdout).seed).not.toBe(Number(/seed (\d+)/.exec(first.stdout)![1]));
    const more = JSON.parse((await guide('sim', '--sessions', '60', '--record', '--seed', '4', '--json')).stdout);
    expect(more).toMatchObject({ sessions: 60, recorded: 60, mode: 'shadow' });

    const stats = await guide('learning-stats');
    const lines = stats.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([`╔${'═'.repeat(34)}╗`, '║    LEARNING SYSTEM STATISTICS    ║', `╚${'═'.repeat(34)}╝`]);
    expect(lines).toContain('Mode: SHADOW');
    expect(lines).toContain('Policy Loaded: No');
    expect(lines).toContain('Experience Buffer:');
    expect(lines).toContain('  Total Experiences: 62');
    expect(lines.some((line) => /^ {2}Mean Reward: -?\d+\.\d\d$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {2}Success Rate: \d+\.\d%$/.test(line))).toBe(true);
    expect(lines).toContain('By Task Type:');
    expect(lines).toContain('By Domain:');
    expect(lines.some((line) => /^ {2}bug: \d+$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {2}bugfix: /.test(line))).toBe(false);

    expect((await guide('learning-export', '-o', 'experiences.json')).code).toBe(0);
    const trained = await guide('learning-train', '--data', 'experiences.json', '--epochs', '100', '--output', 'models/');
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout + trained.stderr).not.toMatch(/TensorFlow|tfjs-node/);
    const epochs = /(\d+) of (\d+) epochs/.exec(trained.stdout)!;
    expect(Number(epochs[1])).toBeLessThanOrEqual(Number(epochs[2]));
    expect(trained.stdout).toMatch(/verdict\s+(beats the rules \(beatsRules: true\)|does not beat the rules \(beatsRules: false\)|not evaluated against the rules \(beatsRules: null\))/);

    // The variable pins the mode: the change is persisted, and the warning names the variable.
    const abTest = await guide('learning-mode', 'ab_test');
    expect(abTest.code).toBe(0);
    expect(abTest.stderr).toContain('ORCHESTRA_LEARNING_MODE=shadow is set: it wins over the persisted mode');
    const production = await guide('learning-mode', 'production');
    expect(production.code, production.stderr).toBe(0);
    expect(production.stderr).toContain('ORCHESTRA_LEARNING_MODE=shadow is set');
    expect(JSON.parse((await runOrchestra(['learning-mode', '--json'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir } })).stdout)).toMatchObject({ mode: 'production', source: 'state-file' });
  });

  it('says up front that disabled mode records nothing; training errors under --json are JSON and name --allow-few', async () => {
    const { run } = await sandbox();
    const disabled = await run('start', 'Add authentication');
    expect(disabled.stdout.split('\n')[0]).toMatch(/^learning is disabled: this run is not recorded/);
    const few = await run('learning-train', '--output', 'model', '--json');
    expect(few.code).toBe(1);
    expect(few.stderr).toBe('');
    expect(JSON.parse(few.stdout)).toMatchObject({ error: { name: 'OrchestraInsufficientExperiencesError', message: expect.stringContaining('--allow-few') } });
    const simulated = JSON.parse((await run('sim', '--sessions', '3', '--seed', '1', '--json')).stdout);
    expect(simulated).toMatchObject({ sessions: 3, seed: 1, mode: 'disabled', recorded: 0, costWeight: 1 });
    // The cost–quality knob over the same seeded tasks: a higher weight, a lower mean cost.
    const dear = JSON.parse((await run('sim', '--sessions', '40', '--seed', '1', '--cost-weight', '0', '--json')).stdout);
    const cheap = JSON.parse((await run('sim', '--sessions', '40', '--seed', '1', '--cost-weight', '4', '--json')).stdout);
    expect(cheap.costWeight).toBe(4);
    expect(cheap.meanCostUsd).toBeLessThan(dear.meanCostUsd);
    const usage = await run('sim', '--json');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('');
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { name: 'UsageError', message: expect.stringContaining('--sessions N') } });
    const unknownOption = await run('learning-stats', '--json', '--bogus');
    expect(unknownOption.code).toBe(2);
    expect(JSON.parse(unknownOption.stdout)).toMatchObject({ error: { name: 'UsageError', code: 'commander.unknownOption' } });
  });

  it('takes the model catalog from orchestra.config.json or --config FILE, and names an unknown key', async () => {
    const { run, cwd } = await sandbox();
    const models = [
      { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
      { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
      { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
    ];
    await writeFile(join(cwd, 'models.json'), JSON.stringify({ mode: 'shadow', models }));
    const started = JSON.parse((await run('--config', 'models.json', 'start', 'fix: login crashes', '--json')).stdout);
    expect(models.map((model) => model.id)).toContain(started.decision.action.models.executor);
    expect(started.recorded).toBe(true);
    await writeFile(join(cwd, 'orchestra.config.json'), JSON.stringify({ models, modes: 'shadow' }));
    const unknown = await run('learning-stats');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^orchestra: Invalid configuration in .*orchestra\.config\.json: unknown key "modes"\n$/);
  });

  it('ingests a session file of 32 MiB or more on worker threads, from two processes at once, each session once', async () => {
    const { run, cwd } = await sandbox();
    // 30,000 sessions with a task text long enough (~1.15 KB per record) to reach the workers' 32 MiB threshold.
    const filler = 'and keep the response shape the dashboard, the mobile client and the exporter already read; '.repeat(8);
    const records = Array.from({ length: 30_000 }, (_, index) => JSON.stringify({ ...ingestSession(`large-${index}`), task: { description: `fix: broken pagination #${index} ${filler}`, files: [`api/src/list-${index % 13}.ts`] } }));
    const file = join(cwd, 'large.jsonl');
    await writeFile(file, `${records.join('\n')}\n`);
    expect((await stat(file)).size).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    const [first, second] = await Promise.all([run('learning-record', file), run('learning-record', file)]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const outputs = [first.stdout, second.stdout].sort();
    // One process stored them all, on its workers; the other found them stored.
    expect(outputs.some((output) => output.includes('recorded 30000 sessions') && output.includes('30000 built on worker threads'))).toBe(true);
    expect(outputs.some((output) => output.includes('recorded 0 sessions') && output.includes('skipped 30000 already stored'))).toBe(true);
    const stats = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(stats).toMatchObject({ totalExperiences: 30_000, quarantined: 0 });
  }, 120_000);

  it('ingests sessions from JSON and JSONL, from several processes at once, and rejects bad files with one line', async () => {
    const { run, cwd } = await sandbox();
    const session = ingestSession;
    await writeFile(join(cwd, 'one.json'), JSON.stringify(session('single')));
    await writeFile(join(cwd, 'many.json'), JSON.stringify(Array.from({ length: 5 }, (_, index) => session(`array-${index}`))));
    const lines = (prefix: string) => Array.from({ length: 20 }, (_, index) => JSON.stringify(session(`${prefix}-${index}`))).join('\n');
    await writeFile(join(cwd, 'a.jsonl'), lines('a'));
    await writeFile(join(cwd, 'b.jsonl'), lines('b'));
    expect((await run('learning-record', join(cwd, 'one.json'))).stdout).toContain('recorded 1 session from');
    expect(JSON.parse((await run('learning-record', join(cwd, 'many.json'), '--json')).stdout)).toMatchObject({ recorded: 5 });
    const parallel = await Promise.all([run('learning-record', join(cwd, 'a.jsonl')), run('learning-record', join(cwd, 'b.jsonl')), run('learning-record', join(cwd, 'a.jsonl'))]);
    expect(parallel.map((result) => result.code)).toEqual([0, 0, 0]);
    // a.jsonl ingested twice at once: each of its sessions is stored once, the other run reports it skipped.
    expect(parallel.filter((result) => result.stdout.includes('skipped 20 already stored'))).toHaveLength(1);
    const stats = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(stats.totalExperiences).toBe(1 + 5 + 40);
    expect(stats.quarantined).toBe(0);
    expect(stats.byTaskType.bugfix.count).toBe(46);
    expect(JSON.parse((await run('learning-record', join(cwd, 'many.json'), '--json')).stdout)).toMatchObject({ recorded: 0, skipped: 5 });

    const missing = await run('learning-record', join(cwd, 'none.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^orchestra: Cannot ingest .*none\.json: cannot read it \(ENOENT\)\n$/);
    await writeFile(join(cwd, 'bad.jsonl'), `${JSON.stringify(session('ok'))}\n{"workflow": "nope"}\n`);
    const bad = await run('learning-record', join(cwd, 'bad.jsonl'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\(record 2\).*workflow/);
  });

  it('ingests OpenTelemetry GenAI traces (OTLP/JSON from the OpenTelemetry JS SDK), quarantining the malformed one', async () => {
    const { run } = await sandbox();
    const file = join(fixtures, 'genai-traces.otlp.jsonl');
    const text = await run('learning-record', file, '--format', 'otlp');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/recorded 3 sessions from .*; 4 traces, 1 malformed \(quarantined\)/);
    const again = JSON.parse((await run('learning-record', file, '--json')).stdout);
    expect(again).toMatchObject({ recorded: 0, skipped: 3, traces: 4, quarantinedTraces: 1 });
    const stats = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(stats.totalExperiences).toBe(3);
    expect(stats.byModel['glm-4.7']).toMatchObject({ attempts: 1, successes: 0, errorCodes: { RATE_LIMIT_429: 1 } });
    expect(stats.byModel['kimi-k2.5'].attempts).toBe(3);
    expect((await run('learning-record', file, '--format', 'yaml')).code).toBe(2);
  });

  it('runs one simulated task under the current mode, prints decision, session and reward, and records it', async () => {
    const { run, cwd } = await sandbox();
    const disabled = await run('start', 'fix: the login page crashes when the password is empty');
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/source\s+rules/);
    expect(disabled.stdout).toContain('why');
    expect(disabled.stdout).toMatch(/Reward -?\d/);
    expect(disabled.stdout).toContain('not recorded (mode disabled)');
    await run('learning-mode', 'shadow');
    const shadow = JSON.parse((await run('start', 'feat: add CSV export to the reports page', '--seed', '3', '--json')).stdout);
    expect(shadow).toMatchObject({ world: 'default', mode: 'shadow', recorded: true, decision: { source: 'rules' } });
    expect(shadow.session.workflow.length).toBeGreaterThan(0);
    expect(typeof shadow.reward.total).toBe('number');
    expect(JSON.parse((await run('learning-stats', '--json')).stdout).totalExperiences).toBe(1);

    const world = JSON.parse((await run('sim', '--print-default-world')).stdout);
    await writeFile(join(cwd, 'world.json'), JSON.stringify({ ...world, name: 'copy' }));
    expect(JSON.parse((await run('start', 'docs: explain the config file', '--world', join(cwd, 'world.json'), '--json')).stdout).world).toBe('copy');
    const noWorld = await run('start', 'x', '--world', join(cwd, 'none.json'));
    expect(noWorld.code).toBe(1);
    expect(noWorld.stderr).toMatch(/cannot read world file/);
    await writeFile(join(cwd, 'bad-world.json'), JSON.stringify({ name: 'bad' }));
    const badWorld = await run('start', 'x', '--world', join(cwd, 'bad-world.json'));
    expect(badWorld.code).toBe(1);
    expect(badWorld.stderr.trim().split('\n')).toHaveLength(1);
    expect((await run('start')).code).toBe(2);

    // The cost–quality knob: a high weight takes cheaper models, recorded on the experience.
    const complexTask = 'refactor: migrate the payment service, the ledger database schema and the auth sessions to the new platform';
    const dear = JSON.parse((await run('start', complexTask, '--seed', '5', '--cost-weight', '0', '--json')).stdout);
    const cheap = JSON.parse((await run('start', complexTask, '--seed', '5', '--cost-weight', '4', '--json')).stdout);
    expect(dear.decision.costWeight).toBe(0);
    expect(cheap.decision.costWeight).toBe(4);
    expect(dear.decision.action.models.executor).toBe('claude-opus');
    expect(cheap.decision.action.models.executor).not.toBe('claude-opus');
    expect(cheap.outcome.totalCostUsd).toBeLessThan(dear.outcome.totalCostUsd);
    const exported = await run('learning-export', '--format', 'jsonl', '--output', join(cwd, 'weights.jsonl'));
    expect(exported.code, exported.stderr).toBe(0);
    const weights = (await readFile(join(cwd, 'weights.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line).policy.costWeight);
    expect(weights.slice(-2)).toEqual([0, 4]);
    const negative = await run('start', 'x', '--cost-weight', '-1');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain("option '--cost-weight <w>' argument '-1' is invalid. must be a finite number ≥ 0");
  });

  it('trains from the buffer or an export, reports the deploy gate, evaluates, and draws the learning curves', async () => {
    const { run, cwd, dataDir } = await sandbox();
    await simulateShadowSessions(cwd, dataDir, 150);
    const trained = await run('learning-train', '--epochs', '2', '--output', join(cwd, 'model'), '--model-version', 'cli-1', '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout);
    expect(report).toMatchObject({ version: 'cli-1', experiences: 150, trainingSize: 120, validationSize: 30, epochs: 2 });
    expect(trained.stderr).toMatch(/warning: Only 150 experiences/);
    // The doubly robust gate (cross-fitted critics as its direct method) values the model on the 30 held-out sessions
    // and the 60 training sessions that only fitted the gate's critic; it cannot show a gain from 90 sessions: its
    // interval covers 0, and the gate refuses the model.
    expect(report.ope).toMatchObject({ estimator: 'doubly-robust', directMethod: 'linear-critic', sampleSize: 90 });
    expect(report.beatsRules).toBe(false);
    expect(report.verdict).toBe('does-not-beat-rules');
    expect(report.plannedEpochs).toBe(2);
    expect(report.opeError).toBeNull();
    const refused = await run('learning-deploy', join(cwd, 'model'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/did not beat the rules.*rule ope-gate/);

    // The trained artifact serves decisions once forced through the gate (trainer → policy artifact contract).
    expect((await run('learning-deploy', join(cwd, 'model'), '--force')).code).toBe(0);
    expect((await run('learning-mode', 'production', '--force')).code).toBe(0);
    const served = JSON.parse((await run('start', 'feat: add CSV export to the reports page', '--json')).stdout);
    expect(served.decision).toMatchObject({ source: 'learned', policyVersion: 'cli-1' });
    expect(served.recorded).toBe(true);

    const evaluation = await run('learning-eval', '--model', join(cwd, 'model'));
    expect(evaluation.code).toBe(1);
    expect(evaluation.stderr).toMatch(/^orchestra: Cannot evaluate policy "cli-1" on these logs: /);

    await run('learning-export', '-o', join(cwd, 'export.jsonl'), '--format', 'jsonl');
    const fromFile = await run('learning-train', '--data', join(cwd, 'export.jsonl'), '--epochs', '1', '--output', join(cwd, 'model-2'));
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/trained learned-\S+ on 151 experiences/);
    // The text verdict says what beatsRules says.
    expect(fromFile.stdout).toMatch(/verdict\s+(does not beat the rules \(beatsRules: false\)|not evaluated against the rules \(beatsRules: null\))/);
    const curves = JSON.parse((await run('learning-report', '-o', join(cwd, 'report.html'), '--json')).stdout);
    expect(curves.learningCurves).toBe(2);
    // One chart per quantity, one line per model version (named by the version it trained, not by a timestamp).
    const withCurves = await readFile(join(cwd, 'report.html'), 'utf8');
    expect(withCurves).toContain('data-chart="curve-trainingPolicyLoss"');
    expect(withCurves).toMatch(/>learned-\d{4}-\d\d-\d\dT[^<]*<\/text>/);

    expect((await run('learning-train', '--epochs', '0', '--output', join(cwd, 'x'))).code).toBe(2);
    expect((await run('learning-train', '--epochs', '2')).code).toBe(2);
    const missing = await run('learning-train', '--data', join(cwd, 'none.jsonl'), '--output', join(cwd, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/none\.jsonl.*ENOENT/);
    const corrupt = await run('learning-eval', '--model', join(cwd, 'nowhere'));
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/missing-file/);
  }, 300_000); // two trainings through the built binary: minutes on a loaded 2-core machine

  it('refuses to train on too few experiences unless --allow-few', async () => {
    const { run, cwd, dataDir } = await sandbox();
    await simulateShadowSessions(cwd, dataDir, 20, 9);
    const refused = await run('learning-train', '--epochs', '1', '--output', join(cwd, 'model'));
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').filter((line) => line.startsWith('orchestra:'))).toHaveLength(1);
    expect(refused.stderr).toMatch(/50/);
    const allowed = await run('learning-train', '--epochs', '1', '--output', join(cwd, 'model'), '--allow-few', '--json');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).experiences).toBe(20);
  });

  it('runs the A/B test through start: sticky arms by session id, arm statistics, and the automatic ramp', async () => {
    const { run, cwd } = await sandbox();
    const rollout = { sessionsPerStep: 1, guardrails: { maxRewardDrop: 10_000, maxErrorRateIncrease: 1, maxCostRatio: 1000 } };
    await writeFile(join(cwd, 'orchestra.config.json'), JSON.stringify({ dataDir: 'data', rollout }));
    await writeTestModel(join(cwd, 'model'), { version: 'ab-model' });
    expect((await run('learning-deploy', join(cwd, 'model'))).code).toBe(0);
    expect((await run('learning-mode', 'ab_test', '--fraction', '0.5', '--force')).stdout.trim()).toBe('mode ab_test (fraction 0.5)');
    const first = JSON.parse((await run('start', 'feat: add CSV export to the reports page', '--session-id', 'user-42', '--json')).stdout);
    const again = JSON.parse((await run('start', 'feat: add CSV export to the reports page', '--session-id', 'user-42', '--json')).stdout);
    expect(again.decision.arm).toBe(first.decision.arm);
    const arms = new Set<string>([first.decision.arm]);
    let ramped = false;
    for (let index = 0; index < 12 && !ramped; index += 1) {
      const result = JSON.parse((await run('start', 'fix: login crashes when the password is empty', '--session-id', `session-${index}`, '--seed', String(index), '--json')).stdout);
      arms.add(result.decision.arm);
      if (result.ramp.kind === 'ramped') {
        expect(result.ramp).toMatchObject({ from: 0.5, to: 1 });
        ramped = true;
      }
    }
    expect([...arms].sort()).toEqual(['learned', 'rules']);
    expect(ramped).toBe(true);
    const status = JSON.parse((await run('learning', '--json')).stdout);
    expect(status).toMatchObject({ mode: 'ab_test', abFraction: 1 });
    expect(status.abTest.sessionsServed).toBeGreaterThan(0);
    expect(status.events.some((event: { message: string }) => event.message.includes('ramped the A/B fraction 0.5 → 1'))).toBe(true);
  });

  it('prints the default world and asks for an option otherwise', async () => {
    const { run } = await sandbox();
    const world = await run('sim', '--print-default-world');
    expect(world.code).toBe(0);
    expect(JSON.parse(world.stdout)).toMatchObject({ schemaVersion: 1, name: 'default' });
    const bare = await run('sim');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--print-default-world/);
  });

  it('delegates demo to the demo app: its help, its one-line error and exit code, and a tiny run as JSON', async () => {
    const { run } = await sandbox();
    const help = await run('demo', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--sessions/);
    const bad = await run('demo', '--sessions', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect((await run('--help')).stdout).toContain('demo');
  });

  it('shows the exploration weights an improve step set (adaptiveExploration), and refuses a state file whose weights are out of range', async () => {
    const { cwd, dataDir } = await sandbox();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const state = { exploration: { from: 'learned-7', weights: { team: { 'executor+architect+auditor+consultant': 0.91, executor: 0.05 }, timeout: { '0.50': 0.05 } } } };
    await writeFile(join(dataDir, 'orchestra.state.json'), JSON.stringify(state), { mode: 0o600 });
    const status = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir } });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/exploration\s+weighted by the critic of learned-7 \(most tried: team=executor\+architect\+auditor\+consultant 0\.91, team=executor 0\.05, timeout=0\.50 0\.05; 2 of 3 choices at ≤ 0\.10\)/);
    await writeFile(join(dataDir, 'orchestra.state.json'), JSON.stringify({ exploration: { from: 'learned-7', weights: { team: { executor: 3 } } } }), { mode: 0o600 });
    const broken = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir } });
    expect(broken.code).not.toBe(0);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toMatch(/exploration/);
  });

  it('never colours output that is not a terminal', async () => {
    const { cwd, dataDir } = await sandbox();
    const forced = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
    const plain = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir } });
    expect(plain.stdout).not.toContain('\u001b[');
    const noColor = await runOrchestra(['learning'], { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
  });
});
