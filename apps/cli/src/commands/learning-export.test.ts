import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { makeExperience } from '../test-support/fixtures';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'orchestra-export-'));
  const store = await JsonlExperienceStore.open({ dataDir: join(cwd, 'data') });
  await store.append([makeExperience(0), makeExperience(1)]);
  await store.close();
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

const run = (...argv: string[]) => runInProcess(cwd, ...argv);

describe('orchestra learning-export', () => {
  it('fails with one line (exit 1) for a directory, /dev/full, a missing directory, an empty path and a symlink', async () => {
    const target = join(cwd, 'elsewhere.txt');
    await writeFile(target, 'keep me');
    await symlink(target, join(cwd, 'link.json'));
    for (const output of [cwd, '/dev/full', join(cwd, 'missing', 'out.json'), '', join(cwd, 'link.json')]) {
      const result = await run('learning-export', '-o', output, '--force');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^orchestra: Cannot export to .+\n$/);
    }
    expect(await readFile(target, 'utf8')).toBe('keep me');
  });

  it('refuses to replace an existing file without --force, and replaces it with --force', async () => {
    const output = join(cwd, 'out.jsonl');
    await writeFile(output, 'older\n');
    const refused = await run('learning-export', '-o', output, '--format', 'jsonl');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(output, 'utf8')).toBe('older\n');
    const replaced = await run('learning-export', '-o', output, '--format', 'jsonl', '--force');
    expect(replaced.code).toBe(0);
    expect((await readFile(output, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});

describe('orchestra learning-export --format parquet', () => {
  it('writes a Parquet file (PAR1 magic at both ends) and reports the rows', async () => {
    const output = join(cwd, 'history.parquet');
    const result = await run('learning-export', '-o', output, '--format', 'parquet', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'parquet', exported: 2, output });
    const bytes = await readFile(output);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(bytes.length - 4).toString('latin1')).toBe('PAR1');
  });
});
