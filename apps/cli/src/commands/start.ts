import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { experienceReward } from '@orchestra/learning-reward';
import { createRng } from '@orchestra/learning-features';
import { defaultWorld, readWorldFile, runSession, worldForCatalog, type World } from '@orchestra/learning-sim';
import type { Action } from '@orchestra/learning-types';
import type { CliContext } from '../cli-context';
import { parseCostWeight, parseNonNegativeInteger } from '../parse-options';
import { formatTable, formatValue, writeJson } from '../terminal';

/** The world of `--world FILE` (default: the built-in one); a bad file is a one-line `WorldFileError`. */
export async function loadWorld(path: string | undefined): Promise<World> {
  return path === undefined ? defaultWorld : readWorldFile(path);
}

function describeAction(action: Action): string {
  const team = action.agents.map((agent) => `${agent}=${action.models[agent]}`).join(', ');
  return `${action.approach}, parallelism ${action.parallelism}, timeout ×${action.timeoutMultiplier}, ${action.retryStrategy}, safety ${action.safetyLevel}; ${team}`;
}

/** `orchestra start "TASK" [--world FILE]`: one task through the simulated orchestra under the current mode, recorded. */
export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('run one task through the simulated orchestra under the current mode; print the decision, the session and the reward; record it')
    .argument('<task>', 'the task, as text (e.g. "fix: login fails with an empty password")')
    .option('--world <file>', 'world JSON file (default: the built-in world; see `orchestra sim --print-default-world`)')
    .option('--file <path...>', 'files the task touches (improves the inferred context)')
    .option('--seed <seed>', 'seed of the simulated session (default: a fresh random seed, printed so the run can be repeated)', parseNonNegativeInteger)
    .option('--session-id <id>', 'session id (the A/B assignment is sticky per session id; default: a random UUID)')
    .option('--cost-weight <w>', 'cost–quality knob of this decision: 0 = cost ignored, 1 = the default trade-off, 2 = cost counts double (default: costWeight of orchestra.config.json, else 1)', parseCostWeight)
    .option('--json', 'print decision, session, outcome and reward as JSON')
    .action(async (task: string, options: { world?: string; file?: string[]; seed?: number; sessionId?: string; costWeight?: number; json?: boolean }) => {
      if (task.trim() === '') throw new Error('the task text is empty');
      // A fresh seed per run: a loop of `start` collects different sessions, not the same one again and again.
      const seed = options.seed ?? randomInt(0, 2 ** 31);
      // A one-shot process decides cold (first WebAssembly call, first allocation): give the learned policy room.
      const learning = await context.openLearning({ config: { latencyBudgetMs: 250, warmHistory: true } });
      // Models of the user's catalog that the world does not know are simulated from their tier and prices.
      const world = worldForCatalog(await loadWorld(options.world === undefined ? undefined : context.resolvePath(options.world)), learning.catalog);
      const decision = learning.decide(
        { description: task, files: options.file ?? [], ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }) },
        options.costWeight === undefined ? {} : { costWeight: options.costWeight },
      );
      const simulated = runSession(world, { description: task, files: options.file ?? [], trueContext: decision.context }, decision.action, createRng(seed), {
        system: decision.system,
        sessionId: decision.sessionId,
      });
      const { experience, ramp } = await learning.record(simulated.session, decision, { outcome: simulated.outcome });
      const reward = experience?.reward ?? experienceReward(simulated.outcome, learning.rewardConfig);
      if (options.json === true) {
        const { context: taskContext, system, history, ...policyDecision } = decision;
        writeJson(context.io, { world: world.name, seed, mode: decision.mode, context: taskContext, system, history: history ?? null, decision: policyDecision, session: simulated.session, outcome: simulated.outcome, reward, recorded: experience !== null, experienceId: experience?.id ?? null, ramp });
        return;
      }
      const { bold, dim, green, red, yellow } = context.colors;
      if (decision.mode === 'disabled') {
        context.print(yellow('learning is disabled: this run is not recorded (turn collection on with `orchestra learning-mode shadow` or ORCHESTRA_LEARNING_MODE=shadow)'));
      }
      context.print(bold(`Task: ${task}`));
      context.print(`  context   ${decision.context.taskType} · ${decision.context.domains.join('+')} · ${decision.context.complexity} · risk ${decision.context.risk} · ~${formatValue(decision.context.estimatedTimeMinutes, 0)} min`);
      context.print(bold('\nDecision'));
      context.print(`  source    ${decision.source} ${dim(`(${decision.policyVersion}, mode ${decision.mode}, cost weight ${decision.costWeight ?? 1}, propensity ${formatValue(decision.propensity, 3)})`)}`);
      context.print(`  action    ${describeAction(decision.action)}`);
      for (const line of decision.explanation) context.print(`  why       ${line}`);
      if (decision.predicted !== undefined) {
        context.print(`  predicted ${formatValue(decision.predicted.durationMs / 1000, 1)} s, ${formatValue(decision.predicted.costUsd, 4)} USD, success ${(decision.predicted.successProbability * 100).toFixed(0)} %`);
      }
      context.print(bold(`\nSession (simulated in world "${world.name}", seed ${seed})`));
      const rows = simulated.session.workflow.flatMap((step) =>
        step.attempts.map((usage) => [step.agentRole, usage.modelId, String(usage.attempt), usage.success ? 'ok' : (usage.errorCode ?? 'failed'), String(usage.tokensUsed), formatValue(usage.latencyMs, 0), formatValue(usage.estimatedCost, 4)]),
      );
      context.print(formatTable(['agent', 'model', 'attempt', 'result', 'tokens', 'latency ms', 'cost USD'], rows, ['left', 'left', 'right', 'left', 'right', 'right', 'right']));
      const outcome = simulated.outcome;
      context.print(
        `  outcome   ${outcome.success ? green('success') : red('failure')} in ${formatValue(outcome.durationMs / 1000, 1)} s, ${formatValue(outcome.totalCostUsd, 4)} USD, ${outcome.errorCount} errors, ${outcome.fallbackRotations} fallback rotations, ${outcome.safetyViolations} safety violations, tests ${outcome.testsPassed === null ? 'not run' : outcome.testsPassed ? 'passed' : 'failed'}`,
      );
      context.print(bold(`\nReward ${formatValue(reward.total)}`));
      context.print(formatTable(['component', 'value'], Object.entries(reward.components).map(([name, value]) => [name, formatValue(value)])));
      if (reward.capped.length > 0) context.print(`  capped: ${reward.capped.join('; ')}`);
      context.print(experience === null ? dim(`\nnot recorded (mode ${decision.mode})`) : dim(`\nrecorded as experience ${experience.id}`));
      if (ramp.kind === 'ramped') context.print(`A/B fraction ramped ${ramp.from} → ${ramp.to}`);
      if (ramp.kind === 'breach') context.print(context.colors.yellow(`guardrail breach: A/B fraction back to ${ramp.to} (${ramp.reasons.join('; ')})`));
      if (ramp.kind === 'demoted') context.print(context.colors.yellow(`model ${ramp.from} demoted: its A/B period breached the guardrails (${ramp.reasons.join('; ')}); now ${ramp.to ?? 'the rules (shadow)'}`));
      if (ramp.kind === 'promoted') context.print(`model ${ramp.version} promoted to production after ${ramp.learnedSessions} learned sessions in ab_test (rollout.autoPromote)`);
    });
}
