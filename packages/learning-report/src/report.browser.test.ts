import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderLearningReport } from './render-report';
import { collectReportData, emptyReportData } from './report-data';
import { chromiumForTests, inspectReportInBrowser, readabilityProblems, type ReportInBrowser } from './testing';
import { sampleExtras, sampleSession } from './test-support/sample-report';

/** Screenshots land in the repository's bench-results/ (ignored by git). */
const screenshots = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
const browser = chromiumForTests();
const directories: string[] = [];
afterAll(() => Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true }))));

async function open(html: string, name: string): Promise<ReportInBrowser[]> {
  const directory = await mkdtemp(join(tmpdir(), 'report-browser-'));
  directories.push(directory);
  const path = join(directory, `${name}.html`);
  await writeFile(path, html);
  return inspectReportInBrowser(path, { chromiumPath: browser.path!, widths: [1280, 400], screenshotDirectory: screenshots, name });
}

describe.skipIf(browser.path === null)(`the report in headless Chromium${browser.skip === null ? '' : ` (skipped: ${browser.skip})`}`, () => {
  it('shows a full run (verdict, held-out table, every chart drawn) on a desktop and a 400 px window', async () => {
    const total = 3_000;
    const data = await collectReportData(Array.from({ length: total }, (_, index) => sampleSession(4, index, total)));
    data.curves = [
      { name: 'demo-v1', xLabel: 'epoch', fields: { trainingPolicyLoss: [[1, 2], [2, 1.5], [3, 1.3]], trainingEntropy: [[1, 5], [2, 4], [3, 3.6]] } },
      { name: 'demo-v2', xLabel: 'epoch', fields: { trainingPolicyLoss: [[1, 1.8], [2, 1.1]], trainingEntropy: [[1, 4.8], [2, 3.9]] } },
    ];
    const views = await open(await renderLearningReport(data, sampleExtras(total), { title: 'Report in the browser: a full run' }), 'report-sample');
    expect(readabilityProblems(views)).toEqual([]);
    for (const view of views) {
      expect(view.verdict).toContain('Keep demo-v2: it beats the rules by +4.30');
      const ids = view.charts.map((chart) => chart.id);
      for (const id of ['cost-quality', 'gates', 'timeline', 'success-over-time', 'cost-over-time', 'model-success', 'model-latency', 'model-cost', 'model-errors', 'task-types', 'held-out-curve', 'curve-trainingPolicyLoss', 'curve-trainingEntropy']) expect(ids).toContain(id);
      expect(view.charts.filter((chart) => chart.empty)).toEqual([]);
    }
  }, 120_000);

  it('shows an empty data dir without errors: the verdict, the table, and why each chart is empty', async () => {
    const views = await open(await renderLearningReport(emptyReportData(), {}, { title: 'Report in the browser: no sessions' }), 'report-empty');
    expect(readabilityProblems(views, { mayBeEmpty: views[0]!.charts.map((chart) => chart.id) })).toEqual([]);
    for (const view of views) {
      expect(view.verdict).toContain('Keep the rules: no model has been trained yet.');
      expect(view.heldOutRows.map((row) => row[0])).toEqual(['rules', 'learned', 'oracle']);
      expect(view.charts.length).toBeGreaterThanOrEqual(10);
      expect(view.charts.every((chart) => chart.empty)).toBe(true);
    }
  }, 120_000);
});
