import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { createRng } from '@orchestra/learning-features';
import { experienceReward } from '@orchestra/learning-reward';
import { printDefaultWorld, runSession, sampleTask, worldForCatalog } from '@orchestra/learning-sim';
import type { CliContext } from '../cli-context';
import { parseCostWeight, parseNonNegativeInteger, parsePositiveInteger } from '../parse-options';
import { formatPercent, formatValue, writeJson } from '../terminal';
import { loadWorld } from './start';

/** Mean of a list, or null when it is empty. */
function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * `orchestra sim --print-default-world` | `orchestra sim --sessions N [--record] [--seed S] [--world FILE] [--json]`:
 * prints the default world, or runs N tasks drawn from the world through the current policy (mode, deployed model,
 * catalog) and prints how they went; `--record` stores them as the current mode records sessions.
 */
export function registerSim(program: Command, context: CliContext): void {
  program
    .command('sim')
    .description('the orchestration simulator: print the default world, or simulate sessions under the current policy (and record them)')
    .option('--print-default-world', 'print the default world (JSON) to start your own from')
    .option('--sessions <n>', 'simulate this many tasks drawn from the world', parsePositiveInteger)
    .option('--record', 'record the simulated sessions (as `start` does; nothing is recorded in mode disabled)')
    .option('--seed <seed>', 'seed of the task draws and sessions (default: a fresh random seed, printed)', parseNonNegativeInteger)
    .option('--world <file>', 'world JSON file (default: the built-in world)')
    .option('--cost-weight <w>', 'cost–quality knob of every decision: 0 = cost ignored, 1 = the default trade-off, 2 = cost counts double (default: costWeight of orchestra.config.json, else 1)', parseCostWeight)
    .option('--json', 'print the result as JSON')
    .action(async (options: { printDefaultWorld?: boolean; sessions?: number; record?: boolean; seed?: number; world?: string; costWeight?: number; json?: boolean }, command: Command) => {
      if (options.printDefaultWorld === true) {
        const text = printDefaultWorld();
        context.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return;
      }
      if (options.sessions === undefined) {
        command.error('orchestra sim: choose --print-default-world or --sessions N (see orchestra sim --help)', { exitCode: 2 });
      }
      const learning = await context.openLearning({ config: { latencyBudgetMs: 250, warmHistory: options.record === true } });
      const world = worldForCatalog(await loadWorld(options.world === undefined ? undefined : context.resolvePath(options.world)), learning.catalog);
      const seed = options.seed ?? randomInt(0, 2 ** 31);
      const random = createRng(seed);
      const rewards: number[] = [];
      const costs: number[] = [];
      let successes = 0;
      let recorded = 0;
      let skipped = 0;
      const bySource: Record<string, number> = {};
      for (let index = 0; index < options.sessions!; index += 1) {
        const task = sampleTask(world, random);
        const decision = learning.decide({ description: task.description, files: task.files, sessionId: `sim-${seed}-${index}` }, options.costWeight === undefined ? {} : { costWeight: options.costWeight });
        const simulated = runSession(world, task, decision.action, random, { sessionId: decision.sessionId });
        bySource[decision.source] = (bySource[decision.source] ?? 0) + 1;
        if (simulated.outcome.success) successes += 1;
        costs.push(simulated.outcome.totalCostUsd);
        if (options.record === true) {
          const result = await learning.record(simulated.session, { ...decision, system: simulated.system }, { outcome: simulated.outcome });
          rewards.push(result.reward);
          if (result.experience !== null) recorded += 1;
          if (result.skipped !== undefined) skipped += 1;
        } else {
          rewards.push(experienceReward(simulated.outcome, learning.rewardConfig).total);
        }
      }
      const summary = {
        world: world.name,
        seed,
        mode: learning.mode,
        costWeight: options.costWeight ?? learning.config.costWeight,
        sessions: options.sessions!,
        successRate: successes / options.sessions!,
        meanReward: mean(rewards),
        meanCostUsd: mean(costs),
        bySource,
        recorded,
        skipped,
      };
      if (options.json === true) {
        writeJson(context.io, summary);
        return;
      }
      context.print(context.colors.bold(`Simulated ${summary.sessions} sessions in world "${summary.world}" (seed ${seed}, mode ${summary.mode}, cost weight ${summary.costWeight})`));
      context.print(`  success rate  ${formatPercent(summary.successRate)}`);
      context.print(`  mean reward   ${formatValue(summary.meanReward)}`);
      context.print(`  mean cost     ${formatValue(summary.meanCostUsd, 4)} USD`);
      context.print(`  decided by    ${Object.entries(bySource).map(([source, count]) => `${source} ${count}`).join(', ')}`);
      if (options.record === true) {
        context.print(summary.mode === 'disabled' ? '  recorded      none (mode disabled)' : `  recorded      ${recorded}${skipped > 0 ? `, skipped ${skipped} already stored` : ''}`);
      }
    });
}
