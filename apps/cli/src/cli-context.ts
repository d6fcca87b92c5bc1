import { resolve } from 'node:path';
import { createLearning, type CreateLearningOptions, type LearningManager } from '@orchestra/learning';
import { colorsFor, type CliIo } from './terminal';

/** What every command gets: the IO, colours, and a way to open the learning manager of the configured data dir. */
export interface CliContext {
  io: CliIo;
  colors: ReturnType<typeof colorsFor>;
  /** Writes one line to stdout. */
  print(line?: string): void;
  /**
   * Opens the manager (no hot-reload timer: the command is short-lived; no history warm-up unless asked: only
   * commands that decide need it). Closed by the runner.
   */
  openLearning(options?: Omit<CreateLearningOptions, 'cwd' | 'env'>): Promise<LearningManager>;
  /** The configuration file given with `--config FILE` (else `./orchestra.config.json` when it exists). */
  configFile?: string;
  /**
   * A path given on the command line, made absolute against the IO's working directory (what a relative path means
   * to the user, also when the CLI runs in-process with another `cwd`). `''` stays `''` (refused where it is used).
   */
  resolvePath(path: string): string;
}

/** Builds the context and a function that closes whatever the commands opened. */
export function createCliContext(io: CliIo): { context: CliContext; close(): Promise<void> } {
  const opened: LearningManager[] = [];
  const colors = colorsFor(io);
  const context: CliContext = {
    io,
    colors,
    print: (line = '') => io.stdout.write(`${line}\n`),
    resolvePath: (path) => (path === '' ? path : resolve(io.cwd, path)),
    openLearning: async (options = {}) => {
      const manager = await createLearning({
        ...options,
        cwd: io.cwd,
        env: io.env,
        ...(context.configFile === undefined ? {} : { configFile: context.configFile }),
        config: { reloadIntervalMs: 0, warmHistory: false, ...options.config },
      });
      opened.push(manager);
      return manager;
    },
  };
  return {
    context,
    close: async () => {
      for (const manager of opened.splice(0)) await manager.close();
    },
  };
}
