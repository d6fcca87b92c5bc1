import type { Command } from 'commander';
import { computeExperienceStats, JsonlExperienceStore, type GroupStats } from '@orchestra/learning-collector';
import type { CliContext } from '../cli-context';
import { formatPercent, formatTable, formatValue, writeJson } from '../terminal';

function groupRows(groups: Record<string, GroupStats>): string[][] {
  return Object.entries(groups)
    .sort((left, right) => right[1].count - left[1].count)
    .map(([name, group]) => [name, String(group.count), formatPercent(group.successRate), formatValue(group.meanReward)]);
}

/** Task types as the original design names them, where it names them differently. */
const designTaskTypeNames: Readonly<Record<string, string>> = { bugfix: 'bug' };

/** The design's `learning-stats` layout: boxed header, mode, policy, experience buffer, counts by task type and domain. */
export function designStatsLines(input: {
  mode: string;
  policyLoaded: string | null;
  totalExperiences: number;
  meanReward: number | null;
  successRate: number | null;
  byTaskType: Record<string, GroupStats>;
  byDomain: Record<string, GroupStats>;
}): string[] {
  const title = 'LEARNING SYSTEM STATISTICS';
  const width = title.length + 8;
  const counts = (groups: Record<string, GroupStats>, rename: Readonly<Record<string, string>> = {}) =>
    Object.entries(groups)
      .sort((left, right) => right[1].count - left[1].count)
      .map(([name, group]) => `  ${rename[name] ?? name}: ${group.count}`);
  return [
    `╔${'═'.repeat(width)}╗`,
    `║${' '.repeat(4)}${title}${' '.repeat(4)}║`,
    `╚${'═'.repeat(width)}╝`,
    '',
    `Mode: ${input.mode.toUpperCase()}`,
    `Policy Loaded: ${input.policyLoaded === null ? 'No' : `Yes (${input.policyLoaded})`}`,
    '',
    'Experience Buffer:',
    `  Total Experiences: ${input.totalExperiences}`,
    `  Mean Reward: ${input.meanReward === null ? '–' : input.meanReward.toFixed(2)}`,
    `  Success Rate: ${input.successRate === null ? '–' : `${(input.successRate * 100).toFixed(1)}%`}`,
    '',
    'By Task Type:',
    ...counts(input.byTaskType, designTaskTypeNames),
    '',
    'By Domain:',
    ...counts(input.byDomain),
  ];
}

/** `orchestra learning-stats [--json]`: the collector's statistics of the experience buffer. */
export function registerLearningStats(program: Command, context: CliContext): void {
  program
    .command('learning-stats')
    .description('statistics of the experience buffer: totals, by task type, domain, model, policy source and mode')
    .option('--json', 'print the statistics as JSON (keys totalExperiences, meanReward, successRate, byTaskType, byDomain, byModel, bySource, quarantined)')
    .action(async (options: { json?: boolean }) => {
      const learning = await context.openLearning();
      const store = await JsonlExperienceStore.open({ dataDir: learning.config.dataDir, readOnly: true });
      let stats;
      try {
        stats = await computeExperienceStats(store.read());
      } finally {
        await store.close();
      }
      if (options.json === true) {
        writeJson(context.io, stats);
        return;
      }
      const { bold } = context.colors;
      for (const line of designStatsLines({ mode: learning.mode, policyLoaded: learning.deployed?.version ?? null, ...stats })) context.print(line);
      context.print('');
      context.print(bold(`Learning statistics (${learning.config.dataDir})`));
      context.print(`  experiences   ${stats.totalExperiences}${stats.quarantined > 0 ? ` (+${stats.quarantined} quarantined lines)` : ''}`);
      context.print(`  mean reward   ${formatValue(stats.meanReward)}`);
      context.print(`  success rate  ${formatPercent(stats.successRate)}`);
      context.print(`  total cost    ${formatValue(stats.totalCostUsd, 4)} USD, ${stats.totalTokens} tokens, ${stats.fallbackRotations} fallback rotations`);
      if (stats.firstTimestamp !== null) context.print(`  period        ${stats.firstTimestamp} → ${stats.lastTimestamp}`);
      if (stats.totalExperiences === 0) return;
      const headers = ['', 'count', 'success', 'mean reward'];
      context.print(`\n${bold('By task type')}\n${formatTable(['task type', ...headers.slice(1)], groupRows(stats.byTaskType))}`);
      context.print(`\n${bold('By domain')}\n${formatTable(['domain', ...headers.slice(1)], groupRows(stats.byDomain))}`);
      context.print(`\n${bold('By policy source')}\n${formatTable(['source', ...headers.slice(1)], groupRows(stats.bySource))}`);
      context.print(`\n${bold('By mode')}\n${formatTable(['mode', ...headers.slice(1)], groupRows(stats.byMode))}`);
      const modelRows = Object.entries(stats.byModel)
        .sort((left, right) => right[1].attempts - left[1].attempts)
        .map(([model, figures]) => [
          model,
          String(figures.attempts),
          formatPercent(figures.successRate),
          String(figures.tokens),
          formatValue(figures.costUsd, 4),
          formatValue(figures.latencyMs?.p50 ?? null, 0),
          formatValue(figures.latencyMs?.p95 ?? null, 0),
          Object.entries(figures.errorCodes).map(([code, count]) => `${code}×${count}`).join(' ') || '–',
          String(figures.fallbackRotations),
        ]);
      context.print(
        `\n${bold('By model')}\n${formatTable(['model', 'attempts', 'success', 'tokens', 'cost USD', 'p50 ms', 'p95 ms', 'errors', 'rotations'], modelRows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right'])}`,
      );
    });
}
