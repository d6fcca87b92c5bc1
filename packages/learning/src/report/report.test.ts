import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { describe, expect, it } from 'vitest';
import { LearningStateStore } from '../learning-state';
import { makeExperience } from '../test-support/make-experience';
import { renderLearningReport } from './render-report';
import { bucketMeans, quantile } from './report-data';
import { escapeXml, lineChart, niceTicks } from './svg-charts';
import { collectReportData, writeLearningReport } from './write-learning-report';

describe('report pieces', () => {
  it('computes quantiles, bucket means and round ticks', () => {
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([], 0.5)).toBeNull();
    expect(bucketMeans([1, 2, 3, 4], 2)).toEqual([[2, 1.5], [4, 3.5]]);
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });

  it('draws one path per series and says so when there is no data', () => {
    const svg = lineChart({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'rules', points: [[1, 1], [2, 3]] }, { name: 'learned', points: [[1, 2], [2, 2]] }] });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(lineChart({ title: 'T', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data yet');
  });

  it('summarises sources, task types and models from experiences', async () => {
    const experiences = [
      makeExperience(1, { source: 'rules', reward: 100, cost: 0.1, latencyMs: 1000 }),
      makeExperience(2, { source: 'learned', reward: 150, cost: 0.05, taskType: 'bugfix', model: 'kimi-k2.5', latencyMs: 3000 }),
      makeExperience(3, { source: 'rules', success: false, cost: 0.2, taskType: 'bugfix', latencyMs: 2000 }),
    ];
    const data = await collectReportData(experiences);
    expect(data.bySource.rules!.rewards).toEqual([100, -100]);
    expect(data.byTaskType.bugfix).toEqual({ count: 2, successes: 1 });
    expect(data.byModel['glm-4.7']).toMatchObject({ attempts: 2, failures: 1, latencies: [1000, 2000] });
    const html = renderLearningReport(data, { generatedAt: new Date('2026-11-25T00:00:00Z') });
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('kimi-k2.5');
  });
});

describe('writeLearningReport', () => {
  it('writes a self-contained page from the buffer and the metrics directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'learning-report-'));
    const store = await JsonlExperienceStore.open({ dataDir });
    await store.append(Array.from({ length: 30 }, (_, index) => makeExperience(index, { source: index % 3 === 0 ? 'learned' : 'rules', reward: index })));
    await store.close();
    await mkdir(join(dataDir, 'metrics'));
    await writeFile(join(dataDir, 'metrics', 'train.jsonl'), '{"epoch":1,"loss":2}\n{"epoch":2,"loss":1.5}\nnot json\n');
    const { path, data } = await writeLearningReport({ dataDir, output: join(dataDir, 'out', 'report.html') });
    expect(data.experiences).toBe(30);
    expect(data.curves).toEqual([{ name: 'train', xLabel: 'epoch', fields: { loss: [[1, 2], [2, 1.5]] } }]);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('Learning curve: train');
  });

  it('shows the drift events of the state file and the experiences amended by later outcomes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'learning-report-drift-'));
    const store = await JsonlExperienceStore.open({ dataDir });
    const experiences = Array.from({ length: 10 }, (_, index) => ({ ...makeExperience(index, { reward: index }), sessionId: `report-${index}` }));
    await store.append(experiences);
    await store.outcomeEvents().append([{ schemaVersion: 1, id: 'late', sessionId: experiences[2]!.sessionId!, timestamp: '2026-12-01T00:00:00.000Z', patch: { safetyViolations: 2 } }]);
    await store.close();
    const state = new LearningStateStore(dataDir);
    await state.update((current) => {
      current.drift.events.push({ at: '2026-12-01T00:00:00.000Z', sessionsRecorded: 900, subject: 'gpt-5.2-codex', metric: 'errorRate', direction: 'up', degraded: true, baseline: 0.01, changed: 0.15, response: 'exploration' });
    });
    const { path, data } = await writeLearningReport({ dataDir, output: join(dataDir, 'report.html') });
    expect(data.drift).toEqual([{ at: '2026-12-01T00:00:00.000Z', subject: 'gpt-5.2-codex', metric: 'errorRate', direction: 'up', degraded: true, baseline: 0.01, changed: 0.15, response: 'exploration' }]);
    expect(data.joined.amended).toBe(1);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('<td>gpt-5.2-codex</td><td>errorRate</td>');
    expect(html).toContain('1 experiences amended by later outcomes');
  });
});
