import { Option, type Command } from 'commander';
import type { GroupStats } from '@orchestra/learning-collector';
import type { LearningMode, PolicySource } from '@orchestra/learning-types';
import type { CliContext } from '../cli-context';
import { experienceFilterOf, parseMode, parseSince } from '../parse-options';
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
    .option('--since <when>', 'only experiences since an ISO date/time or a duration back from now (30m, 24h, 7d); reads the whole buffer', (value) => parseSince(value))
    .option('--until <when>', 'only experiences before an ISO date/time or a duration back from now; reads the whole buffer', (value) => parseSince(value))
    .option('--mode <mode>', 'only experiences logged in this mode; reads the whole buffer', parseMode)
    .addOption(new Option('--source <source>', 'only decisions of this policy source; reads the whole buffer').choices(['rules', 'learned']))
    .action(async (options: { json?: boolean; since?: Date; until?: Date; mode?: LearningMode; source?: PolicySource }) => {
      const learning = await context.openLearning();
      // Read-only (no lock, no repair): statistics need no write access. Summaries are a cache, saved when possible.
      // The configured store: the data dir's JSONL buffer, or PostgreSQL (SQL aggregates).
      const filter = experienceFilterOf(options);
      const report = await learning.stats({ ...(Object.keys(filter).length > 0 ? { filter } : {}), saveSummaries: true });
      const store = report.store;
      if (report.reindexed.length > 0) {
        const listed = report.reindexed.slice(0, 5).map((entry) => `${entry.segment} (${entry.problem})`).join(', ');
        context.io.stderr.write(
          `orchestra: re-indexed ${report.reindexed.length} segment${report.reindexed.length === 1 ? '' : 's'} whose summary was missing, damaged or stale: ${listed}${report.reindexed.length > 5 ? ', …' : ''}${report.saved ? ' (summaries saved)' : ' (summaries not saved: read-only data dir or a corrupt segment)'}\n`,
        );
      }
      const stats = report.stats;
      if (options.json === true) {
        writeJson(context.io, stats);
        return;
      }
      const { bold } = context.colors;
      for (const line of designStatsLines({ mode: learning.mode, policyLoaded: learning.deployed?.version ?? null, ...stats })) context.print(line);
      context.print('');
      context.print(bold(`Learning statistics (${store.kind === 'jsonl' ? learning.config.dataDir : `${store.kind} ${store.location}`})`));
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
