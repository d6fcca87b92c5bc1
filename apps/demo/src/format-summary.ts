import type { DemoSummary, LearningCurvePoint } from './run-demo';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A plain text table (first column left-aligned, the others right-aligned). */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => pad(cell, widths[column]!, column > 0)).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The learning curve as an ASCII chart: R = rules, L = learned (greedy), O = oracle; x = sessions seen. */
export function formatLearningCurve(points: readonly LearningCurvePoint[], height = 12): string {
  if (points.length === 0) return '(no learning curve)';
  const values = points.flatMap((point) => [point.rules, point.learned, point.oracle]).filter(Number.isFinite);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const columnWidth = 7;
  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: points.length * columnWidth }, () => ' '));
  const rowOf = (value: number) => height - 1 - Math.round(((value - low) / span) * (height - 1));
  points.forEach((point, index) => {
    const column = index * columnWidth + 3;
    for (const [mark, value] of [['R', point.rules], ['O', point.oracle], ['L', point.learned]] as const) {
      if (!Number.isFinite(value)) continue;
      const row = grid[rowOf(value)]!;
      row[column] = row[column] === ' ' ? mark : row[column] === mark ? mark : '*';
    }
  });
  const labels = grid.map((row, index) => {
    const value = high - (index / (height - 1)) * span;
    return `${pad(fixed(value, 1), 8, true)} |${row.join('')}`;
  });
  const axis = `${' '.repeat(9)}+${'-'.repeat(points.length * columnWidth)}`;
  const ticks = `${' '.repeat(10)}${points.map((point) => pad(String(point.sessionsSeen), columnWidth, true).slice(-columnWidth)).join('')}`;
  return [...labels, axis, ticks, `${' '.repeat(10)}sessions seen   R rules  L learned (greedy)  O oracle  * overlap`].join('\n');
}

/** The cost–quality knob on the held-out tasks: success and cost per session of each policy at each cost weight. */
export function formatCostQualityCurves(summary: Pick<DemoSummary, 'costQualityCurves' | 'policies'>): string {
  const { rules, learned, served } = summary.costQualityCurves;
  const header = ['cost weight', 'rules success', 'rules cost/session', 'rules reward'];
  if (learned !== null) header.push(`${learned.model} success`, 'cost/session', 'reward');
  const rows = rules.points.map((point, index) => {
    const row = [String(point.costWeight), `${fixed(point.successRate * 100, 1)} %`, `$${fixed(point.costPerSession, 4)}`, fixed(point.meanReward)];
    const other = learned?.points[index];
    if (other !== undefined) row.push(`${fixed(other.successRate * 100, 1)} %`, `$${fixed(other.costPerSession, 4)}`, fixed(other.meanReward));
    return row;
  });
  const oracle = summary.policies.oracle;
  const monotone = (value: boolean) => (value ? 'cost falls as the weight rises' : 'NOT monotone in cost');
  return [
    `Cost–quality knob (decide(task, { costWeight }), nothing retrained; held-out tasks; the ${served === 'rules' ? 'rules serve' : 'learned policy serves'} at the end, so \`costQualityCurve\` is the ${served === 'rules' ? 'rules' : 'learned'} column):`,
    formatTable(header, rows),
    `rules: ${monotone(rules.monotone)}${learned === null ? '' : `; ${learned.model} (${learned.deployed ? 'deployed' : 'not deployed: the gate refused it'}): ${monotone(learned.monotone)}`}; oracle: ${fixed(oracle.successRate * 100, 1)} % at $${fixed(oracle.costPerSession, 4)}`,
  ].join('\n');
}

