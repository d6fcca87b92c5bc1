import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Experience } from '@orchestra/learning-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeExperienceStats } from './experience-stats';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { QuarantineWriter } from './quarantine';
import { makeExperience } from './test-support/experience-factory';
import { collect, createTemporaryDirectory } from './test-support/temporary-directory';

let directory: string;
let remove: () => void;
beforeEach(() => {
  ({ directory, remove } = createTemporaryDirectory());
});
afterEach(() => remove());

/** Hostile lines with the reason each must be quarantined for. */
function hostileLines(): { bytes: Buffer; reason: string }[] {
  const valid = JSON.stringify(makeExperience(99, 0));
  const text = (line: string) => Buffer.from(line);
  return [
    { bytes: text(valid.slice(0, valid.length / 2)), reason: 'invalid-json' },
    { bytes: text('{"schemaVersion":1,"id":'), reason: 'invalid-json' },
    { bytes: text(JSON.stringify({ ...makeExperience(99, 1), propensity: 'high' })), reason: 'schema' },
    { bytes: text(JSON.stringify({ ...makeExperience(99, 2), state: { features: 'none' } })), reason: 'schema' },
    { bytes: text(JSON.stringify({ ...makeExperience(99, 3), reward: { total: null, components: {} } })), reason: 'schema' },
    { bytes: text(JSON.stringify({ ...makeExperience(99, 4), schemaVersion: 99 })), reason: 'schema-version' },
    { bytes: text(JSON.stringify({ ...makeExperience(99, 5), task: { description: 'x'.repeat(1024 * 1024), files: [] } })), reason: 'line-too-long' },
    { bytes: Buffer.alloc(1024 * 1024 + 17, 'a'), reason: 'line-too-long' },
    { bytes: text(valid.replace('"exp-99-0"', '"exp-\u0000-nul"')), reason: 'invalid-json' },
    { bytes: Buffer.from([0, 0, 0, 0]), reason: 'invalid-json' },
    { bytes: text(valid.replace('{"schemaVersion":1', '{"__proto__":{"polluted":true},"schemaVersion":1')), reason: 'forbidden-key' },
    { bytes: text(valid.replace('"taskType"', '"constructor":{"prototype":{"polluted":true}},"taskType"')), reason: 'forbidden-key' },
    { bytes: text(valid.replace('{"schemaVersion":1', '{"\\u005f_proto__":{"polluted":true},"schemaVersion":1')), reason: 'forbidden-key' },
    { bytes: Buffer.concat([text('{"id":"'), Buffer.from([0xff, 0xfe, 0xc3]), text('"}')]), reason: 'invalid-utf8' },
    { bytes: text('[1,2,3]'), reason: 'not-an-object' },
    { bytes: text('42'), reason: 'not-an-object' },
    { bytes: text('null'), reason: 'not-an-object' },
  ];
}

describe('reading a hostile buffer', () => {
  it('quarantines every hostile line with its reason, never crashes, and keeps stats right for the good lines', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    const good: Experience[] = [];
    const parts: Buffer[] = [];
    const hostile = hostileLines();
    for (let index = 0; index < 200; index += 1) {
      const experience = makeExperience(98, index, { withSession: index % 2 === 0 });
      good.push(experience);
      parts.push(Buffer.from(`${JSON.stringify(experience)}\n`));
      if (index % 10 === 5 && hostile.length > 0) parts.push(Buffer.concat([hostile.shift()!.bytes, Buffer.from('\n')]));
      if (index === 50) parts.push(Buffer.from('\n\n'));
    }
    for (const line of hostile) parts.push(Buffer.concat([line.bytes, Buffer.from('\n')]));
    // A rotated segment holds the same content, gzip-compressed, ending in an unterminated (torn) line.
    await fs.writeFile(store.activePath, Buffer.concat(parts));
    const rotatedPath = path.join(store.directory, 'experiences.000001.jsonl');
    const rotatedGood = good.map((experience) => ({ ...experience, id: `rotated-${experience.id}` }));
    const rotatedParts = parts.map((part, index) => (index === 0 ? Buffer.from(`${JSON.stringify(rotatedGood[0])}\n`) : part));
    await fs.writeFile(rotatedPath, Buffer.concat([...rotatedParts, Buffer.from('{"schemaVersion":1,"id":"torn')]));
    await store.compact();

    const expectedReasons = hostileLines().map((line) => line.reason);
    const stream = store.read();
    const stats = await computeExperienceStats(stream);
    expect(stream.summary.quarantined).toBe(2 * expectedReasons.length + 1);
    expect(stats.quarantined).toBe(2 * expectedReasons.length + 1);
    const countReasons = (reasons: string[]) => reasons.reduce<Record<string, number>>((counts, reason) => ({ ...counts, [reason]: (counts[reason] ?? 0) + 1 }), {});
    expect(stream.summary.quarantinedByReason).toEqual(countReasons([...expectedReasons, ...expectedReasons, 'torn-tail']));

    const reference = await computeExperienceStats([rotatedGood[0]!, ...good.slice(1), ...good]);
    expect(stats).toEqual({ ...reference, quarantined: stats.quarantined });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const entries = await QuarantineWriter.readAll(store.quarantinePath);
    expect(entries).toHaveLength(2 * expectedReasons.length + 1);
    for (const entry of entries) {
      expect(entry.line).toBeGreaterThan(0);
      expect(entry.detail.length).toBeGreaterThan(0);
      expect(['experiences.000001.jsonl.gz', 'experiences.jsonl']).toContain(entry.segment);
      expect(entry.excerpt.length).toBeLessThanOrEqual(512);
    }
    const oversized = entries.filter((entry) => entry.reason === 'line-too-long');
    expect(oversized.every((entry) => entry.bytes > 1024 * 1024)).toBe(true);

    // A second read finds the same lines but does not record them twice.
    const again = store.read();
    expect((await collect(again)).length).toBe(400);
    expect(again.summary.quarantined).toBe(2 * expectedReasons.length + 1);
    expect(await QuarantineWriter.readAll(store.quarantinePath)).toHaveLength(entries.length);
    await store.close();
  });

  it('reports line numbers of quarantined lines within their segment', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    const lines = [JSON.stringify(makeExperience(1, 0)), '{oops', JSON.stringify(makeExperience(1, 1)), '', '[]'];
    await fs.writeFile(store.activePath, `${lines.join('\n')}\n`);
    const stream = store.read();
    expect((await collect(stream)).map((experience) => experience.id)).toEqual(['exp-1-0', 'exp-1-1']);
    const entries = await QuarantineWriter.readAll(store.quarantinePath);
    expect(entries.map((entry) => [entry.line, entry.reason])).toEqual([
      [2, 'invalid-json'],
      [5, 'not-an-object'],
    ]);
    await store.close();
  });
});
