import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caughtError, runNodeScript, useTemporaryDirectories, useTemporaryDirectory } from './index';
import temporaryRoot from './temporary-root';

describe('caughtError', () => {
  it('returns what a function throws, and undefined when it returns', () => {
    const thrown = new RangeError('out');
    expect(caughtError(() => { throw thrown; })).toBe(thrown);
    expect(caughtError(() => 1)).toBeUndefined();
  });

  it('returns what a promise rejects with, and undefined when it resolves', async () => {
    const thrown = new TypeError('late');
    expect(await caughtError(() => Promise.reject(thrown))).toBe(thrown);
    expect(await caughtError(async () => 2)).toBeUndefined();
  });
});

describe('temporary directories', () => {
  const make = useTemporaryDirectories('orchestra-test-utils-');
  const current = useTemporaryDirectory('orchestra-test-utils-one-');
  const seen: string[] = [];

  it('makes distinct existing directories', () => {
    const first = make();
    const second = make();
    expect(first).not.toBe(second);
    expect(existsSync(first) && existsSync(second) && existsSync(current())).toBe(true);
    seen.push(first, second, current());
  });

  it('removed the previous test directories after it', () => {
    expect(seen).toHaveLength(3);
    for (const directory of seen) expect(existsSync(directory)).toBe(false);
    expect(seen).not.toContain(current());
  });
});

describe('temporary root (the global setup)', () => {
  it('points the OS temp directory at a fresh root for the run, and removes it with what was left in it', async () => {
    const before = process.env.TMPDIR;
    const outer = tmpdir();
    const teardown = temporaryRoot();
    const root = tmpdir();
    try {
      expect(root.startsWith(join(outer, 'orchestra-tests-'))).toBe(true);
      expect(statSync(root).mode & 0o7777).toBe(0o1777);
      // A test that forgets its directory, and a child process that inherits the environment.
      const forgotten = mkdtempSync(join(tmpdir(), 'forgotten-'));
      writeFileSync(join(forgotten, 'file'), 'x');
      const child = await runNodeScript(new URL('./fixtures/print-temporary-directory.ts', import.meta.url));
      expect(child.stdout.trim()).toBe(root);
    } finally {
      teardown();
    }
    expect(existsSync(root)).toBe(false);
    expect(process.env.TMPDIR).toBe(before);
  }, 60_000);
});

describe('runNodeScript', () => {
  it('reports the exit code and output of a failing script without rejecting', async () => {
    const script = new URL('./fixtures/exit-with-code.ts', import.meta.url);
    const run = await runNodeScript(script, '3', 'hello');
    expect(run).toEqual({ code: 3, stdout: 'hello\n', stderr: '' });
    expect(await runNodeScript(fileURLToPath(script), '0', 'fine')).toEqual({ code: 0, stdout: 'fine\n', stderr: '' });
    // Two child Node processes with the TypeScript loader: over 5 s on a loaded 2-core machine (measured 5.1 s).
  }, 60_000);
});
