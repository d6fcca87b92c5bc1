import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomically } from '@orchestra/learning-types/files';
import { WorldFileError } from './errors/world-file-error';
import { parseWorld, type World } from './world-schema';

/** A world as pretty JSON with a final newline: the format of `worlds/*.json`, readable by `parseWorld` and `pnpm demo --world`. */
export function printWorld(world: World): string {
  return `${JSON.stringify(parseWorld(world), null, 2)}\n`;
}

/**
 * Validates `world` and writes it as JSON to `path` (parent directories created; written to a temporary file and
 * renamed, so a reader never sees half a world). The file is what `pnpm demo --world FILE` and `orchestra sim
 * --world FILE` read. Returns the absolute path. Throws `ValidationError` for an invalid world.
 */
export async function writeWorldFile(path: string, world: World): Promise<string> {
  const absolute = resolve(path);
  const text = printWorld(world);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFileAtomically(absolute, text, { mode: 0o644 });
  return absolute;
}

/**
 * Reads and validates the world in `path` (what `writeWorldFile` writes). Throws `WorldFileError` (one line, naming
 * the absolute path) when the file cannot be read, is not JSON, or is not a valid world.
 */
export async function readWorldFile(path: string): Promise<World> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new WorldFileError({ path: absolute, message: `cannot read world file ${absolute} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorldFileError({ path: absolute, message: `world file ${absolute} is not valid JSON`, cause: error });
  }
  try {
    return parseWorld(json);
  } catch (error) {
    throw new WorldFileError({ path: absolute, message: `world file ${absolute} is not a valid world: ${(error as Error).message}`, cause: error });
  }
}
