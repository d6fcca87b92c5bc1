import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExperienceFile } from './experience-file';
import { makeExperience } from './test-support/make-experience';

describe('readExperienceFile', () => {
  it('reads JSON arrays and JSONL exports and names the first bad record', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'experience-file-'));
    const experiences = [makeExperience(1), makeExperience(2, { source: 'learned' })];
    await writeFile(join(directory, 'a.json'), JSON.stringify(experiences));
    await writeFile(join(directory, 'a.jsonl'), experiences.map((experience) => JSON.stringify(experience)).join('\n'));
    expect(await readExperienceFile(join(directory, 'a.json'))).toEqual(experiences);
    expect(await readExperienceFile(join(directory, 'a.jsonl'))).toEqual(experiences);
    await writeFile(join(directory, 'bad.jsonl'), `${JSON.stringify(experiences[0])}\n${JSON.stringify({ ...experiences[1], propensity: 0 })}\n`);
    await expect(readExperienceFile(join(directory, 'bad.jsonl'))).rejects.toThrow(/record 2.*propensity/);
    await writeFile(join(directory, 'a.csv'), 'id,reward\n1,2\n');
    await expect(readExperienceFile(join(directory, 'a.csv'))).rejects.toThrow(/CSV exports cannot be read back/);
    await expect(readExperienceFile(join(directory, 'none.json'))).rejects.toThrow(/ENOENT/);
  });
});
