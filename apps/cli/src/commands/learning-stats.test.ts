import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { makeExperience } from '../test-support/fixtures';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'orchestra-stats-'));
  // Small segments: the 40 experiences rotate into several sealed segments, each summarised when sealed.
  const store = await JsonlExperienceStore.open({ dataDir: join(cwd, 'data'), segmentMaxBytes: 16 * 1024 });
  for (let index = 0; index < 40; index += 1) await store.append(makeExperience(index));
  await store.close();
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

const run = (...argv: string[]) => runInProcess(cwd, ...argv);

describe('orchestra learning-stats', () => {
  it('reads segment summaries, re-indexes a lost one once and says so on stderr', async () => {
    const bufferDirectory = join(cwd, 'data', 'experience_buffer');
    const summaries = (await readdir(bufferDirectory)).filter((name) => /^experiences\.\d+\.summary\.json$/.test(name)).sort();
    expect(summaries.length).toBeGreaterThan(1);
    await rm(join(bufferDirectory, summaries[0]!));
    const first = await run('learning-stats', '--json');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^orchestra: re-indexed 1 segment whose summary was missing, damaged or stale: experiences\.000001\.jsonl(\.gz)? \(missing\) \(summaries saved\)\n$/);
    expect(JSON.parse(first.stdout).totalExperiences).toBe(40);
    const second = await run('learning-stats', '--json');
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
  });

  it('filters by mode (a scan), and refuses a bad mode with one line', async () => {
    const all = JSON.parse((await run('learning-stats', '--json')).stdout);
    const shadow = JSON.parse((await run('learning-stats', '--json', '--mode', 'shadow')).stdout);
    expect(shadow.totalExperiences).toBe(all.byMode.shadow?.count ?? 0);
    const bad = await run('learning-stats', '--mode', 'sideways');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
