import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { actionHeadNames, type ActionHeadName } from '@orchestra/learning-features';
import type { CliContext } from '../cli-context';
import { parseNonNegativeInteger, parsePositiveInteger } from '../parse-options';
import { writeJson } from '../terminal';

/** `--train-share`: a share in (0, 1). */
function parseShare(value: string): number {
  const share = Number(value);
  if (!Number.isFinite(share) || share <= 0 || share >= 1) throw new InvalidArgumentError('must be a number in (0, 1), e.g. 0.5');
  return share;
}

/** `--cost-weight`: a finite number ≥ 0. */
function parseWeight(value: string): number {
  const weight = Number(value);
  if (value.trim() === '' || !Number.isFinite(weight) || weight < 0) throw new InvalidArgumentError('must be a number ≥ 0');
  return weight;
}

/** `--curve`: comma-separated cost weights. */
function parseWeights(value: string): number[] {
  return value.split(',').map(parseWeight);
}

/** `--exploration`: ε in (0, 1]. */
function parseEpsilon(value: string): number {
  const epsilon = Number(value);
  if (!Number.isFinite(epsilon) || epsilon <= 0 || epsilon > 1) throw new InvalidArgumentError('must be a number in (0, 1]');
  return epsilon;
}

/** `--candidate-share`: a share in [0, 0.5]. */
function parseCandidateShare(value: string): number {
  const share = Number(value);
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 0.5) throw new InvalidArgumentError('must be a number in [0, 0.5]');
  return share;
}

/** `--fallback-order`: `product` or `train`. */
function parseOrder(value: string): 'product' | 'train' {
  if (value !== 'product' && value !== 'train') throw new InvalidArgumentError('must be "product" (by tier, then catalog order) or "train" (chosen on the train tasks)');
  return value;
}

/** `--explored-heads`: `all` or comma-separated head names (which heads exist is checked by `runReplay`). */
function parseHeads(value: string): ActionHeadName[] | 'all' {
  if (value.trim() === 'all') return 'all';
  const heads = value.split(',').map((head) => head.trim());
  if (heads.some((head) => head === '')) throw new InvalidArgumentError('must be "all" or comma-separated head names, e.g. retry,model_executor');
  return heads as ActionHeadName[];
}

interface ReplayCommandOptions {
  tasks: string;
  outcomes: string;
  models: string;
  trainShare: number;
  passes: number;
  maxLadder: number;
  seed: number;
  costWeight: number;
  curve: number[];
  exploration: number;
  exploredHeads?: ActionHeadName[] | 'all';
  fallbackOrder: 'product' | 'train';
  candidateShare: number;
  html: string;
  json?: boolean;
}

/** `orchestra replay`: learn routing and model ladders from a per-task outcome table (`@orchestra/learning-replay`). */
export function registerReplay(program: Command, context: CliContext): void {
  program
    .command('replay')
    .description('learn a router / model ladder from a per-task outcome table (tasks × models: success, cost) and compare it with static baselines on held-out tasks')
    .requiredOption('--tasks <file>', 'tasks.jsonl: { id, text, files?, group? } per line')
    .requiredOption('--outcomes <file>', 'outcomes.jsonl: { taskId, model, success, costUsd, latencyMs?, inputTokens?, outputTokens? } per line')
    .requiredOption('--models <file>', 'models.json: { "models": [...] } as in orchestra.config.json')
    .option('--train-share <share>', 'share of the tasks the learner is trained on', parseShare, 0.5)
    .option('--passes <k>', 'passes of the logging policy over the train tasks', parsePositiveInteger, 1)
    .option('--max-ladder <n>', 'longest model ladder (1 = route to one model)', parsePositiveInteger, 3)
    .option('--seed <s>', 'seed of the split, logging and training', parseNonNegativeInteger, 1)
    .option('--cost-weight <w>', 'reward = success − w × cost / (the most expensive model\'s mean cost per task)', parseWeight, 0.25)
    .option('--curve <weights>', 'cost weights of the cost–quality curve (the learner is retrained for each)', parseWeights, [0, 0.25, 0.5, 1])
    .option('--exploration <epsilon>', 'ε of the logging policy (the rules with exploration)', parseEpsilon, 0.3)
    .option('--explored-heads <heads>', `the heads the logging policy explores: all, or comma-separated among ${actionHeadNames.join(', ')} (default: retry,model_executor, the two an outcome table reveals)`, parseHeads)
    .option('--fallback-order <from>', 'the ladder order of the fallback retry strategy: product (by tier, then catalog order) or train (the best static ladder on the train tasks first, as a user would configure it)', parseOrder, 'product')
    .option('--candidate-share <share>', 'the product\'s continuous loop: improve after every pass, its candidate acting on this share of the next pass\'s sessions (0 = improve once at the end)', parseCandidateShare, 0)
    .option('--html <file>', 'HTML page to write', 'replay.html')
    .option('--json', 'print the result as JSON')
    .action(async (options: ReplayCommandOptions) => {
      // Loaded when the command runs: the other commands start without the replay's modules.
      const { formatReplayReport, readReplayTable, renderReplayHtml, runReplay } = await import('@orchestra/learning-replay');
      const path = context.resolvePath;
      const table = await readReplayTable({ tasks: path(options.tasks), outcomes: path(options.outcomes), models: path(options.models) });
      const result = await runReplay(table, {
        trainShare: options.trainShare,
        passes: options.passes,
        maxLadder: options.maxLadder,
        seed: options.seed,
        costWeight: options.costWeight,
        curveWeights: options.curve,
        exploration: options.exploration,
        ...(options.exploredHeads === undefined ? {} : { exploredHeads: options.exploredHeads }),
        fallbackOrder: options.fallbackOrder,
        candidateShare: options.candidateShare,
        onProgress: (message) => context.io.stderr.write(`${message}\n`),
      });
      const html = path(options.html);
      await writeFile(html, await renderReplayHtml(result));
      if (options.json === true) {
        writeJson(context.io, result);
        return;
      }
      context.print(formatReplayReport(result));
      context.print(`\nwrote ${html}`);
    });
}
