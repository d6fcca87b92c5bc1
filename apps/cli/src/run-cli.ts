import { Command, CommanderError } from 'commander';
import { createCliContext } from './cli-context';
import { registerDeployment } from './commands/learning-deploy';
import { registerLearningExport } from './commands/learning-export';
import { registerLearningMode } from './commands/learning-mode';
import { registerLearningReport } from './commands/learning-report';
import { registerLearningStats } from './commands/learning-stats';
import { registerLearningStatus } from './commands/learning-status';
import { registerSim } from './commands/sim';
import { DEMO_EXIT, registerDemo } from './commands/demo';
import { registerLearningRecord } from './commands/learning-record';
import { registerStart } from './commands/start';
import { registerLearningEval, registerLearningTrain } from './commands/learning-train';
import { registerLearningImprove } from './commands/learning-improve';
import { registerLearningRelook } from './commands/learning-relook';
import { registerLearningAmend } from './commands/learning-amend';
import { registerLearningReprice } from './commands/learning-reprice';
import { registerReplay } from './commands/replay';
import { processIo, type CliIo } from './terminal';

/** Exit code of a usage error (unknown command or option, bad argument value). */
export const USAGE_ERROR_EXIT_CODE = 2;
/** Exit code of a failed command (missing file, corrupt model, refused by a rollout rule…). */
export const FAILURE_EXIT_CODE = 1;

/** The first line of an error's message: errors are printed as one line (set ORCHESTRA_DEBUG=1 for the stack). */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

/** Writes `{"error":{name, code, message}}` as one line on stdout. */
function writeJsonError(io: CliIo, name: string, code: string | null, message: string): void {
  io.stdout.write(`${JSON.stringify({ error: { name, code, message: message.replace(/^error: /, '').split('\n')[0]!.trim() } })}\n`);
}

/** Builds the `orchestra` program; commands print through `io`. */
export function buildProgram(io: CliIo, context: ReturnType<typeof createCliContext>['context'], options: { json?: boolean } = {}): Command {
  const program = new Command('orchestra')
    .description('Orchestra Learning: decide, record, train, evaluate and deploy orchestration policies')
    .version('0.1.0')
    .option('--config <file>', 'configuration file (default: ./orchestra.config.json when it exists): mode, dataDir, models, rollout, …')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Under --json a usage error is reported as JSON by runCli instead.
      outputError: (text, write) => {
        if (options.json !== true) write(`${text.trim().split('\n')[0]}\n`);
      },
    });
  registerLearningStatus(program, context);
  registerLearningStats(program, context);
  registerLearningExport(program, context);
  registerLearningMode(program, context);
  registerDeployment(program, context);
  registerLearningReport(program, context);
  registerLearningTrain(program, context);
  registerLearningEval(program, context);
  registerLearningImprove(program, context);
  registerLearningRelook(program, context);
  registerLearningRecord(program, context);
  registerLearningAmend(program, context);
  registerLearningReprice(program, context);
  registerStart(program, context);
  registerSim(program, context);
  registerDemo(program, context);
  registerReplay(program, context);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  program.hook('preAction', () => {
    const configFile = program.opts<{ config?: string }>().config;
    if (configFile !== undefined) context.configFile = configFile;
  });
  return program;
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const { context, close } = createCliContext(io);
  const json = argv.includes('--json');
  const program = buildProgram(io, context, { json });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === DEMO_EXIT) return error.exitCode;
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.exitCode === 0) return 0;
      if (json) writeJsonError(io, 'UsageError', error.code, error.message);
      return USAGE_ERROR_EXIT_CODE;
    }
    if (json) {
      // Under --json the error is JSON too (on stdout, where a script reads the result), and the exit code says it failed.
      const named = error as { code?: unknown };
      writeJsonError(io, error instanceof Error ? error.name : 'Error', typeof named.code === 'string' ? named.code : null, oneLine(error));
      return FAILURE_EXIT_CODE;
    }
    io.stderr.write(`orchestra: ${oneLine(error)}\n`);
    if (io.env.ORCHESTRA_DEBUG === '1' && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return FAILURE_EXIT_CODE;
  } finally {
    await close();
  }
}
