import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
  const temporary = `${absolute}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, absolute);
  return absolute;
}
