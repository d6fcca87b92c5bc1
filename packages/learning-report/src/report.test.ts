import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyLearningState, LearningStateStore } from '@orchestra/learning';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { ValidationError } from '@orchestra/learning-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLearningCurves } from './learning-curves';
import { renderLearningReport, verdictOf } from './render-report';
import { addExperienceToReport, collectReportData, emptyReportData, MAX_SESSION_BUCKETS } from './report-data';
import { parseReportExtras } from './report-input';
import { sampleExtras, sampleSession } from './test-support/sample-report';
import { gateVerdictsOfState, writeLearningReport } from './write-learning-report';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'learning-report-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const chartIds = ['cost-quality', 'gates', 'timeline', 'success-over-time', 'cost-over-time', 'model-success', 'model-latency', 'model-cost', 'model-errors', 'task-types'];

describe('report data', () => {
  it('keeps at most MAX_SESSION_BUCKETS contiguous buckets whose totals add up to the whole', () => {
    const data = emptyReportData();
    const total = 1_000;
    for (let index = 0; index < total; index += 1) addExperienceToReport(data, sampleSession(5, index, total));
    expect(data.buckets.length).toBeLessThanOrEqual(MAX_SESSION_BUCKETS);
    expect(data.buckets.length).toBeGreaterThan(MAX_SESSION_BUCKETS / 2);
    expect(data.buckets[0]!.from).toBe(0);
    expect(data.buckets.at(-1)!.to).toBe(total);
    for (let index = 1; index < data.buckets.length; index += 1) expect(data.buckets[index]!.from).toBe(data.buckets[index - 1]!.to);
    for (const source of Object.keys(data.bySource)) {
      const sessions = data.buckets.reduce((sum, bucket) => sum + (bucket.sources[source]?.sessions ?? 0), 0);
      const cost = data.buckets.reduce((sum, bucket) => sum + (bucket.sources[source]?.costSum ?? 0), 0);
      expect(sessions).toBe(data.bySource[source]!.sessions);
      expect(cost).toBeCloseTo(data.bySource[source]!.costSum, 9);
    }
    const modes = data.buckets.reduce((sum, bucket) => sum + Object.values(bucket.modes).reduce((inner, count) => inner + count, 0), 0);
    expect(modes).toBe(total);
    for (const [model, totals] of Object.entries(data.byModel)) {
      expect(data.buckets.reduce((sum, bucket) => sum + (bucket.models[model]?.calls ?? 0), 0)).toBe(totals.calls);
      expect(totals.latency.count).toBe(totals.timedCalls);
    }
  });

  it('names learning curves by model version, keeps the time only when a version ran twice, and counts bad lines', async () => {
    const metrics = join(root, 'metrics');
    await mkdir(metrics);
    await writeFile(join(metrics, 'demo-v1--2026-01-01T00-00-00-000Z.jsonl'), '{"epoch":1,"trainingPolicyLoss":2}\n{"epoch":2,"trainingPolicyLoss":1.5}\nnot json\n');
    await writeFile(join(metrics, 'demo-v2--2026-01-02T00-00-00-000Z.jsonl'), '{"epoch":1,"trainingPolicyLoss":1.8}\n');
    await writeFile(join(metrics, 'demo-v2--2026-01-03T00-00-00-000Z.jsonl'), '{"epoch":1,"trainingPolicyLoss":1.7}\n[1]\n');
    const { curves, skippedLines } = await readLearningCurves(metrics);
    expect(curves.map((curve) => curve.name)).toEqual(['demo-v1', 'demo-v2--2026-01-02T00-00-00-000Z', 'demo-v2--2026-01-03T00-00-00-000Z']);
    expect(curves[0]!.fields.trainingPolicyLoss).toEqual([[1, 2], [2, 1.5]]);
    expect(skippedLines).toBe(2);
    expect(await readLearningCurves(join(root, 'none'))).toEqual({ curves: [], skippedLines: 0 });
  });
});

