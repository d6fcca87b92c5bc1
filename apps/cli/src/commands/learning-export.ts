import { Option, type Command } from 'commander';
import type { ExportFormat } from '@orchestra/learning-collector';
import type { LearningMode, PolicySource } from '@orchestra/learning-types';
import type { CliContext } from '../cli-context';
import { experienceFilterOf, parseMode, parseSince } from '../parse-options';
import { writeJson } from '../terminal';

/** `orchestra learning-export -o FILE [--format json|jsonl|csv] [--since …] [--force]`: atomic, refuses symlinks and overwrites. */
export function registerLearningExport(program: Command, context: CliContext): void {
  program
    .command('learning-export')
    .description('export the experience store (the JSONL buffer or PostgreSQL) to a file (training data)')
    .requiredOption('-o, --output <file>', 'file to write')
    .addOption(new Option('--format <format>', 'file format (parquet: typed flat columns for DuckDB, Spark, Ray)').choices(['json', 'jsonl', 'csv', 'parquet']).default('json'))
    .option('--since <when>', 'only experiences since an ISO date/time or a duration back from now (30m, 24h, 7d)', (value) => parseSince(value))
    .option('--until <when>', 'only experiences before an ISO date/time or a duration back from now', (value) => parseSince(value))
    .option('--mode <mode>', 'only experiences logged in this mode', parseMode)
    .addOption(new Option('--source <source>', 'only decisions of this policy source').choices(['rules', 'learned']))
    .option('--force', 'replace an existing file (never a symlink, directory or device)')
    .option('--json', 'print the export report as JSON')
    .action(async (options: { output: string; format: ExportFormat; since?: Date; until?: Date; mode?: LearningMode; source?: PolicySource; force?: boolean; json?: boolean }) => {
      const learning = await context.openLearning();
      const filter = experienceFilterOf(options);
      const report = await learning.exportExperiences(context.resolvePath(options.output), { format: options.format, filter, overwrite: options.force === true });
      if (options.json === true) writeJson(context.io, { ...report, output: options.output });
      else context.print(`exported ${report.exported} experiences to ${options.output} (${report.format}${report.filteredOut > 0 ? `, ${report.filteredOut} filtered out` : ''}${report.quarantined > 0 ? `, ${report.quarantined} invalid lines quarantined` : ''})`);
    });
}
