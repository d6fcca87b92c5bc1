import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '@orchestra/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';

const example = fileURLToPath(new URL('./decide-with-model.ts', import.meta.url));
const model = fileURLToPath(new URL('../model', import.meta.url));

/** Runs the example as a newcomer would, in its own Node process. */
const runExample = (...args: string[]) => runNodeScript(example, ...args);

describe('policy-only example', () => {
  it('loads the trained artifact and decides with it, directly and through the router', async () => {
    const { code, stdout } = await runExample();
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model example-policy-1 on the [\w-]+ runtime$/);
    expect(lines[1]).toMatch(/^learned: ([a-z]+\+)*executor(\+[a-z]+)*, \w+, safety \w+, propensity (0\.\d{3}|1\.000)$/);
    expect(lines[2]).toMatch(/^router: learned example-policy-1, fallbacks /);
  }, 60_000);

  it('only imports @orchestra/learning-policy (what a production install has)', async () => {
    const source = await readFile(example, 'utf8');
    const imported = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imported.filter((name) => !name!.startsWith('node:'))).toEqual(['@orchestra/learning-policy']);
  });

  it('reports a damaged artifact by reason and location, and the router falls back to the rules', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'policy-only-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const damaged = join(directory, 'model');
    await cp(model, damaged, { recursive: true });
    const weights = await readFile(join(damaged, 'actor.weights.bin'));
    weights[0] = weights[0]! ^ 0xff;
    await writeFile(join(damaged, 'actor.weights.bin'), weights);
    const { code, stdout, stderr } = await runExample(damaged);
    expect(code).toBe(1);
    expect(stderr).toContain('checksum-mismatch at actor.weights.bin');
    expect(stdout.trim()).toMatch(/^router: rules [^,]+, fallbacks \{.*"corrupt-artifact":[1-9]/);
  }, 60_000);
});
