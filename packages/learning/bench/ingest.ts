import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createLearning } from '../src/learning-manager';
import { OrchestratorIntegration } from '../src/orchestrator-integration';
import { validateSessionFile } from '../src/session-stream';

/** One measured pass over the session file. */
export interface IngestPass {
  name: string;
  sessions: number;
  seconds: number;
  sessionsPerSecond: number;
  sessionsPerCpuSecond: number;
  /** Highest heap above the start, sampled every 25 ms, in MB. */
  heapPeakMegabytes: number;
}

async function writeSessionArray(path: string, total: number): Promise<void> {
  const tracker = new OrchestratorIntegration({ sessionId: 'SESSION' });
  const step = tracker.stepStarted({ agent: 'executor' });
  tracker.modelAttempt(step, { model: 'glm-4.7', tokens: 900, latencyMs: 1200, costUsd: 0.01, success: true });
  tracker.stepEnded(step, 'completed');
  const template = JSON.stringify({ ...tracker.finish(), task: { description: 'fix: the login page crashes on an empty password', files: ['src/auth/login.ts'] } });
  const out = createWriteStream(path);
  out.write('[');
  for (let index = 0; index < total; index += 1) {
    if (!out.write(`${index === 0 ? '' : ','}\n${template.replace('SESSION', `s-${index}`)}`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(']\n', () => resolve()));
}

async function measure(name: string, sessions: number, run: () => Promise<unknown>): Promise<IngestPass> {
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 25);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  return { name, sessions, seconds, sessionsPerSecond: sessions / seconds, sessionsPerCpuSecond: sessions / ((used.user + used.system) / 1e6), heapPeakMegabytes: (peak - heapBefore) / 1e6 };
}

/**
 * `learning.ingestFile` of a JSON array of `total` finished sessions (streamed, validated first, recorded with group
 * commit) against its own validation pass alone (read + split + JSON.parse + zod) as the baseline.
 */
export async function benchmarkIngest(root: string, total: number): Promise<IngestPass[]> {
  const path = join(root, 'sessions.json');
  await writeSessionArray(path, total);
  const validation = await measure('validation pass only (stream, parse, zod)', total, () => validateSessionFile(path));
  const learning = await createLearning({ cwd: root, dataDir: join(root, 'ingest-data'), env: {}, config: { reloadIntervalMs: 0, warmHistory: false } });
  try {
    const ingest = await measure('learning.ingestFile (validate + record, group commit)', total, () => learning.ingestFile(path, { keepExperiences: false }));
    return [validation, ingest];
  } finally {
    await learning.close();
  }
}
