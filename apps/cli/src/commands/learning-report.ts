import type { Command } from 'commander';
import type { writeLearningReport } from '@orchestra/learning-report';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/** `orchestra learning-report -o report.html`: a self-contained HTML page with static SVG charts, readable offline. */
export function registerLearningReport(program: Command, context: CliContext): void {
  program
    .command('learning-report')
    .description('write a self-contained HTML report: verdict (deploy or not), held-out result, gate verdicts, cost vs quality, timeline, model health, learning curves, drift')
    .option('-o, --output <file>', 'HTML file to write', 'report.html')
    .option('--title <title>', 'page title')
    .option('--json', 'print what was written as JSON')
    .action(async (options: { output: string; title?: string; json?: boolean }) => {
      // Loaded when the command runs: the other commands start without the report's modules.
      const report = await import('@orchestra/learning-report');
      const learning = await context.openLearning();
      const store = await learning.openStore({ readOnly: true });
      let written: Awaited<ReturnType<typeof writeLearningReport>>;
      try {
        written = await report.writeLearningReport({ dataDir: learning.config.dataDir, output: context.resolvePath(options.output), store, mode: learning.mode, ...(options.title === undefined ? {} : { title: options.title }) });
      } finally {
        await store.close();
      }
      const { path, data, extras, skippedMetricLines } = written;
      const summary = { output: path, experiences: data.experiences, learningCurves: data.curves.length, gates: extras.gates.length, events: extras.events.length, driftEvents: data.drift.length, skippedMetricLines };
      if (options.json === true) writeJson(context.io, summary);
      else context.print(`wrote ${path} (${data.experiences} experiences, ${data.curves.length} learning curves, ${extras.gates.length} gate verdicts, ${extras.events.length} events${skippedMetricLines > 0 ? `; ${skippedMetricLines} unreadable metrics lines skipped` : ''})`);
    });
}
