import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/** `orchestra learning-record FILE`: ingests finished sessions of another orchestrator (JSON, JSON array or JSONL). */
export function registerLearningRecord(program: Command, context: CliContext): void {
  program
    .command('learning-record')
    .description('ingest finished sessions (EnhancedSessionState + optional task, action, propensity) from a JSON or JSONL file')
    .argument('<file>', 'JSON (one record or an array) or JSONL file')
    .option('--json', 'print what was recorded as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const learning = await context.openLearning();
      // Without --json only the count is printed: do not keep the experiences (a large file then ingests in bounded memory).
      const { recorded, experiences } = await learning.ingestFile(file, { keepExperiences: options.json === true });
      if (options.json === true) {
        writeJson(context.io, { recorded, experiences: experiences.map((experience) => ({ id: experience.id, sessionId: experience.sessionId, taskType: experience.state.context.taskType, reward: experience.reward.total })) });
        return;
      }
      context.print(`recorded ${recorded} session${recorded === 1 ? '' : 's'} from ${file} into ${learning.config.dataDir}`);
    });
}
