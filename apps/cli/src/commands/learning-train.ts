import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { readExperienceFile, type TrainProgress } from '@orchestra/learning';
import { policyComparisonSchema, type PolicyComparison, type PolicyValueEstimateRecord } from '@orchestra/learning-policy';
import type { CliContext } from '../cli-context';
import { parsePositiveInteger } from '../parse-options';
import { formatValue, writeJson } from '../terminal';

/** Prints a policy comparison (the artifact format's `PolicyComparison`) as a few lines. */
export function describeComparison(ope: PolicyComparison, print: (line: string) => void): void {
  const estimate = (entry: PolicyValueEstimateRecord) =>
    `${formatValue(entry.value, 2)} [${formatValue(entry.lower, 2)}, ${formatValue(entry.upper, 2)}], ESS ${formatValue(entry.effectiveSampleSize ?? null, 0)}`;
  const { difference } = ope;
  print(`  estimator   ${ope.estimator} (${ope.confidence === undefined ? '' : `${Math.round(ope.confidence * 100)} % intervals, `}${ope.sampleSize} logged decisions)`);
  print(`  learned     ${estimate(ope.target)}${ope.target.policy === undefined ? '' : ` (${ope.target.policy})`}`);
  print(`  rules       ${estimate(ope.baseline)}`);
  print(`  difference  ${formatValue(difference.value, 2)} [${formatValue(difference.lower, 2)}, ${formatValue(difference.upper, 2)}]`);
}

/** `orchestra learning-train --data FILE --epochs N --output DIR`. */
export function registerLearningTrain(program: Command, context: CliContext): void {
  program
    .command('learning-train')
    .description('train a policy offline from logged experiences, evaluate it against the rules, write the model artifact')
    .requiredOption('--output <dir>', 'artifact directory to write')
    .option('--data <file>', 'experiences exported as JSON or JSONL (default: the data dir buffer)')
    .option('--epochs <n>', 'offline training epochs', parsePositiveInteger)
    .option('--allow-few', 'train even below the minimum of 50 experiences')
    .option('--model-version <version>', 'model version (default learned-<time>)')
    .option('--json', 'print the training report as JSON')
    .action(async (options: { output: string; data?: string; epochs?: number; allowFew?: boolean; modelVersion?: string; json?: boolean }) => {
      const learning = await context.openLearning();
      const experiences = options.data === undefined ? undefined : await readExperienceFile(context.resolvePath(options.data));
      // One bar per stage: the policy (behaviour cloning then A2C, counted in minibatches over the planned epochs),
      // then the prediction head (counted in epochs). A stage's bar never goes backwards.
      let bar: cliProgress.SingleBar | undefined;
      let stage: 'policy' | 'prediction' | undefined;
      const onProgress = (progress: TrainProgress) => {
        const current = progress.phase === 'prediction' ? 'prediction' : 'policy';
        const total = current === 'policy' ? Math.max(1, progress.totalEpochs * progress.batchesPerEpoch) : Math.max(1, progress.totalEpochs);
        const done = current === 'policy' ? Math.min(total, (progress.epoch - 1) * progress.batchesPerEpoch + progress.batch) : Math.min(total, progress.epoch);
        const payload = { epoch: progress.epoch, totalEpochs: progress.totalEpochs, phase: progress.phase };
        if (current !== stage) {
          bar?.stop();
          stage = current;
          bar = new cliProgress.SingleBar(
            {
              stream: context.io.stderr as NodeJS.WritableStream,
              format: `${current === 'policy' ? 'policy    ' : 'prediction'} [{bar}] {percentage}% | epoch {epoch}/{totalEpochs} {phase}`,
              hideCursor: true,
              noTTYOutput: false,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done, payload);
        } else bar!.update(done, payload);
      };
      let report;
      try {
        report = await learning.train({
          output: context.resolvePath(options.output),
          ...(experiences === undefined ? {} : { experiences }),
          ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
          ...(options.allowFew === true ? { allowFewExperiences: true } : {}),
          ...(options.modelVersion === undefined ? {} : { version: options.modelVersion }),
          onProgress,
          onWarning: (message) => context.io.stderr.write(`warning: ${message}\n`),
        });
      } finally {
        bar?.stop();
      }
      if (options.json === true) {
        writeJson(context.io, report);
        return;
      }
      const { bold, green, yellow } = context.colors;
      context.print(
        `trained ${bold(report.version)} on ${report.experiences} experiences (${report.trainingSize} training, ${report.validationSize} held out), ${report.epochs} of ${report.plannedEpochs} epochs${report.stoppedEarly ? ' (stopped early: no better validation score)' : ''}, best epoch ${report.bestEpoch}`,
      );
      context.print(`wrote ${report.output}`);
      if (report.metricsPath !== null) context.print(`metrics ${report.metricsPath}`);
      context.print(bold('Off-policy evaluation against the rules (held-out experiences)'));
      if (report.ope !== null) describeComparison(report.ope, context.print);
      else context.print(yellow(`  not possible: ${report.opeError ?? 'no evaluation'}`));
      const verdicts = {
        'beats-rules': green(`  verdict     beats the rules (beatsRules: true): deploy with \`orchestra learning-deploy ${options.output}\``),
        'does-not-beat-rules': yellow('  verdict     does not beat the rules (beatsRules: false): learning-deploy will refuse it (override with --force)'),
        'not-evaluated': yellow('  verdict     not evaluated against the rules (beatsRules: null): learning-deploy will refuse it (override with --force)'),
      } as const;
      context.print(verdicts[report.verdict]);
    });
}

/** `orchestra learning-eval --model DIR [--data FILE] [--json]`. */
export function registerLearningEval(program: Command, context: CliContext): void {
  program
    .command('learning-eval')
    .description('off-policy evaluation of a model artifact against the rules on logged experiences')
    .requiredOption('--model <dir>', 'model artifact directory')
    .option('--data <file>', 'experiences exported as JSON or JSONL (default: the data dir buffer)')
    .option('--json', 'print the evaluation as JSON')
    .action(async (options: { model: string; data?: string; json?: boolean }) => {
      const learning = await context.openLearning();
      const experiences = options.data === undefined ? undefined : await readExperienceFile(context.resolvePath(options.data));
      const comparison = await learning.evaluate(context.resolvePath(options.model), experiences);
      if (options.json === true) {
        writeJson(context.io, comparison);
        return;
      }
      context.print(context.colors.bold(`Off-policy evaluation of ${options.model} against the rules`));
      // LearningManager.evaluate is typed as a loose record: read it with the artifact format's schema.
      describeComparison(policyComparisonSchema.parse(comparison), context.print);
      context.print(comparison.targetBeatsBaseline ? context.colors.green('  verdict     beats the rules') : context.colors.yellow('  verdict     does not beat the rules'));
    });
}
