import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup (`globalSetup: ['@orchestra/test-utils/temporary-root']`): one temporary root per test run.
 * `TMPDIR` points at it before any test worker starts, so every temporary file or directory the tests make — and
 * the processes they spawn (the built CLI, the demo, workers) — lands under it, whatever cleans up after itself or
 * not; the root is removed when the run ends. `os.tmpdir()` reads `TMPDIR` at every call, so nothing else changes.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'orchestra-tests-'));
  // As open as the OS temp directory itself (world-writable, sticky): a test's throwaway PostgreSQL cluster runs as
  // another user (`postgres`, when the tests run as root) and must reach its own directory under the root.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
