import { resolve } from 'node:path';
import { defaultModelCatalog } from '@orchestra/learning-features';
import { defaultWorld, readWorldFile, WorldFileError, type World } from '@orchestra/learning-sim';
import { OrchestraError } from '@orchestra/learning-types';

/** A world file that cannot be used: unreadable, not JSON, invalid, or without the models the policies choose from. */
export class DemoWorldError extends OrchestraError {
  readonly path: string;

  constructor({ path, message, cause }: { path: string; message: string; cause?: unknown }) {
    super({ name: 'DemoWorldError', code: 'ORCHESTRA_DEMO_WORLD', message, cause });
    this.path = path;
  }

  static override isInstance(error: unknown): error is DemoWorldError {
    return OrchestraError.isInstance(error) && (error as Error).name === 'DemoWorldError';
  }
}

/**
 * Reads and validates a world (the simulator's zod schema), or returns the default world. The policies' action
 * space is the default model catalog (as in a real installation), so the world must price and simulate those models.
 */
export async function loadWorld(path: string | undefined): Promise<{ world: World; name: string; source: string }> {
  if (path === undefined) return { world: defaultWorld, name: defaultWorld.name, source: 'built-in default world' };
  const absolute = resolve(path);
  let world: World;
  try {
    world = await readWorldFile(absolute);
  } catch (error) {
    if (!WorldFileError.isInstance(error)) throw error;
    throw new DemoWorldError({ path: absolute, message: error.message, cause: error });
  }
  const missing = defaultModelCatalog.models.map((model) => model.id).filter((id) => !world.models.some((model) => model.id === id));
  if (missing.length > 0) {
    throw new DemoWorldError({
      path: absolute,
      message: `world ${world.name} lacks model(s) ${missing.join(', ')} of the policies' catalog (${defaultModelCatalog.models.map((model) => model.id).join(', ')})`,
    });
  }
  return { world, name: world.name, source: absolute };
}
