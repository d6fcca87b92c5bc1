// The report at 0, 1, 1,000, 100,000 and 1,000,000 sessions: the time to gather the data (one pass, bounded
// buckets) against a baseline pass over the same sessions that only sums their rewards, the time to render the page,
// and its size (which must not grow with the sessions: the charts draw aggregates). Seeded; writes
// bench-results/learning-report.json. Usage: pnpm --filter @orchestra/learning-report bench [--sizes 0,1,1000]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Experience } from '@orchestra/learning-types';
import { addExperienceToReport, emptyReportData, renderLearningReport } from '../src/index';
import { sampleExtras, sampleSession } from '../src/test-support/sample-report';

const sizesArgument = process.argv.indexOf('--sizes');
const sizes = sizesArgument > 0 ? process.argv[sizesArgument + 1]!.split(',').map(Number) : [0, 1, 1_000, 100_000, 1_000_000];
const seed = 21;
/** Distinct sessions generated; longer runs repeat them with their own index, time, mode and policy. */
const distinct = 2_000;

function* sessions(total: number): Generator<Experience> {
  const bases = Array.from({ length: Math.min(total, distinct) }, (_, index) => sampleSession(seed, index, Math.min(total, distinct)));
  for (let index = 0; index < total; index += 1) {
    const shaped = sampleSession.shape(index, total);
    yield { ...bases[index % bases.length]!, timestamp: shaped.timestamp, mode: shaped.mode, policy: shaped.policy };
  }
}

const rows: Array<Record<string, number>> = [];
for (const total of sizes) {
  let started = performance.now();
  let sum = 0;
  for (const experience of sessions(total)) sum += experience.reward.total;
  const baselineMs = performance.now() - started;
  started = performance.now();
  const data = emptyReportData();
  for (const experience of sessions(total)) addExperienceToReport(data, experience);
  const collectMs = performance.now() - started;
  started = performance.now();
  const html = await renderLearningReport(data, total === 0 ? {} : sampleExtras(total), { generatedAt: new Date(0) });
  const renderMs = performance.now() - started;
  rows.push({ sessions: total, baselineMs, collectMs, ratio: baselineMs === 0 ? 0 : collectMs / baselineMs, renderMs, buckets: data.buckets.length, htmlKiB: Buffer.byteLength(html) / 1024, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, checksum: sum });
}

const cell = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
console.log('| sessions | baseline pass (sum rewards) | gather report data | ratio | render page (Vega-Lite → SVG) | buckets | page size | heap after |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(`| ${cell(row.sessions!)} | ${cell(row.baselineMs!, 1)} ms | ${cell(row.collectMs!, 1)} ms | ${row.sessions === 0 ? '–' : `${cell(row.ratio!, 1)}×`} | ${cell(row.renderMs!)} ms | ${row.buckets} | ${cell(row.htmlKiB!)} KiB | ${cell(row.heapMiB!)} MiB |`);
}
const out = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'learning-report.json'), `${JSON.stringify({ seed, distinct, rows }, null, 2)}\n`);
