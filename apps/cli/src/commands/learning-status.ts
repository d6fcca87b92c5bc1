import { REGATE_ALPHA, relookErrorSpent } from '@orchestra/learning';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { formatPercent, formatValue, writeJson } from '../terminal';

/** `orchestra learning`: mode, loaded policy (version, trained at, OPE result), A/B progress and buffer size. */
export function registerLearningStatus(program: Command, context: CliContext): void {
  program
    .command('learning')
    .description('show the learning status: mode, deployed policy, A/B progress, buffer size')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const learning = await context.openLearning();
      const status = await learning.status();
      const store = await learning.openStore({ readOnly: true });
      let bufferSize: number;
      let quarantined: number;
      const storeInfo = { kind: store.kind, location: store.location };
      try {
        // From the kept segment summaries (a missing one is re-built and saved when the data dir is writable).
        const { stats } = await store.stats({ saveSummaries: true });
        bufferSize = stats.totalExperiences;
        quarantined = stats.quarantined;
      } finally {
        await store.close();
      }
      if (options.json === true) {
        writeJson(context.io, { ...status, store: storeInfo, bufferSize, quarantined });
        return;
      }
      const { bold, dim, green, yellow } = context.colors;
      const deployed = status.deployed;
      context.print(bold('Orchestra Learning'));
      context.print(`  data dir      ${status.dataDir}`);
      if (storeInfo.kind !== 'jsonl') context.print(`  store         ${storeInfo.kind} ${storeInfo.location}`);
      context.print(`  mode          ${bold(status.mode)}${status.mode === 'ab_test' ? ` (fraction ${status.abFraction})` : ''} ${dim(`from ${status.modeSource}`)}`);
      if (deployed === null) {
        context.print(`  policy        rules only ${dim('(no model deployed)')}`);
      } else {
        const ope = deployed.beatsRules === true ? green('beat the rules') : deployed.beatsRules === false ? yellow('did not beat the rules') : yellow('not evaluated');
        context.print(`  policy        learned ${bold(deployed.version)}${deployed.forced ? yellow(' (forced)') : ''}`);
        context.print(`  trained at    ${deployed.createdAt ?? '–'}`);
        context.print(`  deployed at   ${deployed.deployedAt}`);
        context.print(`  OPE result    ${ope}`);
        context.print(`  rollback to   ${status.previous.at(-1)?.version ?? 'rules'}`);
      }
      if (status.candidate !== null) {
        const share = learning.config.candidateShare;
        const { looks, alpha, plannedLogs } = status.candidate;
        // Its re-looks so far and the one-sided error rate they may spend in all (its share of the run's with
        // `gateErrorBudget: 'run'`); spending by information, how much of it they spent over how many planned logs.
        const total = ((alpha ?? REGATE_ALPHA) / 2) * 100;
        const spending = plannedLogs === null ? '' : `, ${(relookErrorSpent(status.candidate) * 100).toFixed(2)} % spent by information over ${plannedLogs} planned logs`;
        const budget = `${looks} re-look${looks === 1 ? '' : 's'} so far, one-sided error budget ${total.toFixed(2)} %${spending}`;
        context.print(`  exploring     candidate ${bold(status.candidate.version)} since ${status.candidate.since} ${dim(share > 0 ? `(acts on ${share * 100} % of ${status.candidate.challenges === null ? 'shadow sessions' : `production sessions, challenging ${status.candidate.challenges}`}; ${budget})` : `(inactive: candidateShare is 0; ${budget})`)}`);
      }
      if (status.exploration !== null) {
        const ranked = Object.entries(status.exploration.weights)
          .flatMap(([head, choices]) => Object.entries(choices).map(([choice, weight]) => ({ name: `${head}=${choice}`, weight })))
          .sort((left, right) => right.weight - left.weight);
        const top = ranked.slice(0, 3).map((entry) => `${entry.name} ${entry.weight.toFixed(2)}`).join(', ');
        context.print(`  exploration   weighted by the critic of ${bold(status.exploration.from)} ${dim(`(most tried: ${top}; ${ranked.filter((entry) => entry.weight <= 0.1).length} of ${ranked.length} choices at ≤ 0.10)`)}`);
      }
      if (status.modelError !== null) context.print(`  load error    ${yellow(`${status.modelError.reason}: ${status.modelError.message}`)}`);
      context.print(`  buffer        ${bufferSize} experiences${quarantined > 0 ? yellow(` (${quarantined} quarantined lines)`) : ''}`);
      if (deployed !== null) {
        const { learned, rules } = status.abTest.guardrails;
        context.print(`  A/B period    ${status.abTest.sessionsServed} learned sessions; production allowed after ${status.abTest.productionAllowedAfter} more`);
        context.print(
          `  A/B arms      learned: ${learned.sessions} sessions, reward ${formatValue(learned.meanReward)}, errors ${formatPercent(learned.errorRate)}, cost ${formatValue(learned.meanCostUsd, 4)} USD`,
        );
        context.print(`                rules:   ${rules.sessions} sessions, reward ${formatValue(rules.meanReward)}, errors ${formatPercent(rules.errorRate)}, cost ${formatValue(rules.meanCostUsd, 4)} USD`);
        context.print(`  guardrails    ${status.abTest.guardrails.withinGuardrails ? green('within') : yellow(status.abTest.guardrails.reasons.join('; '))}`);
      }
      const driftEvents = status.drift.events.slice(-3);
      if (driftEvents.length > 0) {
        context.print(`  drift         ${status.drift.events.length} change${status.drift.events.length === 1 ? '' : 's'} detected; latest:`);
        for (const event of driftEvents) {
          const level = (value: number) => (event.metric === 'latency' ? `${Math.round(value)} ms` : event.metric === 'learnedVsRules' ? formatValue(value) : formatPercent(value));
          context.print(`    ${dim(event.at)} ${event.subject} ${event.metric} ${level(event.baseline)} → ${level(event.changed)} ${event.degraded ? yellow('worse') : green('better')}; ${event.response}`);
        }
      }
      const lastEvents = status.events.slice(-3);
      if (lastEvents.length > 0) {
        context.print('  recent');
        for (const event of lastEvents) context.print(`    ${dim(event.at)} ${event.message}`);
      }
    });
}
