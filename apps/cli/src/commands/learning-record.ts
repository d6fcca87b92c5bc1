import { Option, type Command } from 'commander';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/**
 * `orchestra learning-record FILE [--format auto|sessions|otlp]`: ingests finished sessions of another orchestrator
 * (JSON, JSON array or JSONL; the design's `EnhancedSessionState` shape), an export of `learning-export` (json /
 * jsonl), or OpenTelemetry GenAI traces (OTLP/JSON, one `ExportTraceServiceRequest` per line as the Collector's file
 * exporter writes them; malformed traces are quarantined). A session id already stored is skipped and reported.
 */
export function registerLearningRecord(program: Command, context: CliContext): void {
  program
    .command('learning-record')
    .description('ingest finished sessions (EnhancedSessionState + optional task, action, propensity) or a learning-export file (JSON or JSONL); sessions already stored are skipped')
    .argument('<file>', 'JSON (one record or an array) or JSONL file')
    .addOption(
      new Option('--format <format>', 'what the file holds: sessions (or a learning-export), otlp (OpenTelemetry GenAI traces, OTLP/JSON), or auto')
        .choices(['auto', 'sessions', 'otlp'])
        .default('auto'),
    )
    .option('--json', 'print what was recorded as JSON')
    .action(async (file: string, options: { json?: boolean; format: 'auto' | 'sessions' | 'otlp' }) => {
      const learning = await context.openLearning();
      // Without --json only the counts are printed: do not keep the experiences (a large file then ingests in bounded memory).
      const { recorded, skipped, experiences, traces, builtOnWorkers } = await learning.ingestFile(context.resolvePath(file), { keepExperiences: options.json === true, format: options.format });
      if (options.json === true) {
        writeJson(context.io, {
          recorded,
          skipped: skipped.length,
          skippedSessionIds: skipped,
          ...(traces === undefined ? {} : { traces: traces.total, quarantinedTraces: traces.quarantined }),
          experiences: experiences.map((experience) => ({ id: experience.id, sessionId: experience.sessionId, taskType: experience.state.context.taskType, reward: experience.reward.total })),
        });
        return;
      }
      const skippedNote = skipped.length === 0 ? '' : `; skipped ${skipped.length} already stored (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''})`;
      const traceNote = traces === undefined ? '' : `; ${traces.total} trace${traces.total === 1 ? '' : 's'}, ${traces.quarantined} malformed (quarantined)`;
      const workerNote = builtOnWorkers === undefined ? '' : `; ${builtOnWorkers} built on worker threads`;
      context.print(`recorded ${recorded} session${recorded === 1 ? '' : 's'} from ${file} into ${learning.config.dataDir}${skippedNote}${traceNote}${workerNote}`);
    });
}
