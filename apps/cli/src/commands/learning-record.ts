import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/**
 * `orchestra learning-record FILE`: ingests finished sessions of another orchestrator (JSON, JSON array or JSONL; the
 * design's `EnhancedSessionState` shape) or an export of `learning-export` (json / jsonl). A session id already
 * stored is skipped and reported.
 */
export function registerLearningRecord(program: Command, context: CliContext): void {
  program
    .command('learning-record')
    .description('ingest finished sessions (EnhancedSessionState + optional task, action, propensity) or a learning-export file (JSON or JSONL); sessions already stored are skipped')
    .argument('<file>', 'JSON (one record or an array) or JSONL file')
    .option('--json', 'print what was recorded as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const learning = await context.openLearning();
      // Without --json only the counts are printed: do not keep the experiences (a large file then ingests in bounded memory).
      const { recorded, skipped, experiences } = await learning.ingestFile(file, { keepExperiences: options.json === true });
      if (options.json === true) {
        writeJson(context.io, {
          recorded,
          skipped: skipped.length,
          skippedSessionIds: skipped,
          experiences: experiences.map((experience) => ({ id: experience.id, sessionId: experience.sessionId, taskType: experience.state.context.taskType, reward: experience.reward.total })),
        });
        return;
      }
      const skippedNote = skipped.length === 0 ? '' : `; skipped ${skipped.length} already stored (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''})`;
      context.print(`recorded ${recorded} session${recorded === 1 ? '' : 's'} from ${file} into ${learning.config.dataDir}${skippedNote}`);
    });
}
