import { InvalidArgumentError, type Command } from 'commander';
import type { OutcomePatch } from '@orchestra/learning-types';
import type { CliContext } from '../cli-context';
import { parseNonNegativeInteger } from '../parse-options';
import { formatValue, writeJson } from '../terminal';

function parseBoolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('must be true or false');
}

/**
 * `orchestra learning-amend SESSION_ID [--tests-passed true|false] [--user-edits N] [--safety-violations N]
 * [--success true|false] [--event-id ID]`: an outcome that arrived later, appended as an outcome event.
 */
export function registerLearningAmend(program: Command, context: CliContext): void {
  program
    .command('learning-amend')
    .description('record an outcome that arrived after the session (CI, user edits): appended as an event, joined with the stored experience on every read')
    .argument('<sessionId>', 'the session the outcome belongs to (it may be stored later: the event is kept and joined then)')
    .option('--tests-passed <bool>', 'whether the tests passed (true|false)', parseBoolean)
    .option('--user-edits <n>', 'files the user rewrote afterwards', parseNonNegativeInteger)
    .option('--safety-violations <n>', 'safety violations found afterwards', parseNonNegativeInteger)
    .option('--success <bool>', 'whether the task really succeeded (true|false)', parseBoolean)
    .option('--event-id <id>', 'id of this outcome event: running the command again with the same id changes nothing (default: a new id)')
    .option('--source <text>', 'who reported it (e.g. ci)')
    .option('--json', 'print the event and the joined experience as JSON')
    .action(async (sessionId: string, options: { testsPassed?: boolean; userEdits?: number; safetyViolations?: number; success?: boolean; eventId?: string; source?: string; json?: boolean }) => {
      const patch: OutcomePatch = {
        ...(options.testsPassed === undefined ? {} : { testsPassed: options.testsPassed }),
        ...(options.userEdits === undefined ? {} : { userEdits: options.userEdits }),
        ...(options.safetyViolations === undefined ? {} : { safetyViolations: options.safetyViolations }),
        ...(options.success === undefined ? {} : { success: options.success }),
      };
      if (Object.keys(patch).length === 0) throw new InvalidArgumentError('give at least one of --tests-passed, --user-edits, --safety-violations, --success');
      const learning = await context.openLearning();
      const result = await learning.amend(sessionId, patch, {
        ...(options.eventId === undefined ? {} : { eventId: options.eventId }),
        ...(options.source === undefined ? {} : { source: options.source }),
      });
      const experience = result.sessionStored ? await learning.experienceOf(sessionId) : null;
      if (options.json === true) {
        writeJson(context.io, { event: result.event, duplicate: result.duplicate, sessionStored: result.sessionStored, reward: experience?.reward ?? null, outcome: experience?.outcome ?? null });
        return;
      }
      context.print(`${result.duplicate ? 'outcome event already stored' : 'outcome event stored'}: ${result.event.id} for session ${sessionId}`);
      if (!result.sessionStored) {
        context.print('the session is not stored yet: the event is kept and joined when it arrives');
        return;
      }
      const reward = experience!.reward;
      context.print(`reward ${formatValue(reward.original?.total ?? reward.total)} → ${formatValue(reward.total)}`);
      for (const amendment of reward.amendments ?? []) {
        const changes = Object.entries(amendment.changed).map(([field, change]) => `${field} ${String(change.from)} → ${String(change.to)}`).join(', ');
        context.print(`  ${amendment.eventId} (${amendment.timestamp}): ${changes}; reward ${amendment.rewardDelta >= 0 ? '+' : ''}${formatValue(amendment.rewardDelta)}`);
      }
    });
}
