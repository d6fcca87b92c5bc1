import type { RegateReport } from '@orchestra/learning';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { parsePositiveInteger } from '../parse-options';
import { formatValue, writeJson } from '../terminal';
import { describeComparison } from './learning-train';

/** `orchestra learning-improve`: one step of the improvement loop (train → deploy gate → deploy to ab_test). */
export function registerLearningImprove(program: Command, context: CliContext): void {
  program
    .command('learning-improve')
    .description('train on the buffer, judge the candidate with the deploy gate, and deploy it to ab_test only when the gate passes')
    .option('--output <dir>', 'where the candidate is written (default <dataDir>/candidates/<version>)')
    .option('--epochs <n>', 'offline training epochs', parsePositiveInteger)
    .option('--allow-few', 'train even below the minimum of 50 experiences')
    .option('--model-version <version>', 'model version (default learned-<time>)')
    .option('--json', 'print the step as JSON')
    .action(async (options: { output?: string; epochs?: number; allowFew?: boolean; modelVersion?: string; json?: boolean }) => {
      const learning = await context.openLearning();
      const step = await learning.improve({
        ...(options.output === undefined ? {} : { output: context.resolvePath(options.output) }),
        ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
        ...(options.allowFew === true ? { allowFewExperiences: true } : {}),
        ...(options.modelVersion === undefined ? {} : { version: options.modelVersion }),
        onWarning: (message) => context.io.stderr.write(`warning: ${message}\n`),
      });
      if (options.json === true) {
        writeJson(context.io, step);
        return;
      }
      const { bold, green, yellow } = context.colors;
      context.print(`trained ${bold(step.train.version)} on ${step.train.experiences} experiences (${step.train.epochs} epochs, ${formatValue(step.train.wallTimeMs / 1000, 1)} s) → ${step.train.output}`);
      if (step.train.ope !== null) describeComparison(step.train.ope, (line) => context.print(line));
      if (step.regate !== null) context.print(describeRelook(step.regate, bold));
      if (step.deployedValue !== null) context.print(`the challenger's re-look counted against the rules over the deployed model's ${formatValue(step.deployedValue, 2)} (its value on the logs since its deployment)`);
      if (step.deployed !== null) {
        context.print(green(`gate passed: deployed ${step.deployed.version}${step.regate?.passed === true ? ` (re-look ${step.regate.look})` : ''}; mode ${step.mode} at fraction ${step.abFraction}`));
      } else {
        context.print(yellow(`not deployed: ${step.reason ?? 'the gate refused'}; the current policy keeps acting (mode ${step.mode})`));
      }
      const share = learning.config.candidateShare;
      const challenges = step.candidate.model?.challenges ?? null;
      const where = challenges === null ? 'shadow sessions' : `production sessions, challenging ${challenges}`;
      if (step.candidate.status === 'explored') {
        context.print(
          share > 0
            ? `exploration candidate: ${step.candidate.model?.version} acts on ${share * 100} % of ${where} (candidateShare)`
            : `exploration candidate: ${step.candidate.model?.version} (inactive: candidateShare is 0)`,
        );
      } else if (step.candidate.status === 'kept') {
        context.print(`exploration candidate: ${step.candidate.model?.version} keeps exploring on ${share * 100} % of ${where} (its evidence accumulates)`);
      } else if (step.candidate.status === 'withdrawn') {
        context.print('exploration candidate withdrawn (the gate found the new one worse than the rules, or the model it challenged no longer serves)');
      } else if (step.candidate.status === 'retired') {
        context.print('exploration candidate retired by the deployment');
      }
      if (step.deployed === null && share === 0 && step.train.beatsRules === false) {
        context.print('hint: with candidateShare (e.g. 0.25 in orchestra.config.json) a refused candidate acts on that share of shadow sessions, and the next step re-looks at it on those logs, where the gate needs no critic to fill in what the logs cannot show');
      }
    });
}

/** One line on a re-look at the exploration candidate: its estimate, its bound and what it spent, and the verdict. */
export function describeRelook(regate: RegateReport, bold: (text: string) => string): string {
  const { value, lower, upper } = regate.difference;
  const spent = `spending ${formatValue(regate.spend * 100, 3)} %${regate.plannedLogs === null ? '' : ` of its error by information over ${regate.plannedLogs} planned logs`}`;
  return `re-look ${regate.look} at exploration candidate ${bold(regate.version)} on the ${regate.freshLogs} logs since it started exploring (it acted on ${regate.candidateActed}): learned − ${regate.baseline === null ? 'rules' : regate.baseline.version} ${formatValue(value, 2)} [${formatValue(lower, 2)}, ${formatValue(upper, 2)}] at ${formatValue(regate.confidence * 100, 2)} % (z ${formatValue(regate.bound, 3)}, ${spent})${regate.supported ? '' : ' (logs without support: the critic’s uncertainty added)'} — ${regate.passed ? `passed${regate.medianUnbiased === value ? '' : ` (median-unbiased given the earlier looks: ${formatValue(regate.medianUnbiased, 2)})`}` : 'not passed'}`;
}
