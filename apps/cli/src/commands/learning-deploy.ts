import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { writeJson } from '../terminal';

/** `orchestra learning-deploy DIR [--force]` and `orchestra learning-rollback`. */
export function registerDeployment(program: Command, context: CliContext): void {
  program
    .command('learning-deploy')
    .description('make a trained model the active policy (refused when its off-policy evaluation did not beat the rules)')
    .argument('<dir>', 'model artifact directory (manifest.json + weights)')
    .option('--force', 'deploy even if the evaluation did not beat the rules (and keep production mode)')
    .option('--json', 'print the deployment as JSON')
    .action(async (directory: string, options: { force?: boolean; json?: boolean }) => {
      const learning = await context.openLearning();
      const deployed = await learning.deploy(context.resolvePath(directory), options.force === true ? { force: true } : {});
      if (options.json === true) {
        writeJson(context.io, { deployed, mode: learning.mode, abFraction: learning.abFraction });
        return;
      }
      context.print(`deployed model ${context.colors.bold(deployed.version)}${deployed.forced ? context.colors.yellow(' (forced)') : ''} → ${deployed.directory}`);
      context.print(`mode ${learning.mode}${learning.mode === 'ab_test' ? ` (fraction ${learning.abFraction})` : ''}`);
    });

  program
    .command('learning-rollback')
    .description('return to the previously deployed model, or to the rules when there is none')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const learning = await context.openLearning();
      const active = await learning.rollback();
      if (options.json === true) {
        writeJson(context.io, { deployed: active, mode: learning.mode });
        return;
      }
      context.print(active === null ? 'rolled back to the rules (no model deployed)' : `rolled back to model ${context.colors.bold(active.version)}`);
      context.print(`mode ${learning.mode}`);
    });
}
