import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@orchestra/learning-features';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionIngestError } from './errors';
import { createLearning } from './learning-manager';
import { readSessionFile } from './session-file';
import { streamSessionFile } from './session-stream';
import { OrchestratorIntegration } from './orchestrator-integration';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'session-stream-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

function finishedSession(sessionId: string) {
  const tracker = new OrchestratorIntegration({ sessionId });
  const step = tracker.stepStarted({ agent: 'executor' });
  tracker.modelAttempt(step, { model: 'glm-4.7', tokens: 900, latencyMs: 1200, costUsd: 0.01, success: true });
  tracker.stepEnded(step, 'completed');
  return tracker.finish();
}

async function collectIds(path: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const ingested of streamSessionFile(path)) ids.push(ingested.session.sessionId ?? '');
  return ids;
}

async function ingestError(path: string): Promise<SessionIngestError> {
  try {
    await collectIds(path);
  } catch (error) {
    expect(SessionIngestError.isInstance(error)).toBe(true);
    return error as SessionIngestError;
  }
  throw new Error('expected a SessionIngestError');
}

describe('streamSessionFile', () => {
  it('reads a JSON object, a JSON array (brackets inside strings are text) and JSONL alike', async () => {
    const one = finishedSession('one');
    const tricky = { ...finishedSession('two'), task: { description: 'a "quoted" ] and } and [ {', files: [] } };
    await writeFile(join(directory, 'one.json'), JSON.stringify(one, null, 2));
    await writeFile(join(directory, 'array.json'), `\n[ ${JSON.stringify(one)} ,\n${JSON.stringify(tricky)} ]\n`);
    await writeFile(join(directory, 'lines.jsonl'), `${JSON.stringify(one)}\n\n${JSON.stringify(tricky)}\n`);
    expect(await collectIds(join(directory, 'one.json'))).toEqual(['one']);
    expect(await collectIds(join(directory, 'array.json'))).toEqual(['one', 'two']);
    expect(await collectIds(join(directory, 'lines.jsonl'))).toEqual(['one', 'two']);
  });

  it('splits records whose strings hold quotes, backslashes, brackets and escaped newlines across chunk boundaries (seeded)', async () => {
    const random = createRng(2718);
    const alphabet = ['"', '\\', '{', '}', '[', ']', '\n', ',', ' ', 'a', 'b', '\u00e9', '\u{1F600}', '\\"', '\\\\'];
    const noteOf = () => {
      let note = '';
      const length = Math.floor(random.next() * 1_500);
      for (let index = 0; index < length; index += 1) note += alphabet[Math.floor(random.next() * alphabet.length)]!;
      return note;
    };
    // About 1.6 MB: the reader's 256 KiB chunks end at several places inside strings (after a backslash too, by chance).
    const sessions = Array.from({ length: 700 }, (_, index) => ({ ...finishedSession(`s${index}`), note: noteOf() }));
    await writeFile(join(directory, 'notes.jsonl'), sessions.map((session) => JSON.stringify(session)).join('\n'));
    await writeFile(join(directory, 'notes.json'), JSON.stringify(sessions));
    for (const file of ['notes.jsonl', 'notes.json']) {
      const notes: unknown[] = [];
      for await (const ingested of streamSessionFile(join(directory, file))) notes.push((ingested.session as { note?: unknown }).note);
      expect(notes).toEqual(sessions.map((session) => session.note));
    }
    // A bad record after such strings is still named by its line.
    await writeFile(join(directory, 'late.jsonl'), `${sessions.slice(0, 40).map((session) => JSON.stringify(session)).join('\n')}\n[1]\n`);
    expect((await ingestError(join(directory, 'late.jsonl'))).record).toBe(41);
  });

  it('refuses non-UTF-8 bytes, saying so, instead of replacing them with U+FFFD', async () => {
    const text = JSON.stringify({ ...finishedSession('bytes'), task: { description: 'caf\u00e9', files: [] } });
    const bytes = Buffer.from(text);
    const latin1 = Buffer.concat([bytes.subarray(0, text.indexOf('caf') + 3), Buffer.from([0xe9]), bytes.subarray(text.indexOf('caf') + 5)]);
    await writeFile(join(directory, 'latin1.json'), latin1);
    expect((await ingestError(join(directory, 'latin1.json'))).message).toMatch(/not valid UTF-8/);
    await expect(readSessionFile(join(directory, 'latin1.json'))).rejects.toThrow(/not valid UTF-8/);
  });

  it('names the record of bad input: invalid JSON, a non-object, an unclosed array, too deep, an empty file', async () => {
    const good = JSON.stringify(finishedSession('good'));
    const cases: [string, string, RegExp, number][] = [
      ['broken.jsonl', `${good}\n{"a":\n`, /ends inside a record/, 2],
      ['number.json', `[${good}, 42]`, /must be a JSON object/, 2],
      ['unclosed.json', `[${good}`, /array is not closed/, 0],
      ['deep.json', `${'['.repeat(1)}${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]`, /nested more than/, 1],
      ['empty.json', '  \n', /empty/, 0],
      ['trailing.json', `[${good}] x`, /after the closing/, 2],
    ];
    for (const [name, text, message, record] of cases) {
      await writeFile(join(directory, name), text);
      const error = await ingestError(join(directory, name));
      expect(error.message).toMatch(message);
      expect(error.record).toBe(record);
    }
  });

  it('ingests a large JSON array streaming, in bounded memory, with group commit', async () => {
    // 30,000 records keep the suite quick; `pnpm --filter @orchestra/learning bench` runs 100,000 (BENCH_INGEST_SESSIONS).
    const total = 30_000;
    const path = join(directory, 'big.json');
    const out = createWriteStream(path);
    const template = JSON.stringify(finishedSession('SESSION'));
    out.write('[');
    for (let index = 0; index < total; index += 1) {
      const chunk = `${index === 0 ? '' : ','}\n${template.replace('SESSION', `s-${index}`)}`;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(']\n', () => resolve()));

    const learning = await createLearning({ cwd: directory, env: {}, config: { reloadIntervalMs: 0, warmHistory: false } });
    try {
      // Count the store's syncs: group commit is what makes ingest fast, and unlike a rate it does not depend on load.
      const probe = await open(path, 'r');
      const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const datasync = vi.spyOn(prototype, 'datasync');
      const heapBefore = process.memoryUsage().heapUsed;
      let peakHeap = heapBefore;
      const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 25);
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const { recorded, experiences } = await learning.ingestFile(path, { keepExperiences: false });
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStarted);
      clearInterval(sampler);
      const syncs = datasync.mock.calls.length;
      datasync.mockRestore();
      expect(recorded).toBe(total);
      expect(experiences).toEqual([]);
      const rate = total / seconds;
      const cpuRate = total / ((cpu.user + cpu.system) / 1e6);
      console.log(`ingested ${total} sessions in ${seconds.toFixed(1)} s: ${Math.round(rate)}/s wall, ${Math.round(cpuRate)}/CPU-s, ${syncs} syncs; heap peak +${Math.round((peakHeap - heapBefore) / 1e6)} MB`);
      // The whole file (~20 MB as JS strings, ~150 MB as parsed records) is never held at once.
      expect(peakHeap - heapBefore).toBeLessThan(200e6);
      // One sync per session (the old path, ~440 sessions/s) would be 30,000 syncs.
      expect(syncs).toBeGreaterThan(0);
      expect(syncs).toBeLessThan(total / 50);
    } finally {
      await learning.close();
    }
  }, 180_000);

  it('records nothing when any record of the file is invalid (validated before the first is recorded)', async () => {
    const good = JSON.stringify(finishedSession('good'));
    await writeFile(join(directory, 'late-error.jsonl'), `${good}\n${good.replace('"good"', '"second"')}\n{"phase":"dancing"}\n`);
    const learning = await createLearning({ cwd: directory, env: {}, config: { reloadIntervalMs: 0, warmHistory: false } });
    try {
      await expect(learning.ingestFile(join(directory, 'late-error.jsonl'))).rejects.toSatisfy((error) => SessionIngestError.isInstance(error) && error.record === 3);
      expect(await learning.readBuffer()).toEqual([]);
    } finally {
      await learning.close();
    }
  });
});