/** The final human-readable summary: per-policy table, gap closed, goals, OPE rounds and the learning curve. */
export function formatSummary(summary: DemoSummary): string {
  const { rules, learned, oracle, oracleOnInferredContext } = summary.policies;
  const row = (name: string, metrics: typeof rules) => [
    name,
    fixed(metrics.meanReward),
    `[${fixed(metrics.meanRewardCI[0])}, ${fixed(metrics.meanRewardCI[1])}]`,
    `${fixed(metrics.successRate * 100, 1)} %`,
    `$${fixed(metrics.costPerSession, 4)}`,
    fixed(metrics.p95LatencyMs, 0),
    String(metrics.safetyViolations),
  ];
  const policies = formatTable(
    ['policy', 'mean reward', '95 % CI', 'success', 'cost/session', 'p95 latency ms', 'safety violations'],
    [row('rules', rules), row('learned (greedy)', learned), row('oracle on the inferred context', oracleOnInferredContext), row('oracle', oracle)],
  );
  const opeRows = summary.ope.map((round) => [
    round.model,
    String(round.sessionsSeen),
    round.learned === null ? 'refused' : `${fixed(round.learned.value)} [${fixed(round.learned.ci[0])}, ${fixed(round.learned.ci[1])}]`,
    round.rules === null ? '-' : `${fixed(round.rules.value)} [${fixed(round.rules.ci[0])}, ${fixed(round.rules.ci[1])}]`,
    round.difference === null ? '-' : `${fixed(round.difference.value)} [${fixed(round.difference.ci[0])}, ${fixed(round.difference.ci[1])}]`,
    round.beatsRules === null ? 'no estimate' : round.beatsRules ? 'pass' : 'fail',
    `${fixed(round.measured.difference)} [${fixed(round.measured.ci[0])}, ${fixed(round.measured.ci[1])}]`,
  ]);
  const opeTable = formatTable(['model', 'trained on', 'OPE learned', 'OPE rules', 'OPE learned − rules', 'gate', 'measured learned − rules'], opeRows);
  const refusals = summary.ope.filter((round) => round.error !== null).map((round) => `  ${round.model}: ${round.error}`);
  const goal = (reached: boolean) => (reached ? 'reached' : 'NOT reached');
  const timings = summary.timings;
  return [
    '',
    `Held-out evaluation — world ${summary.world}, ${summary.sessions} sessions, seed ${summary.seed}, ${summary.evaluationTasks} fresh tasks (same tasks and random streams for every policy)`,
    policies,
    '',
    `learned − rules: ${fixed(summary.learnedMinusRules.mean)} [${fixed(summary.learnedMinusRules.ci[0])}, ${fixed(summary.learnedMinusRules.ci[1])}] (paired, 95 %)`,
    ...(summary.deployedRevalued === null
      ? []
      : [
          `${summary.deployedRevalued.version} as its own logs value it (the ${summary.deployedRevalued.logs} logged since its deployment; doubly robust, 95 %): learned − rules ${fixed(summary.deployedRevalued.value)} [${fixed(summary.deployedRevalued.ci[0])}, ${fixed(summary.deployedRevalued.ci[1])}]`,
        ]),
    `gap closed: ${fixed(summary.gapClosed * 100, 1)} % of rules → oracle (the oracle on the inferred context closes ${fixed(summary.gapClosedOnInferredContext * 100, 1)} %); cost per session ${summary.costReduction >= 0 ? `${fixed(summary.costReduction * 100, 1)} % lower` : `${fixed(-summary.costReduction * 100, 1)} % higher`} than the rules`,
    `goals: learned beats rules (CI excludes 0): ${goal(summary.goals.beatsRulesWithCI)}; ≥ 70 % of the gap: ${goal(summary.goals.gapClosedAtLeast70Percent)}; ≥ 30 % cheaper at equal or better success: ${goal(summary.goals.cost30PercentLowerAtEqualOrBetterSuccess)}`,
    '',
    'Off-policy evaluation before each deployment (the deploy gate, on the most recent 20 % of the logs) vs what the held-out tasks then measured:',
    opeTable,
    ...(refusals.length > 0 ? ['OPE refusals:', ...refusals] : []),
    '',
    `Phases: shadow ${summary.phases.shadow.sessions} sessions (mean reward ${fixed(summary.phases.shadow.meanReward)}), ab_test ${summary.phases.abTest.sessions}, production ${summary.phases.production.sessions} (mean reward ${fixed(summary.phases.production.meanReward)}); ${summary.phases.trainings} trainings; final mode ${summary.phases.finalMode}, model ${summary.phases.finalModel ?? 'none'}`,
    '',
    'Learning curve (held-out mean reward):',
    formatTable(
      ['sessions seen', 'rules', 'learned', 'oracle'],
      summary.learningCurve.map((point) => [String(point.sessionsSeen), fixed(point.rules), fixed(point.learned), fixed(point.oracle)]),
    ),
    '',
    formatLearningCurve(summary.learningCurve),
    '',
    formatCostQualityCurves(summary),
    '',
    `Report: ${summary.reportPath}`,
    `Data dir: ${summary.dataDir} (summary.json, experience_buffer/, models/, metrics/)`,
    `Time: ${fixed(timings.totalMs / 1000, 1)} s wall, ${fixed(timings.cpuMs / 1000, 1)} s CPU on the main thread; training ${fixed(timings.trainingMs / 1000, 1)} s; oracle ${summary.settings.oracle.kinds} task kinds, ${fixed(summary.settings.oracle.cpuMs / 1000, 1)} s CPU ${summary.settings.oracle.inWorker ? 'in a worker thread' : 'on the main thread'} (waited ${fixed(timings.oracleWaitMs / 1000, 1)} s)`,
  ].join('\n');
}
