import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { llmrouterTable } from './llmrouter-table';
import { routellmTable, type TableTexts } from './routellm-table';

/** The repository root (three levels above this folder). */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the shared data lives by default: `ORCHESTRA_SHARED_DATA`, else `../shared/data` beside the repository. */
export const defaultSharedData = process.env.ORCHESTRA_SHARED_DATA ?? join(repositoryRoot, '..', 'shared', 'data');

/**
 * The replay tables the benches build from the shared data folder `data`, by name; exits the process with 0 and a
 * note on stderr when the folder holds neither source (`pnpm bench` runs every package's bench, with or without it).
 */
export function replayBenchTables(data: string, bench: string): Record<string, () => TableTexts> {
  const folder = resolve(data);
  if (!existsSync(join(folder, 'routellm')) && !existsSync(join(folder, 'llmrouter'))) {
    console.error(`${bench}: skipped, no shared data at ${folder} (pass --data DIR or set ORCHESTRA_SHARED_DATA)`);
    process.exit(0);
  }
  return {
    'routellm-mmlu': () => routellmTable(join(folder, 'routellm'), 'mmlu'),
    'routellm-gsm8k': () => routellmTable(join(folder, 'routellm'), 'gsm8k'),
    llmrouter: () => llmrouterTable(join(folder, 'llmrouter')),
  };
}
