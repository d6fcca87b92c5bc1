import { TrainerUnavailableError } from './errors';

/**
 * The trainer package's module, as loaded at run time. Typed structurally (not with `typeof import(...)`) so that
 * this package's declarations do not require the optional trainer to be installed.
 */
export type TrainerModule = Readonly<Record<string, unknown>>;

/** Imports a module by name; replaceable in tests. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/**
 * Loads `@orchestra/learning-trainer` by dynamic import, so that a production install without it (and without
 * its numeric dependencies) still works. Throws `TrainerUnavailableError` when it is not installed.
 */
export async function loadTrainer(importer: ModuleImporter = defaultImporter): Promise<TrainerModule> {
  try {
    return (await importer('@orchestra/learning-trainer')) as TrainerModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new TrainerUnavailableError({ cause: error });
    throw error;
  }
}
