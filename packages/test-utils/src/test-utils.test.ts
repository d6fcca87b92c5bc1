import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caughtError, runNodeScript, useTemporaryDirectories, useTemporaryDirectory } from './index';

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

describe('runNodeScript', () => {
  it('reports the exit code and output of a failing script without rejecting', async () => {
    const script = new URL('./fixtures/exit-with-code.ts', import.meta.url);
    const run = await runNodeScript(script, '3', 'hello');
    expect(run).toEqual({ code: 3, stdout: 'hello\n', stderr: '' });
    expect(await runNodeScript(fileURLToPath(script), '0', 'fine')).toEqual({ code: 0, stdout: 'fine\n', stderr: '' });
    // Two child Node processes with the TypeScript loader: over 5 s on a loaded 2-core machine (measured 5.1 s).
  }, 60_000);
});
