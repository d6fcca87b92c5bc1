import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import * as vitest from 'vitest';
import { ingestSession } from './test-support/fixtures';
import { binPath, runOrchestra, sandbox } from './test-support/run-orchestra';
import { describeWithPostgres } from '@orchestra/learning-store-postgres/testing';

beforeAll(() => {
  if (!existsSync(binPath)) throw new Error(`${binPath} is missing: run \`pnpm --filter @orchestra/cli build\` first`);
});

const session = ingestSession;

await describeWithPostgres(vitest, 'orchestra with ORCHESTRA_STORE_URL=postgres://…', ({ freshDatabase }) => {
  it('records from several processes at once into one database, and every command reads it', async () => {
    const url = await freshDatabase();
    const { cwd, dataDir } = await sandbox();
    const run = (...args: string[]) => runOrchestra(args, { cwd, env: { ORCHESTRA_DATA_DIR: dataDir, ORCHESTRA_STORE_URL: url } });
    const lines = (prefix: string) => Array.from({ length: 25 }, (_, index) => JSON.stringify(session(`${prefix}-${index}`))).join('\n');
    await writeFile(join(cwd, 'a.jsonl'), lines('a'));
    await writeFile(join(cwd, 'b.jsonl'), lines('b'));
    const parallel = await Promise.all([run('learning-record', join(cwd, 'a.jsonl'), '--json'), run('learning-record', join(cwd, 'b.jsonl'), '--json'), run('learning-record', join(cwd, 'a.jsonl'), '--json')]);
    expect(parallel.map((result) => result.code)).toEqual([0, 0, 0]);
    const reports = parallel.map((result) => JSON.parse(result.stdout) as { recorded: number; skipped: number });
    expect(reports.reduce((sum, report) => sum + report.recorded, 0)).toBe(50);
    expect(reports.reduce((sum, report) => sum + report.skipped, 0)).toBe(25);
    const stats = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(stats).toMatchObject({ totalExperiences: 50, quarantined: 0 });
    expect(stats.byTaskType.bugfix.count).toBe(50);
    const text = await run('learning-stats');
    expect(text.stdout).toContain('Learning statistics (postgres postgres://');
    const status = JSON.parse((await run('learning', '--json')).stdout);
    expect(status).toMatchObject({ bufferSize: 50, store: { kind: 'postgres' } });
    const exported = await run('learning-export', '-o', join(cwd, 'out.jsonl'), '--format', 'jsonl', '--json');
    expect(JSON.parse(exported.stdout)).toMatchObject({ exported: 50 });
    // Nothing was written to the data dir's JSONL buffer.
    expect(existsSync(join(dataDir, 'experience_buffer', 'experiences.jsonl'))).toBe(false);
  }, 60_000);
});
