import { escapeHtml as escapeXml, renderVegaLiteSvg } from '@orchestra/learning-report';
import type { ReplayResult } from './run-replay';

/** The policies in the order tables list them. */
export const replayPolicyNames = ['learned', 'cheapest', 'strongest', 'bestSingle', 'bestLadder', 'bestFallbackLadder', 'random', 'oracle'] as const;

const percent = (value: number) => `${(100 * value).toFixed(1)} %`;
const usd = (value: number) => (value >= 0.01 ? `$${value.toFixed(4)}` : `$${value.toPrecision(3)}`);

function rows(result: ReplayResult): string[][] {
  const strongest = result.policies.strongest;
  const chosen = result.settings.chosen;
  const what: Record<string, string> = {
    learned: `gate ${result.gate.verdict}`,
    cheapest: chosen.cheapest,
    strongest: chosen.strongest,
    bestSingle: chosen.bestSingle,
    bestLadder: chosen.bestLadder.join(' → '),
    bestFallbackLadder: chosen.bestFallbackLadder.join(' → '),
    random: 'uniform model per task',
    oracle: 'best ladder per task',
  };
  return replayPolicyNames.map((name) => {
    const policy = result.policies[name];
    return [
      name,
      what[name] ?? '',
      percent(policy.successRate),
      usd(policy.costPerTask),
      strongest.costPerTask > 0 ? percent(policy.costPerTask / strongest.costPerTask) : '—',
      policy.meanReward.toFixed(4),
    ];
  });
}

/** The result as Markdown: the policies on the test tasks and the cost–quality curve of the learned policy. */
export function formatReplayReport(result: ReplayResult): string {
  const settings = result.settings;
  const lines = [
    `Replay (seed ${result.seed}): ${result.tasks.train} train tasks (${result.experiences} logged experiences, ${settings.passes} pass(es), ε ${settings.exploration}), ${result.tasks.test} test tasks, ${result.models.length} models, ladders of up to ${settings.maxLadder}`,
    `reward = success − ${settings.costWeight} × cost / ${usd(settings.referenceCostUsd)} (the most expensive model's mean cost per train task); fallback order ${settings.fallbackOrderFrom === 'train' ? '(chosen on train) ' : ''}${settings.fallbackOrder.join(' → ')}; the logging policy explores ${settings.exploredHeads.join(', ')}${settings.candidateShare > 0 ? `; exploration candidate on ${settings.candidateShare * 100} % of the sessions after each pass` : ''}`,
    '',
    '| policy | chose | success | cost per task | cost vs strongest | mean reward |',
    '|---|---|---:|---:|---:|---:|',
    ...rows(result).map((row) => `| ${row.join(' | ')} |`),
    '',
    'Cost–quality curve (the learned policy retrained at each cost weight):',
    '',
    '| cost weight | success | cost per task | mean reward | gate |',
    '|---:|---:|---:|---:|---|',
    ...result.curve.map((point) => `| ${point.costWeight} | ${percent(point.successRate)} | ${usd(point.costPerTask)} | ${point.meanReward.toFixed(4)} | ${point.gate} |`),
    '',
    `Gate: ${result.gate.verdict}${result.gate.reason === null ? '' : ` — ${result.gate.reason}`}. Router fallbacks on test: ${Object.keys(result.fallbacks).length === 0 ? 'none' : JSON.stringify(result.fallbacks)}.`,
    `Time: logging ${(result.timings.loggingMs / 1000).toFixed(1)} s, training ${(result.timings.trainingMs / 1000).toFixed(1)} s, total ${(result.timings.totalMs / 1000).toFixed(1)} s.`,
  ];
  return lines.join('\n');
}

/** A self-contained HTML page (inline SVG, no script): the table and the cost–quality chart (Vega-Lite, rendered to SVG). */
export async function renderReplayHtml(result: ReplayResult, title = 'Orchestra replay'): Promise<string> {
  const curve = [...result.curve].sort((left, right) => left.costPerTask - right.costPerTask).map((point) => ({ policy: 'learned (curve over cost weights)', cost: point.costPerTask, success: point.successRate, label: `w=${point.costWeight}` }));
  const points = (['strongest', 'bestLadder', 'oracle'] as const).map((name) => ({ policy: name, cost: result.policies[name].costPerTask, success: result.policies[name].successRate, label: name }));
  const x = { field: 'cost', type: 'quantitative', title: 'cost per task (USD)', scale: { zero: false } } as const;
  const y = { field: 'success', type: 'quantitative', title: 'success rate', axis: { format: '.0%' }, scale: { zero: false } } as const;
  const color = { field: 'policy', type: 'nominal', title: null } as const;
  const chart = await renderVegaLiteSvg({
    title: 'Success vs cost per task (test tasks)',
    width: 560,
    height: 300,
    layer: [
      { data: { values: curve }, mark: { type: 'line', point: true }, encoding: { x, y, color, order: { field: 'cost' } } },
      { data: { values: curve }, mark: { type: 'text', dy: -9, fontSize: 10 }, encoding: { x, y, text: { field: 'label' } } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 90 }, encoding: { x, y, color } },
      { data: { values: points }, mark: { type: 'text', align: 'left', dx: 8, dy: 10, fontSize: 11 }, encoding: { x, y, text: { field: 'label' } } },
    ],
  });
  const table = [
    '<table><thead><tr><th>policy</th><th>chose</th><th>success</th><th>cost per task</th><th>cost vs strongest</th><th>mean reward</th></tr></thead><tbody>',
    ...rows(result).map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #d1d5db;padding:.25rem .5rem;text-align:right}td:first-child,td:nth-child(2),th{text-align:left}pre{white-space:pre-wrap}</style>',
    '</head><body>',
    `<h1>${escapeXml(title)}</h1>`,
    table,
    chart,
    `<pre>${escapeXml(formatReplayReport(result))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
