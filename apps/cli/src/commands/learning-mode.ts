import type { Command } from 'commander';
import type { LearningMode } from '@orchestra/learning-types';
import { LEARNING_MODE_ENVIRONMENT_VARIABLE } from '@orchestra/learning';
import type { CliContext } from '../cli-context';
import { parseFraction, parseMode } from '../parse-options';
import { writeJson } from '../terminal';

/** `orchestra learning-mode [mode] [--fraction F] [--force]`: shows or persists the mode, enforcing the rollout rules. */
export function registerLearningMode(program: Command, context: CliContext): void {
  program
    .command('learning-mode')
    .description('show the learning mode, or persist a new one (disabled | shadow | ab_test | production)')
    .argument('[mode]', 'new mode: disabled, shadow, ab_test or production', parseMode)
    .option('--fraction <fraction>', 'A/B fraction sent to the learned policy (ab_test; ramps 0.1 → 0.25 → 0.5 → 1)', parseFraction)
    .option('--force', 'override the rollout rules (A/B period before production, ramp steps, guardrails)')
    .option('--json', 'print the resulting mode as JSON')
    .action(async (mode: LearningMode | undefined, options: { fraction?: number; force?: boolean; json?: boolean }) => {
      const learning = await context.openLearning();
      if (mode === undefined && options.fraction !== undefined) {
        throw new Error('--fraction needs a mode (e.g. learning-mode ab_test --fraction 0.25)');
      }
      if (mode !== undefined) {
        if (options.fraction !== undefined && mode !== 'ab_test') throw new Error('--fraction applies to ab_test only');
        const changeOptions: { fraction?: number; force?: boolean } = {};
        if (options.fraction !== undefined) changeOptions.fraction = options.fraction;
        if (options.force !== undefined) changeOptions.force = options.force;
        await learning.setMode(mode, changeOptions);
      }
      // ORCHESTRA_LEARNING_MODE wins over the persisted mode in every process that has it set: say so, naming it.
      const environmentMode = learning.config.modeSource === 'environment' ? learning.config.mode : null;
      const pinned = environmentMode !== null && environmentMode !== learning.mode;
      const result = {
        mode: learning.mode,
        source: learning.modeSource,
        abFraction: learning.abFraction,
        deployed: learning.deployed?.version ?? null,
        ...(environmentMode === null ? {} : { environment: { variable: LEARNING_MODE_ENVIRONMENT_VARIABLE, mode: environmentMode } }),
      };
      const warning = pinned
        ? `${LEARNING_MODE_ENVIRONMENT_VARIABLE}=${environmentMode} is set: it wins over the persisted mode, so orchestra runs with it set stay in ${environmentMode}; unset ${LEARNING_MODE_ENVIRONMENT_VARIABLE} (or set it to ${learning.mode}) for ${learning.mode} to take effect`
        : null;
      const noModel =
        (learning.mode === 'ab_test' || learning.mode === 'production') && learning.deployed === null
          ? 'no model is deployed: the rules decide every session until you deploy one (orchestra learning-deploy DIR; it then starts its ab_test period)'
          : null;
      const warnings = [warning, noModel].filter((entry): entry is string => entry !== null);
      if (options.json === true) {
        writeJson(context.io, { ...result, ...(warnings.length === 0 ? {} : { warnings }) });
        return;
      }
      context.print(`mode ${context.colors.bold(result.mode)}${result.mode === 'ab_test' ? ` (fraction ${result.abFraction})` : ''}`);
      for (const entry of warnings) context.io.stderr.write(`${context.colors.yellow(`warning: ${entry}`)}\n`);
      if (warning === null && mode === undefined && environmentMode !== null) context.print(`  set by ${LEARNING_MODE_ENVIRONMENT_VARIABLE}`);
    });
}
