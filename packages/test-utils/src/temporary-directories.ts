import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * Fresh temporary directories for the tests of one file: the returned function makes one under the OS temp
 * directory (its name starts with `prefix`); every directory made during a test is removed after it.
 */
export function useTemporaryDirectories(prefix: string): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(join(tmpdir(), prefix));
    made.push(directory);
    return directory;
  };
}

/**
 * One fresh temporary directory per test: made before each test (then `prepare`, if given, runs in it) and removed
 * after it. The returned function reads the current test's directory.
 */
export function useTemporaryDirectory(prefix: string, prepare?: (directory: string) => unknown): () => string {
  const make = useTemporaryDirectories(prefix);
  let current: string | undefined;
  beforeEach(async () => {
    current = make();
    await prepare?.(current);
  });
  return () => {
    if (current === undefined) throw new Error('useTemporaryDirectory: read outside a test');
    return current;
  };
}
