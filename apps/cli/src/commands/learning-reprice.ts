import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { LearningConfigError, type RepriceReport, type RewardFigures } from '@orchestra/learning';
import { parseModelCatalog } from '@orchestra/learning-features';
import { rewardConfigSchema, type RewardConfigInput } from '@orchestra/learning-reward';
import { safeValidate, type CatalogModel } from '@orchestra/learning-types';
import type { CliContext } from '../cli-context';
import { parsePositiveInteger } from '../parse-options';
import { formatTable, formatValue, writeJson } from '../terminal';

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LearningConfigError({ source: path, field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LearningConfigError({ source: path, field: '', message: 'not valid JSON', cause: error });
  }
}

/** The catalog of `--prices FILE`: `{ "models": [...] }` as in `orchestra.config.json` (the whole config file works). */
async function readCatalog(path: string): Promise<CatalogModel[]> {
  const json = await readJson(path);
  try {
    return parseModelCatalog({ models: (json as { models?: unknown } | null)?.models }).models;
  } catch (error) {
    throw new LearningConfigError({ source: path, field: 'models', message: error instanceof Error ? error.message.split('\n')[0]! : String(error), cause: error });
  }
}

async function readRewardConfig(path: string): Promise<RewardConfigInput> {
  const result = safeValidate(rewardConfigSchema, await readJson(path), 'RewardConfig');
  if (!result.success) throw new LearningConfigError({ source: path, field: result.error.field, message: result.error.message.split('\n')[0]!, cause: result.error });
  return result.value;
}

function figureRow(name: string, figures: RewardFigures): string[] {
  return [name, String(figures.experiences), formatValue(figures.meanCostUsd, 4), formatValue(figures.meanReward), figures.successRate === null ? '–' : `${(figures.successRate * 100).toFixed(1)} %`];
}

/** Lines of a re-pricing report (shared with the JSON output's meaning). */
export function repriceLines(report: RepriceReport): string[] {
  const lines = [
    report.version === null ? 'reward version reset: the stored figures are in force' : `reward version ${report.version.id} in force${report.version.prices ? ' (re-priced from token counts)' : ''}`,
    formatTable(['', 'experiences', 'mean cost USD', 'mean reward', 'success'], [figureRow('before', report.before), figureRow('after', report.after)]),
    `rewards changed: ${report.rewardsChanged}, costs changed: ${report.costsChanged}${report.withoutSession > 0 ? `, stored without their session (cost kept): ${report.withoutSession}` : ''}`,
  ];
  if (report.decisions !== null) {
    const shift = report.decisions;
    const parts = Object.entries(shift.byPart).sort((left, right) => right[1] - left[1]).map(([part, count]) => `${part} ${count}`).join(', ');
    lines.push(`greedy decisions on the ${shift.compared} most recent tasks: ${shift.changed} change (${((shift.changed / Math.max(1, shift.compared)) * 100).toFixed(1)} %) between ${shift.deployedVersion} and ${shift.retrainedVersion} (trained on the new version → ${shift.output})${parts === '' ? '' : `; by part: ${parts}`}`);
  }
  return lines;
}

/** `orchestra learning-reprice --prices FILE [--reward FILE] [--reset] [--train DIR]`. */
export function registerLearningReprice(program: Command, context: CliContext): void {
  program
    .command('learning-reprice')
    .description('re-score the whole history as a new reward version: new prices re-cost every session from its token counts, a changed reward config re-scores it; the stored figures stay')
    .option('--prices <file>', 'a model catalog with new prices ({"models": [...]} as in orchestra.config.json)')
    .option('--reward <file>', 'a reward configuration (weights, caps) as JSON')
    .option('--reset', 'return to the stored figures (no reward version in force)')
    .option('--train <dir>', 'retrain on the new version into DIR and count how many greedy decisions of the deployed model on recent tasks change')
    .option('--recent <n>', 'recent tasks compared with --train (default 500)', parsePositiveInteger)
    .option('--epochs <n>', 'training epochs with --train', parsePositiveInteger)
    .option('--json', 'print the report as JSON')
    .action(async (options: { prices?: string; reward?: string; reset?: boolean; train?: string; recent?: number; epochs?: number; json?: boolean }) => {
      if (options.reset !== true && options.prices === undefined && options.reward === undefined) throw new InvalidArgumentError('give --prices FILE and/or --reward FILE (or --reset)');
      const models = options.prices === undefined ? undefined : await readCatalog(context.resolvePath(options.prices));
      const reward = options.reward === undefined ? undefined : await readRewardConfig(context.resolvePath(options.reward));
      const train = options.train === undefined ? undefined : context.resolvePath(options.train);
      const learning = await context.openLearning();
      const report = await learning.reprice({
        ...(options.reset === true ? { reset: true } : {}),
        ...(models === undefined ? {} : { models }),
        ...(reward === undefined ? {} : { reward }),
        note: [options.prices, options.reward].filter((value) => value !== undefined).join(' + ') || 'reset',
        ...(train === undefined
          ? {}
          : { train: { output: train, ...(options.recent === undefined ? {} : { recentTasks: options.recent }), ...(options.epochs === undefined ? {} : { epochs: options.epochs }) } }),
      });
      if (options.train !== undefined && report.decisions === null) context.io.stderr.write('orchestra: no model is deployed: the greedy decisions were not compared\n');
      if (options.json === true) {
        writeJson(context.io, report);
        return;
      }
      for (const line of repriceLines(report)) context.print(line);
    });
}
