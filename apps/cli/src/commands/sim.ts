import type { Command } from 'commander';
import { printDefaultWorld } from '@orchestra/learning-sim';
import type { CliContext } from '../cli-context';

/** `orchestra sim --print-default-world`. */
export function registerSim(program: Command, context: CliContext): void {
  program
    .command('sim')
    .description('the orchestration simulator')
    .option('--print-default-world', 'print the default world (JSON) to start your own from')
    .action((options: { printDefaultWorld?: boolean }, command: Command) => {
      if (options.printDefaultWorld === true) {
        context.io.stdout.write(printDefaultWorld().endsWith('\n') ? printDefaultWorld() : `${printDefaultWorld()}\n`);
        return;
      }
      command.error('orchestra sim: choose an option, e.g. --print-default-world (see orchestra sim --help)', { exitCode: 2 });
    });
}
