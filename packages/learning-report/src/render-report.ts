import { costQualityChart, gateChart, heldOutCurveChart, learningCurveCharts, modelHealthCharts, outcomeOverTimeCharts, taskTypeChart, timelineChart, type ChartSpec } from './chart-specs';
import { renderVegaLiteSvg, type VegaLiteSpec } from './render-chart';
import { sessionAt, type ReportData } from './report-data';
import { parseReportExtras, type GateVerdict, type HeldOutPolicy, type ReportExtras, type ReportExtrasInput } from './report-input';

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

function withInterval(value: number, ci: readonly [number, number] | undefined, sign = false): string {
  const text = sign ? signed(value) : fixed(value);
  return ci === undefined ? text : `${text} [${sign ? signed(ci[0]) : fixed(ci[0])}, ${sign ? signed(ci[1]) : fixed(ci[1])}]`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function usd(value: number): string {
  return `$${value < 0.1 ? value.toFixed(4) : value.toFixed(3)}`;
}

/** The verdict at the top of the page: what is deployed, what it is worth against the rules, what the gate said. */
export interface Verdict {
  /** `good`: a deployed model beats the rules; `bad`: it does worse; `neutral`: not established or nothing deployed. */
  tone: 'good' | 'bad' | 'neutral';
  headline: string;
  lines: string[];
}

function lastGate(extras: ReportExtras, model: string | null): GateVerdict | undefined {
  const gates = extras.gates;
  if (model !== null) {
    for (let index = gates.length - 1; index >= 0; index -= 1) if (gates[index]!.model === model) return gates[index];
  }
  return gates.at(-1);
}

/** The gate's reason without a repeat of the verdict (`the gate refused: …` under `refused`). */
function reasonOf(gate: GateVerdict): string | null {
  return gate.reason === null ? null : gate.reason.replace(/^the gate (refused|passed):\s*/, '');
}

function gateText(gate: GateVerdict): string {
  const estimate = gate.difference === null ? 'no estimate' : `estimated learned − rules ${withInterval(gate.difference.value, gate.difference.ci, true)}`;
  const sample = gate.learned?.effectiveSampleSize === undefined ? '' : `, effective sample size ${Math.round(gate.learned.effectiveSampleSize)}`;
  const verdict = gate.verdict === 'passed' ? (gate.deployed ? 'passed → deployed' : 'passed') : gate.verdict === 'refused' ? 'refused' : 'not evaluated';
  const reason = reasonOf(gate);
  return `${gate.model}: ${verdict} (${gate.estimator ?? 'off-policy estimate'}: ${estimate}${sample})${reason === null ? '' : ` — ${reason}`}`;
}

/** Decides the headline from the deployed policy, the held-out measurement and the last gate verdict. */
export function verdictOf(data: ReportData, extras: ReportExtras): Verdict {
  const model = extras.deployed?.model ?? null;
  const mode = extras.deployed?.mode;
  const measured = extras.heldOut?.measured === false ? undefined : extras.heldOut?.difference;
  const gate = lastGate(extras, model);
  const lines: string[] = [];
  lines.push(`Deployed policy: ${model === null ? 'the rules (no model deployed)' : model}${mode === undefined ? '' : ` · mode ${mode}`} · ${data.experiences} sessions logged.`);
  if (measured !== undefined) lines.push(`Measured advantage of the learned policy over the rules: ${withInterval(measured.mean, measured.ci, true)} mean reward (95 % CI, paired, ${extras.heldOut!.description}).`);
  else if (extras.heldOut !== undefined && extras.heldOut.measured !== false) lines.push(`Measured advantage over the rules: none to measure, the rules served the held-out tasks (${extras.heldOut.description}) as no model is deployed.`);
  else lines.push('Measured advantage over the rules: not measured here (held-out tasks need a simulator or an A/B test; see the estimate).');
  if (gate !== undefined) lines.push(`Estimated advantage (deploy gate): ${gateText(gate)}.`);
  else lines.push('Deploy gate: no model trained yet.');
  const policies = new Map((extras.heldOut?.policies ?? []).map((policy) => [policy.name, policy]));
  const learned = policies.get('learned');
  const rules = policies.get('rules');
  if (learned?.costPerSession !== undefined && rules?.costPerSession !== undefined && rules.costPerSession > 0 && learned.successRate !== undefined && rules.successRate !== undefined) {
    const change = learned.costPerSession / rules.costPerSession - 1;
    lines.push(`Cost per session: ${usd(learned.costPerSession)} learned vs ${usd(rules.costPerSession)} rules (${signed(change * 100, 1)} %) at ${percent(learned.successRate)} vs ${percent(rules.successRate)} success.`);
  }
  let headline: string;
  let tone: Verdict['tone'] = 'neutral';
  if (model === null) {
    headline = gate === undefined ? 'Keep the rules: no model has been trained yet.' : `Keep the rules: no model passed the deploy gate (last: ${gate.model}, ${gate.verdict}).`;
  } else if (measured !== undefined) {
    if (measured.ci[0] > 0) {
      tone = 'good';
      headline = `Keep ${model}: it beats the rules by ${signed(measured.mean)} mean reward [${signed(measured.ci[0])}, ${signed(measured.ci[1])}].`;
    } else if (measured.ci[1] < 0) {
      tone = 'bad';
      headline = `Roll back ${model}: it does worse than the rules by ${fixed(-measured.mean)} mean reward [${signed(measured.ci[0])}, ${signed(measured.ci[1])}].`;
    } else headline = `${model} is deployed, but its advantage over the rules is not established: ${withInterval(measured.mean, measured.ci, true)} includes 0.`;
  } else if (gate?.difference !== null && gate?.difference !== undefined) {
    tone = gate.difference.ci[0] > 0 ? 'good' : 'neutral';
    headline = `${model} is deployed: the gate estimated ${withInterval(gate.difference.value, gate.difference.ci, true)} over the rules${gate.difference.ci[0] > 0 ? '' : ' (not established)'}; no held-out measurement.`;
  } else headline = `${model} is deployed without a gate estimate against the rules.`;
  return { tone, headline, lines };
}

const policyOrder = ['rules', 'learned', 'oracle'];
const missingPolicy: Record<string, string> = {
  rules: 'not measured',
  learned: 'not measured: no model deployed (the rules act)',
  oracle: 'not available (needs a simulator: the demo measures it)',
};

function heldOutTable(extras: ReportExtras): string {
  const policies = extras.heldOut?.policies ?? [];
  const byName = new Map(policies.map((policy) => [policy.name, policy]));
  const names = [...policyOrder, ...policies.map((policy) => policy.name).filter((name) => !policyOrder.includes(name))];
  const withSample = policies.some((policy) => policy.effectiveSampleSize !== undefined);
  const row = (name: string, policy: HeldOutPolicy | undefined) =>
    policy === undefined
      ? `<tr><td>${escapeHtml(name)}</td><td colspan="${withSample ? 4 : 3}" class="muted">${escapeHtml(missingPolicy[name] ?? 'not measured')}</td></tr>`
      : `<tr><td>${escapeHtml(name)}</td><td>${withInterval(policy.meanReward, policy.ci)}</td><td>${policy.successRate === undefined ? '–' : percent(policy.successRate)}</td><td>${policy.costPerSession === undefined ? '–' : usd(policy.costPerSession)}</td>${withSample ? `<td>${policy.effectiveSampleSize === undefined ? '–' : Math.round(policy.effectiveSampleSize)}</td>` : ''}</tr>`;
  return `<table id="held-out-table"><thead><tr><th>policy</th><th>mean reward [95 % CI]</th><th>success</th><th>cost / session</th>${withSample ? '<th>effective sample size</th>' : ''}</tr></thead><tbody>${names.map((name) => row(name, byName.get(name))).join('')}</tbody></table>
<p class="muted">${extras.heldOut === undefined ? 'Nothing held out yet: train a model (its deploy gate estimates it on the most recent logs) or run the demo (it measures rules, learned and oracle on fresh tasks).' : `${extras.heldOut.measured ? 'Measured on' : 'Off-policy estimate on'} ${escapeHtml(extras.heldOut.description)}.`}</p>`;
}

function gateTable(extras: ReportExtras): string {
  if (extras.gates.length === 0) return '<p class="muted">No deploy-gate verdict yet.</p>';
  const estimate = (entry: { value: number; ci: [number, number] } | null) => (entry === null ? '–' : withInterval(entry.value, entry.ci));
  return `<table id="gate-table"><thead><tr><th>model</th><th>sessions</th><th>learned (est.)</th><th>rules (est.)</th><th>learned − rules</th><th>ESS</th><th>verdict</th></tr></thead><tbody>${extras.gates
    .map(
      (gate) =>
        `<tr><td>${escapeHtml(gate.model)}</td><td>${gate.sessionsSeen ?? '–'}</td><td>${estimate(gate.learned)}</td><td>${estimate(gate.rules)}${gate.against === 'rules' ? '' : ` (${escapeHtml(gate.against)})`}</td><td>${gate.difference === null ? '–' : withInterval(gate.difference.value, gate.difference.ci, true)}</td><td>${gate.learned?.effectiveSampleSize === undefined ? '–' : Math.round(gate.learned.effectiveSampleSize)}</td><td class="verdict-${gate.verdict}">${gate.verdict === 'passed' ? (gate.deployed ? 'passed, deployed' : 'passed') : escapeHtml(gate.verdict)}${reasonOf(gate) === null ? '' : `: ${escapeHtml(reasonOf(gate)!)}`}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/** Most rows of the event table (the chart shows them all). */
const EVENT_ROWS = 200;

function eventTable(data: ReportData, extras: ReportExtras): string {
  if (extras.events.length === 0) return '<p class="muted">No mode change, ramp step, breach, rollback or drift event recorded.</p>';
  const rows = extras.events.map((event) => ({ ...event, position: event.session ?? (event.at === undefined ? null : sessionAt(data, event.at)) }));
  const shown = rows.slice(-EVENT_ROWS);
  return `<table id="event-table"><thead><tr><th>session</th><th>event</th><th>what happened</th></tr></thead><tbody>${shown
    .map((event) => `<tr><td>${event.position ?? '–'}</td><td>${escapeHtml(event.kind)}</td><td class="text">${escapeHtml(event.message)}</td></tr>`)
    .join('')}</tbody></table>${rows.length > shown.length ? `<p class="muted">${rows.length - shown.length} earlier events are drawn on the chart, not listed.</p>` : ''}`;
}

function sourceTable(data: ReportData): string {
  const rows = Object.entries(data.bySource)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([source, totals]) => `<tr><td>${escapeHtml(source)}</td><td>${totals.sessions}</td><td>${fixed(totals.rewardSum / totals.sessions)}</td><td>${percent(totals.successes / totals.sessions)}</td><td>${usd(totals.costSum / totals.sessions)}</td></tr>`);
  return `<table id="source-table"><thead><tr><th>served by</th><th>sessions</th><th>mean reward</th><th>success</th><th>cost / session</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="5" class="muted">no sessions logged yet</td></tr>'}</tbody></table>`;
}

function modelTable(data: ReportData): string {
  const rows = Object.entries(data.byModel)
    .sort((left, right) => right[1].calls - left[1].calls)
    .map(([model, totals]) => {
      const p50 = totals.latency.quantile(0.5);
      const p95 = totals.latency.quantile(0.95);
      const errors = Object.entries(totals.errors).sort((left, right) => right[1] - left[1]);
      return `<tr><td>${escapeHtml(model)}</td><td>${totals.calls}</td><td>${totals.calls === 0 ? '–' : percent((totals.calls - totals.failures) / totals.calls)}</td><td>${p50 === null ? '–' : fixed(p50 / 1000, 1)}</td><td>${p95 === null ? '–' : fixed(p95 / 1000, 1)}</td><td>${totals.costedCalls === 0 ? '–' : usd(totals.costSum / totals.costedCalls)}</td><td class="text">${errors.length === 0 ? '–' : escapeHtml(errors.map(([code, count]) => `${code} ${count}`).join(', '))}</td></tr>`;
    });
  return `<table id="model-table"><thead><tr><th>model</th><th>calls</th><th>success</th><th>latency p50 (s)</th><th>latency p95 (s)</th><th>cost / call</th><th>error codes</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="7" class="muted">no model calls recorded</td></tr>'}</tbody></table>`;
}

function driftSection(data: ReportData): string {
  if (data.drift.length === 0) return '<p class="muted" id="drift-none">No change detected (per-model CUSUM on error rate, latency and success; learned arm against the rules).</p>';
  return `<table id="drift-table"><thead><tr><th>at</th><th>what</th><th>metric</th><th>change</th><th>response</th></tr></thead><tbody>${data.drift
    .map((event) => `<tr><td>${escapeHtml(event.at)}</td><td>${escapeHtml(event.subject)}</td><td>${escapeHtml(event.metric)}</td><td>${fixed(event.baseline, 3)} → ${fixed(event.changed, 3)} (${event.degraded ? 'worse' : 'better'})</td><td>${escapeHtml(event.response)}</td></tr>`)
    .join('')}</tbody></table>`;
}

async function figure(chart: ChartSpec, onWarning: (message: string) => void): Promise<string> {
  const body = chart.spec === null ? `<p class="empty">${escapeHtml(chart.empty ?? 'No data yet.')}</p>` : await renderVegaLiteSvg(chart.spec as unknown as VegaLiteSpec, (message) => onWarning(`${chart.id}: ${message}`));
  return `<figure class="chart${chart.spec === null ? ' chart-empty' : ''}" data-chart="${escapeHtml(chart.id)}"><figcaption><strong>${escapeHtml(chart.title)}</strong><span>${escapeHtml(chart.caption)}</span></figcaption>${body}</figure>`;
}

async function figures(charts: readonly ChartSpec[], onWarning: (message: string) => void): Promise<string> {
  const rendered: string[] = [];
  for (const chart of charts) rendered.push(await figure(chart, onWarning));
  return `<div class="grid">${rendered.join('\n')}</div>`;
}

const style = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:1.5rem auto;max-width:1240px;color:#111827;padding:0 1rem;line-height:1.45}
h1{margin:0 0 .2rem;font-size:1.5rem}h2{margin:2rem 0 .5rem;font-size:1.2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}
.muted{color:#6b7280}
#verdict{border-radius:10px;padding:1rem 1.2rem;margin:1rem 0;border:1px solid #d1d5db;background:#f9fafb}
#verdict.good{border-color:#16a34a;background:#f0fdf4}#verdict.bad{border-color:#dc2626;background:#fef2f2}
#verdict .headline{font-size:1.15rem;font-weight:600;margin:0 0 .4rem}#verdict ul{margin:0;padding-left:1.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,540px),1fr));gap:1rem}
.chart{margin:0;border:1px solid #e5e7eb;border-radius:8px;padding:.6rem;background:#fff;min-width:0}
.chart figcaption{margin-bottom:.4rem}.chart figcaption strong{display:block}.chart figcaption span{display:block;font-size:.85rem;color:#4b5563}
.chart svg{display:block;max-width:100%;height:auto}
.empty{color:#6b7280;font-style:italic;margin:2rem 0;text-align:center}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}td,th{border-bottom:1px solid #e5e7eb;padding:.3rem .7rem;text-align:right;vertical-align:top}
td:first-child,th:first-child,td.text{text-align:left}th{font-weight:600;background:#f9fafb}
.verdict-passed{color:#15803d}.verdict-refused{color:#b91c1c}
`;

/** Options of `renderLearningReport`. */
export interface RenderReportOptions {
  title?: string;
  subtitle?: string;
  generatedAt?: Date;
  /** Receives the charting library's warnings (`<chart id>: <message>`); default: dropped. */
  onChartWarning?: (message: string) => void;
}

/**
 * Renders the report as one self-contained HTML page (inline CSS and SVG, no script, no network): the verdict, the
 * held-out table, the cost–quality picture, the timeline, per-model health, learning curves and drift. `extras`
 * is validated (`ValidationError` naming the field on bad input).
 */
export async function renderLearningReport(data: ReportData, extrasInput: ReportExtrasInput = {}, options: RenderReportOptions = {}): Promise<string> {
  const extras = parseReportExtras(extrasInput);
  const title = options.title ?? 'Orchestra Learning report';
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const verdict = verdictOf(data, extras);
  const curves = learningCurveCharts(data);
  const heldOutCurve = heldOutCurveChart(extras);
  const warn = options.onChartWarning ?? (() => {});
  const wrap = (table: string) => `<div class="table-wrap">${table}</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${style}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${data.experiences} sessions${data.firstTimestamp === null ? '' : ` from ${escapeHtml(data.firstTimestamp)} to ${escapeHtml(data.lastTimestamp!)}`} · generated ${escapeHtml(generatedAt)}${options.subtitle === undefined ? '' : ` · ${escapeHtml(options.subtitle)}`}</p>
<section id="verdict" class="${verdict.tone}"><p class="headline">${escapeHtml(verdict.headline)}</p><ul>${verdict.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul></section>
<h2>Held-out result</h2>
<section id="held-out">${wrap(heldOutTable(extras))}</section>
<h2>Cost and quality</h2>
${await figures([costQualityChart(data, extras), gateChart(extras)], warn)}
<section id="gates">${wrap(gateTable(extras))}</section>
<h2>Timeline: modes, A/B fraction, events</h2>
${await figures([timelineChart(data, extras), ...outcomeOverTimeCharts(data)], warn)}
<section id="events">${wrap(eventTable(data, extras))}</section>
${wrap(sourceTable(data))}
<h2>Model health</h2>
${await figures(modelHealthCharts(data), warn)}
${wrap(modelTable(data))}
<h2>Task types</h2>
${await figures([taskTypeChart(data)], warn)}
<h2>Learning curves</h2>
${heldOutCurve === null && curves.charts.length === 0 ? '<p class="muted">No training metrics yet (the trainer writes them to &lt;dataDir&gt;/metrics/*.jsonl).</p>' : await figures([...(heldOutCurve === null ? [] : [heldOutCurve]), ...curves.charts], warn)}
${curves.omitted.length === 0 ? '' : `<p class="muted">Also recorded, not drawn: ${escapeHtml(curves.omitted.join(', '))}.</p>`}
<h2>Drift</h2>
<section id="drift">${wrap(driftSection(data))}</section>
<p class="muted">${data.joined.amended} sessions amended by later outcomes; rewards ${data.joined.rewardVersion === null ? 'as stored' : `of reward version ${escapeHtml(data.joined.rewardVersion)} (re-scored; the stored figures are kept)`}.</p>
</body></html>
`;
}