describe('extras and verdict', () => {
  it('refuses bad extras with a one-line ValidationError naming the field', () => {
    const bad = () => parseReportExtras({ heldOut: { description: 'x', policies: [{ name: 'rules', meanReward: 1, ci: [2, 1] }] } });
    expect(bad).toThrow(ValidationError);
    expect(bad).toThrow(/heldOut\.policies\.0\.ci/);
    try {
      bad();
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
    expect(() => parseReportExtras({ events: [{ kind: 'ramp', message: 'no place' }] })).toThrow(/session or its time/);
    expect(() => parseReportExtras({ costWeightCurve: [{ costWeight: 1, successRate: 1.5, costPerSession: 0.1 }] })).toThrow(/costWeightCurve\.0\.successRate/);
  });

  it('says keep, roll back, not established, or keep the rules', () => {
    const data = emptyReportData();
    const extras = (mean: number, ci: [number, number], model: string | null = 'demo-v2') => parseReportExtras({ ...sampleExtras(100), deployed: { model, mode: 'production' }, heldOut: { ...sampleExtras(100).heldOut!, difference: { mean, ci } } });
    expect(verdictOf(data, extras(4.3, [1.4, 7.2]))).toMatchObject({ tone: 'good', headline: 'Keep demo-v2: it beats the rules by +4.30 mean reward [+1.40, +7.20].' });
    expect(verdictOf(data, extras(-3, [-5, -1]))).toMatchObject({ tone: 'bad', headline: expect.stringMatching(/^Roll back demo-v2: it does worse than the rules by 3\.00/) });
    expect(verdictOf(data, extras(1, [-1, 3]))).toMatchObject({ tone: 'neutral', headline: expect.stringContaining('not established') });
    expect(verdictOf(data, extras(0, [0, 0], null)).headline).toBe('Keep the rules: no model passed the deploy gate (last: demo-v2, passed).');
    expect(verdictOf(data, parseReportExtras({})).headline).toBe('Keep the rules: no model has been trained yet.');
    // Held-out tasks but nothing deployed: no learned policy to measure (not "0 ± 0"), and the gate's reason once.
    const { difference: _difference, ...withoutDifference } = sampleExtras(100).heldOut!;
    const refused = verdictOf(data, parseReportExtras({ heldOut: withoutDifference, gates: [{ ...sampleExtras(100).gates![0]!, reason: 'the gate refused: estimated learned − rules -1.00 [-4.00, 2.00] does not exclude 0' }] }));
    expect(refused.headline).toBe('Keep the rules: no model passed the deploy gate (last: demo-v1, refused).');
    expect(refused.lines[1]).toBe('Measured advantage over the rules: none to measure, the rules served the held-out tasks (1,000 fresh simulated tasks) as no model is deployed.');
    expect(refused.lines[2]).toMatch(/demo-v1: refused \(.*\) — estimated learned − rules -1\.00 \[-4\.00, 2\.00\] does not exclude 0\.$/);
    const lines = verdictOf(data, extras(4.3, [1.4, 7.2])).lines.join('\n');
    expect(lines).toContain('Estimated advantage (deploy gate): demo-v2: passed → deployed (doubly-robust: estimated learned − rules +5.00 [+1.00, +9.00], effective sample size 210)');
    expect(lines).toContain('Cost per session: $0.100 learned vs $0.120 rules (−16.7 %) at 82.0 % vs 80.0 % success.');
  });
});

describe('renderLearningReport', () => {
  it('draws every chart of a full run without a charting warning, self-contained', async () => {
    const total = 600;
    const data = await collectReportData(Array.from({ length: total }, (_, index) => sampleSession(9, index, total)));
    data.curves = [
      { name: 'demo-v1', xLabel: 'epoch', fields: { trainingPolicyLoss: [[1, 2], [2, 1.5]], trainingEntropy: [[1, 5], [2, 4]], epochMs: [[1, 30], [2, 31]] } },
      { name: 'demo-v2', xLabel: 'epoch', fields: { trainingPolicyLoss: [[1, 1.8], [2, 1.1]] } },
    ];
    const warnings: string[] = [];
    const html = await renderLearningReport(data, sampleExtras(total), { title: 'T <x>', onChartWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([]);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/);
    expect(html).toContain('<title>T &lt;x&gt;</title>');
    for (const id of [...chartIds, 'held-out-curve', 'curve-trainingPolicyLoss', 'curve-trainingEntropy']) expect(html).toMatch(new RegExp(`data-chart="${id}"><figcaption>.*?</figcaption><svg `));
    // One quantity per chart: bookkeeping fields are not drawn; the cost-weight curve is labelled by its weights.
    expect(html).not.toContain('data-chart="curve-epochMs"');
    expect(html).toContain('>w=0.5</text>');
    expect(html).toContain('Keep demo-v2: it beats the rules by +4.30 mean reward [+1.40, +7.20].');
    expect(html).toMatch(/<td>learned<\/td><td>124\.40 \[122\.10, 126\.50\]<\/td><td>82\.0 %<\/td><td>\$0\.100<\/td>/);
  });

  it('bench smoke: 20,000 sessions give the same bounded buckets and page size as 1,000 (the charts draw aggregates)', async () => {
    const pages: number[] = [];
    for (const total of [1_000, 20_000]) {
      const data = emptyReportData();
      const base = Array.from({ length: 200 }, (_, index) => sampleSession(3, index, 200));
      for (let index = 0; index < total; index += 1) addExperienceToReport(data, { ...base[index % base.length]!, ...sampleSession.shape(index, total) });
      expect(data.buckets.length).toBeLessThanOrEqual(MAX_SESSION_BUCKETS);
      expect(data.buckets.at(-1)!.to).toBe(total);
      pages.push((await renderLearningReport(data, sampleExtras(total))).length);
    }
    expect(pages[1]! / pages[0]!).toBeGreaterThan(0.8);
    expect(pages[1]! / pages[0]!).toBeLessThan(1.25);
  });

  it('renders 0 and 1 experiences: every chart is there, the empty ones say why', async () => {
    const none = await renderLearningReport(emptyReportData());
    for (const id of chartIds) expect(none).toContain(`data-chart="${id}"`);
    expect(none).toContain('Keep the rules: no model has been trained yet.');
    expect(none).toContain('<p class="empty">No sessions logged yet.</p>');
    expect(none).toContain('not available (needs a simulator: the demo measures it)');
    const one = await collectReportData([sampleSession(1, 0, 1)]);
    const html = await renderLearningReport(one);
    expect(html).toMatch(/data-chart="timeline"><figcaption>.*?<\/figcaption><svg /);
    expect(html).toContain('1 sessions from');
  });
});

describe('writeLearningReport', () => {
  it('reads a data dir without writing to it, and takes the gate verdicts from the deployed models’ manifests', async () => {
    const dataDir = join(root, 'data');
    const store = await JsonlExperienceStore.open({ dataDir });
    for (let index = 0; index < 30; index += 1) await store.append(sampleSession(2, index, 30));
    await store.close();
    const model = join(dataDir, 'models', 'v1');
    await mkdir(model, { recursive: true });
    await writeFile(
      join(model, 'manifest.json'),
      JSON.stringify({ ope: { estimator: 'doubly-robust', sampleSize: 60, target: { value: 10, lower: 8, upper: 12, effectiveSampleSize: 40 }, baseline: { value: 9, lower: 8.5, upper: 9.5, effectiveSampleSize: 60 }, difference: { value: 1, lower: 0.2, upper: 1.8 }, targetBeatsBaseline: true } }),
    );
    const state = emptyLearningState();
    state.deployed = { version: 'v1', directory: model, source: model, deployedAt: '2026-01-01T00:10:00.000Z', beatsRules: true, forced: false, estimate: 1 };
    state.events.push({ at: '2026-01-01T00:10:00.000Z', message: 'deployed model v1' }, { at: '2026-01-01T00:20:00.000Z', message: 'ramped the A/B fraction 0.1 → 0.25' });
    await new LearningStateStore(dataDir).update((current) => Object.assign(current, state));
    const { gates } = await gateVerdictsOfState(state);
    expect(gates).toEqual([{ model: 'v1', estimator: 'doubly-robust', learned: { value: 10, ci: [8, 12], effectiveSampleSize: 40 }, rules: { value: 9, ci: [8.5, 9.5], effectiveSampleSize: 60 }, against: 'rules', difference: { value: 1, ci: [0.2, 1.8] }, verdict: 'passed', reason: null, deployed: true }]);

    const before = await snapshot(dataDir);
    const { path, data, extras } = await writeLearningReport({ dataDir, output: join(root, 'out', 'report.html') });
    expect(await snapshot(dataDir)).toEqual(before);
    expect(data.experiences).toBe(30);
    expect(extras.events.map((event) => event.kind)).toEqual(['deploy', 'ramp']);
    expect(extras.heldOut?.measured).toBe(false);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('v1 is deployed: the gate estimated +1.00 [+0.20, +1.80] over the rules; no held-out measurement.');
    expect(html).toContain('Off-policy estimate on the 60 most recent logged sessions');
    expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');
    await expect(writeLearningReport({ dataDir, output: join(root, 'bad.html'), extras: { gates: [{ model: '' }] } as never })).rejects.toThrow(/ReportExtras.*gates\.0/);
  });
});

async function snapshot(directory: string, prefix = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of (await readdir(directory, { withFileTypes: true })).sort((left, right) => left.name.localeCompare(right.name))) {
    const path = join(directory, entry.name);
    const info = await stat(path);
    lines.push(`${prefix}${entry.name} ${info.size} ${info.mtimeMs}`);
    if (entry.isDirectory()) lines.push(...(await snapshot(path, `${prefix}${entry.name}/`)));
  }
  return lines;
}
