import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of `writeFileAtomically`. */
export interface WriteFileAtomicallyOptions {
  /** Permission bits of the file (default 0o600: everything under a data dir is private). */
  mode?: number;
}

let sequence = 0;

/**
 * Writes `data` to `path` so that a reader sees the old file or the whole new one, never half of it: a private
 * temporary file beside it (created exclusively, so never through a symlink planted there), then a rename over
 * `path`. The temporary file is removed when anything fails. The directory must exist.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, options: WriteFileAtomicallyOptions = {}): Promise<void> {
  sequence = (sequence + 1) % 1_000_000;
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${sequence}.tmp`);
  try {
    await writeFile(temporary, data, { mode: options.mode ?? 0o600, flag: 'wx' });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
