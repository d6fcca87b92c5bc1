import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built `orchestra` executable (`pnpm --filter @orchestra/cli... build`): run as a separate process, never imported. */
export const cliPath = path.resolve(here, '../../../apps/cli/dist/bin.js');
const sessionFixture = path.resolve(here, '../src/__fixtures__/design-example-session.json');

const verbs = ['Add', 'Fix', 'Refactor', 'Test', 'Document', 'Speed up', 'Secure', 'Upgrade'];
const things = ['login form', 'parser', 'cache layer', 'router', 'billing job', 'search index', 'upload handler', 'auth token', 'rate limiter', 'export'];

/**
 * Writes `count` finished sessions (the design's example session, each with its own id, task description and files):
 * `jsonl` one per line, or `array` one JSON array. `distinctTasks` task descriptions are cycled (`count`: all unique).
 */
export async function writeSessionFile(file: string, count: number, layout: 'jsonl' | 'array', distinctTasks = count): Promise<number> {
  const session = JSON.parse(readFileSync(sessionFixture, 'utf8')) as Record<string, unknown>;
  const handle = await fs.open(file, 'w', 0o600);
  try {
    if (layout === 'array') await handle.write('[');
    let text = '';
    for (let index = 0; index < count; index += 1) {
      const task = index % distinctTasks;
      const record = {
        ...session,
        sessionId: `bench-${layout}-${index}`,
        task: { description: `${verbs[task % verbs.length]} the ${things[Math.floor(task / verbs.length) % things.length]} (ticket ${task})`, files: [`src/module-${task % 17}/index.ts`] },
      };
      text += layout === 'array' ? `${index === 0 ? '' : ','}${JSON.stringify(record)}` : `${JSON.stringify(record)}\n`;
      if (text.length > 1 << 20) {
        await handle.write(text);
        text = '';
      }
    }
    await handle.write(layout === 'array' ? `${text}]` : text);
  } finally {
    await handle.close();
  }
  return (await fs.stat(file)).size;
}

/** Result of one `orchestra learning-record FILE` run. */
export interface RecordRun {
  name: string;
  sessions: number;
  fileBytes: number;
  seconds: number;
  sessionsPerSecond: number;
  /** Peak resident memory of the CLI process (GNU time), MB; null where /usr/bin/time is missing. */
  peakRssMegabytes: number | null;
  /** User + system CPU seconds of the CLI process (GNU time): stable under load from other processes. */
  cpuSeconds: number | null;
  output: string;
}

/**
 * Runs `orchestra learning-record FILE` into a fresh data dir and times the whole process (start-up included);
 * `cli` is the built `bin.js` to run (default: this repository's, `cliPath`).
 */
export async function runLearningRecord(name: string, file: string, sessions: number, cli = cliPath): Promise<RecordRun> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'orchestra-record-bench-'));
  try {
    const timed = existsSync('/usr/bin/time');
    const command = timed ? '/usr/bin/time' : process.execPath;
    const args = timed ? ['-f', 'peak-rss-kb=%M cpu=%U+%S', process.execPath, cli, 'learning-record', file] : [cli, 'learning-record', file];
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env: { ...process.env, ORCHESTRA_DATA_DIR: dataDir }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`learning-record failed (${result.status}): ${result.stderr}`);
    const recorded = /recorded (\d+) session/.exec(result.stdout);
    if (recorded === null || Number(recorded[1]) !== sessions) throw new Error(`learning-record stored ${recorded?.[1]} of ${sessions}: ${result.stdout}`);
    const rss = /peak-rss-kb=(\d+)/.exec(result.stderr);
    const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(result.stderr);
    return {
      name,
      sessions,
      fileBytes: (await fs.stat(file)).size,
      seconds,
      sessionsPerSecond: sessions / seconds,
      peakRssMegabytes: rss === null ? null : Math.round(Number(rss[1]) / 1024),
      cpuSeconds: cpu === null ? null : Number(cpu[1]) + Number(cpu[2]),
      output: result.stdout.trim(),
    };
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
