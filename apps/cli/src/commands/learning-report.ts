import type { Command } from 'commander';
import { writeLearningReport } from '@orchestra/learning';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/** `orchestra learning-report -o report.html`: a self-contained HTML page with charts, readable offline. */
export function registerLearningReport(program: Command, context: CliContext): void {
  program
    .command('learning-report')
    .description('write a self-contained HTML report (reward over time, cost, success by task type, models, learning curves)')
    .option('-o, --output <file>', 'HTML file to write', 'report.html')
    .option('--title <title>', 'page title')
    .option('--json', 'print what was written as JSON')
    .action(async (options: { output: string; title?: string; json?: boolean }) => {
      const learning = await context.openLearning();
      const store = await learning.openStore({ readOnly: true });
      let written: Awaited<ReturnType<typeof writeLearningReport>>;
      try {
        written = await writeLearningReport({ dataDir: learning.config.dataDir, output: options.output, store, ...(options.title === undefined ? {} : { title: options.title }) });
      } finally {
        await store.close();
      }
      const { path, data } = written;
      if (options.json === true) writeJson(context.io, { output: path, experiences: data.experiences, learningCurves: data.curves.length });
      else context.print(`wrote ${path} (${data.experiences} experiences, ${data.curves.length} learning curves)`);
    });
}
