import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';
import { describeRelook } from './learning-improve';

/**
 * `orchestra learning-relook`: a re-look at the exploration candidate between trainings (`learning.relook()`); it
 * deploys the candidate to ab_test when the re-look passes. No training.
 */
export function registerLearningRelook(program: Command, context: CliContext): void {
  program
    .command('learning-relook')
    .description('re-look at the exploration candidate on the logs since it started exploring, without training; deploy it to ab_test when the re-look passes')
    .option('--output <dir>', 'where a candidate that passed is written (default <dataDir>/candidates/<version>--look-<n>)')
    .option('--json', 'print the step as JSON')
    .action(async (options: { output?: string; json?: boolean }) => {
      const learning = await context.openLearning();
      const step = await learning.relook(options.output === undefined ? {} : { output: context.resolvePath(options.output) });
      if (options.json === true) {
        writeJson(context.io, step);
        return;
      }
      const { bold, green, yellow } = context.colors;
      if (step.regate !== null) context.print(describeRelook(step.regate, bold));
      switch (step.candidate.status) {
        case 'none':
          context.print(yellow(`no exploration candidate${learning.config.candidateShare > 0 ? '' : ' (candidateShare is 0)'}: nothing to re-look at; \`orchestra learning-improve\` trains one`));
          break;
        case 'retired':
          context.print(green(`re-look passed: deployed ${step.deployed?.version}; mode ${step.mode} at fraction ${step.abFraction}`));
          break;
        case 'withdrawn':
          context.print(yellow(`exploration candidate withdrawn: ${step.regate !== null && step.regate.difference.upper < 0 ? 'its re-look found it worse' : 'its re-looks spent their error budget without passing'}; the next \`orchestra learning-improve\` chooses another`));
          break;
        case 'kept':
          context.print(step.regate === null ? `exploration candidate ${step.candidate.model?.version}: no new logs to look at yet (it keeps exploring)` : `not passed: ${step.candidate.model?.version} keeps exploring (its evidence accumulates)`);
          break;
      }
    });
}
