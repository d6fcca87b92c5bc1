import { barChart, escapeXml, formatNumber, lineChart, type LineSeries } from './svg-charts';
import { bucketMeans, quantile, type ReportData } from './report-data';

/** Renders the report as one self-contained HTML page (inline CSS and SVG, no scripts, no network). */
export function renderLearningReport(data: ReportData, options: { title?: string; generatedAt?: Date; subtitle?: string } = {}): string {
  const title = options.title ?? 'Orchestra Learning report';
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const sources = Object.keys(data.bySource).sort();
  const rewardSeries: LineSeries[] = sources.map((source) => ({ name: source, points: bucketMeans(data.bySource[source]!.rewards) }));
  const costSeries: LineSeries[] = sources.map((source) => ({ name: source, points: bucketMeans(data.bySource[source]!.costs) }));
  const taskTypes = Object.entries(data.byTaskType).sort((left, right) => right[1].count - left[1].count);
  const models = Object.entries(data.byModel).sort((left, right) => right[1].attempts - left[1].attempts);

  const summaryRows = sources
    .map((source) => {
      const group = data.bySource[source]!;
      const count = group.rewards.length;
      const meanReward = group.rewards.reduce((sum, value) => sum + value, 0) / count;
      const meanCost = group.costs.reduce((sum, value) => sum + value, 0) / count;
      return `<tr><td>${escapeXml(source)}</td><td>${count}</td><td>${formatNumber(meanReward)}</td><td>${((group.successes / count) * 100).toFixed(1)} %</td><td>${meanCost.toFixed(4)}</td></tr>`;
    })
    .join('');
  const modelRows = models
    .map(([model, stats]) => {
      const p50 = quantile(stats.latencies, 0.5);
      const p95 = quantile(stats.latencies, 0.95);
      return `<tr><td>${escapeXml(model)}</td><td>${stats.attempts}</td><td>${stats.attempts === 0 ? '–' : `${(((stats.attempts - stats.failures) / stats.attempts) * 100).toFixed(1)} %`}</td><td>${p50 === null ? '–' : formatNumber(p50)}</td><td>${p95 === null ? '–' : formatNumber(p95)}</td></tr>`;
    })
    .join('');

  const charts: string[] = [
    lineChart({ title: 'Reward over time by policy source', xLabel: 'sessions of that source (bucket means)', yLabel: 'reward', series: rewardSeries }),
    lineChart({ title: 'Cost per session', xLabel: 'sessions of that source (bucket means)', yLabel: 'USD per session', series: costSeries }),
    barChart({
      title: 'Success rate by task type',
      maxValue: 1,
      bars: taskTypes.map(([type, stats]) => ({ label: type, value: stats.successes / stats.count, note: `${((stats.successes / stats.count) * 100).toFixed(1)} % of ${stats.count}` })),
    }),
    barChart({ title: 'Model usage (attempts)', bars: models.map(([model, stats]) => ({ label: model, value: stats.attempts })) }),
    barChart({
      title: 'Model latency p95 (ms)',
      bars: models.filter(([, stats]) => stats.latencies.length > 0).map(([model, stats]) => ({ label: model, value: quantile(stats.latencies, 0.95)!, note: `p50 ${formatNumber(quantile(stats.latencies, 0.5)!)} · p95 ${formatNumber(quantile(stats.latencies, 0.95)!)} ms` })),
    }),
  ];
  const curveCharts = data.curves.map((curve) =>
    lineChart({ title: `Learning curve: ${curve.name}`, xLabel: curve.xLabel, yLabel: 'value', series: Object.entries(curve.fields).slice(0, 6).map(([name, points]) => ({ name, points })) }),
  );

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1340px;color:#111827;padding:0 1rem}
h1{margin-bottom:.2rem}.muted{color:#6b7280}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(650px,1fr));gap:1rem}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:.5rem;background:#fff}
svg{max-width:100%;height:auto;font-family:inherit}
table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #e5e7eb;padding:.3rem .8rem;text-align:right}td:first-child,th:first-child{text-align:left}
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p class="muted">${data.experiences} experiences${data.firstTimestamp === null ? '' : ` from ${escapeXml(data.firstTimestamp)} to ${escapeXml(data.lastTimestamp!)}`} · generated ${escapeXml(generatedAt)}${options.subtitle === undefined ? '' : ` · ${escapeXml(options.subtitle)}`}</p>
<h2>By policy source</h2>
<table><thead><tr><th>source</th><th>sessions</th><th>mean reward</th><th>success</th><th>cost / session (USD)</th></tr></thead><tbody>${summaryRows || '<tr><td colspan="5">no experiences yet</td></tr>'}</tbody></table>
<div class="grid">${charts.map((chart) => `<div class="card">${chart}</div>`).join('\n')}</div>
<h2>Models</h2>
<table><thead><tr><th>model</th><th>attempts</th><th>success</th><th>latency p50 (ms)</th><th>latency p95 (ms)</th></tr></thead><tbody>${modelRows || '<tr><td colspan="5">no model calls recorded</td></tr>'}</tbody></table>
<h2>Drift</h2>
${data.drift.length === 0 ? '<p class="muted">No change detected (per-model CUSUM on error rate, latency and success; learned arm against the rules).</p>' : `<table><thead><tr><th>at</th><th>what</th><th>metric</th><th>change</th><th>response</th></tr></thead><tbody>${data.drift
  .map((event) => `<tr><td>${escapeXml(event.at)}</td><td>${escapeXml(event.subject)}</td><td>${escapeXml(event.metric)}</td><td>${formatNumber(event.baseline)} → ${formatNumber(event.changed)} (${event.degraded ? 'worse' : 'better'})</td><td>${escapeXml(event.response)}</td></tr>`)
  .join('')}</tbody></table>`}
<p class="muted">${data.joined.amended} experiences amended by later outcomes; rewards ${data.joined.rewardVersion === null ? 'as stored' : `of reward version ${escapeXml(data.joined.rewardVersion)} (re-scored; the stored figures are kept)`}.</p>
<h2>Learning curves</h2>
${curveCharts.length === 0 ? '<p class="muted">No training metrics yet (the trainer writes them to &lt;dataDir&gt;/metrics/*.jsonl).</p>' : `<div class="grid">${curveCharts.map((chart) => `<div class="card">${chart}</div>`).join('\n')}</div>`}
</body></html>
`;
}
