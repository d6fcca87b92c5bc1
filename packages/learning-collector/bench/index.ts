/**
 * Benchmarks of @orchestra/learning-collector (`pnpm --filter @orchestra/learning-collector bench`).
 * Sizes: BENCH_INGEST (default 200 000 appends) and BENCH_STATS (default 1 000 000 experiences); the fault-injection
 * soak runs BENCH_SOAK_SECONDS (default 60) with BENCH_SOAK_WRITERS (default 4) processes. BENCH_ONLY=ingest|stats|soak.
 * Other processes share the CPU: compare the ratios measured within one run, not absolute figures across runs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import { benchmarkExperiences, ingestRawAppend, ingestThroughStore, type IngestResult } from './ingest';
import { runSoak } from './soak';
import { countLinesBare, countLinesReadline, parseOnly, statsPass, writeBuffer, type PassResult } from './stats';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDirectory = path.resolve(here, '../../../bench-results');
const ingestTotal = Number(process.env.BENCH_INGEST ?? 200_000);
const statsTotal = Number(process.env.BENCH_STATS ?? 1_000_000);
const callsPerTick = 1_000;

function table(rows: Record<string, string | number>[]): void {
  console.table(rows);
}

async function runIngest(): Promise<Record<string, unknown>> {
  const featureCount = defaultFeatureSchema.size;
  const variants: { label: string; withSession: boolean }[] = [
    { label: 'compact (no raw session)', withSession: false },
    { label: 'full (raw session kept)', withSession: true },
  ];
  const report: Record<string, unknown> = { appendCallsPerTick: callsPerTick, total: ingestTotal, featureCount };
  for (const variant of variants) {
    const experiences = benchmarkExperiences(5_000, variant.withSession, featureCount);
    // Warm-up (JIT) on a small run, not reported.
    await ingestThroughStore(experiences, 20_000, callsPerTick, {}, 'warm-up');
    // Cases run interleaved in rounds so that load from other processes drifts over all of them alike; each
    // case's figure is its total over the rounds.
    const cases: { name: string; run: (count: number) => Promise<IngestResult> }[] = [
      { name: 'raw fs append of pre-serialised bytes', run: (count) => ingestRawAppend(experiences, count, callsPerTick, false, 'raw') },
      { name: 'JSON.stringify + raw fs append', run: (count) => ingestRawAppend(experiences, count, callsPerTick, true, 'raw+') },
      { name: 'store, batch durability, no validation', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'batch', validateOnAppend: false }, 's') },
      { name: 'store, batch durability, zod validation (default)', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'batch' }, 's') },
      { name: 'store, no fsync, zod validation', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'none' }, 's') },
    ];
    const rounds = 4;
    const perRound = Math.ceil(ingestTotal / rounds / callsPerTick) * callsPerTick;
    const totals = cases.map((entry) => ({ name: entry.name, experiences: 0, bytes: 0, seconds: 0, cpuSeconds: 0 }));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? cases.map((_, index) => index) : cases.map((_, index) => cases.length - 1 - index);
      for (const index of order) {
        const measured = await cases[index]!.run(perRound);
        totals[index]!.experiences += measured.experiences;
        totals[index]!.bytes += measured.bytes;
        totals[index]!.seconds += measured.seconds;
        totals[index]!.cpuSeconds += measured.cpuSeconds;
      }
    }
    const results: IngestResult[] = totals.map((entry) => ({
      ...entry,
      experiencesPerSecond: entry.experiences / entry.seconds,
      experiencesPerCpuSecond: entry.experiences / entry.cpuSeconds,
      megabytesPerSecond: entry.bytes / entry.seconds / 1e6,
    }));
    const rawBytes = results[0]!;
    const rawStringify = results[1]!;
    console.log(`\ningest — ${variant.label}: ${rawBytes.experiences} appends per case in ${rounds} interleaved rounds, ${Math.round(rawBytes.bytes / rawBytes.experiences)} bytes each`);
    table(
      results.map((entry) => ({
        case: entry.name,
        'experiences/s': Math.round(entry.experiencesPerSecond),
        'MB/s': Number(entry.megabytesPerSecond.toFixed(1)),
        'vs raw bytes': Number((entry.experiencesPerSecond / rawBytes.experiencesPerSecond).toFixed(3)),
        'vs stringify+raw': Number((entry.experiencesPerSecond / rawStringify.experiencesPerSecond).toFixed(3)),
        'experiences/CPU-s': Math.round(entry.experiencesPerCpuSecond),
        'CPU vs raw bytes': Number((entry.experiencesPerCpuSecond / rawBytes.experiencesPerCpuSecond).toFixed(3)),
        'CPU vs stringify+raw': Number((entry.experiencesPerCpuSecond / rawStringify.experiencesPerCpuSecond).toFixed(3)),
      })),
    );
    report[variant.label] = results.map((entry) => ({
      ...entry,
      ratioToRawBytes: entry.experiencesPerSecond / rawBytes.experiencesPerSecond,
      ratioToStringifyAndRaw: entry.experiencesPerSecond / rawStringify.experiencesPerSecond,
      cpuRatioToRawBytes: entry.experiencesPerCpuSecond / rawBytes.experiencesPerCpuSecond,
      cpuRatioToStringifyAndRaw: entry.experiencesPerCpuSecond / rawStringify.experiencesPerCpuSecond,
    }));
  }
  return report;
}

async function runStats(): Promise<Record<string, unknown>> {
  const experiences = benchmarkExperiences(5_000, false, defaultFeatureSchema.size).map((experience, index) =>
    index % 2 === 0 ? { ...experience, session: benchmarkExperiences(1, true, 1)[0]!.session } : experience,
  );
  const { dataDir, file, bytes } = await writeBuffer(experiences, statsTotal);
  try {
    console.log(`\nstats over ${statsTotal} experiences (${(bytes / 1e9).toFixed(2)} GB, half with a raw session)`);
    const passes: PassResult[] = [];
    passes.push(await countLinesBare(file, statsTotal));
    passes.push(await countLinesReadline(file, statsTotal));
    passes.push(await parseOnly(file, statsTotal));
    const { pass, stats } = await statsPass(dataDir, statsTotal);
    passes.push(pass);
    if (stats.totalExperiences !== statsTotal) throw new Error(`stats saw ${stats.totalExperiences} of ${statsTotal}`);
    const bare = passes[0]!;
    const readline = passes[1]!;
    table(
      passes.map((entry) => ({
        pass: entry.name,
        seconds: Number(entry.seconds.toFixed(2)),
        'CPU s': Number(entry.cpuSeconds.toFixed(2)),
        '× bare count': Number((entry.seconds / bare.seconds).toFixed(2)),
        '× readline count': Number((entry.seconds / readline.seconds).toFixed(2)),
        'CPU × bare count': Number((entry.cpuSeconds / bare.cpuSeconds).toFixed(2)),
        'heap MB at 25/50/75/100 %': entry.heapSamples.join(' / '),
        'RSS MB at 25/50/75/100 %': entry.rssSamples.join(' / '),
      })),
    );
    return {
      experiences: statsTotal,
      bytes,
      passes: passes.map((entry) => ({
        ...entry,
        ratioToBareCount: entry.seconds / bare.seconds,
        ratioToReadlineCount: entry.seconds / readline.seconds,
        cpuRatioToBareCount: entry.cpuSeconds / bare.cpuSeconds,
        cpuRatioToReadlineCount: entry.cpuSeconds / readline.cpuSeconds,
      })),
      statsSummary: { totalExperiences: stats.totalExperiences, meanReward: stats.meanReward, quarantined: stats.quarantined, models: Object.keys(stats.byModel).length },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const environment = { node: process.version, cpus: (await import('node:os')).cpus().length, note: 'CPU shared with other processes; compare ratios within this run' };
mkdirSync(resultsDirectory, { recursive: true });
const only = process.env.BENCH_ONLY;
if (only === undefined || only === 'ingest') {
  const ingest = await runIngest();
  writeFileSync(path.join(resultsDirectory, 'learning-collector-ingest.json'), `${JSON.stringify({ environment, ...ingest }, null, 2)}\n`);
}
if (only === undefined || only === 'stats') {
  const stats = await runStats();
  writeFileSync(path.join(resultsDirectory, 'learning-collector-stats.json'), `${JSON.stringify({ environment, ...stats }, null, 2)}\n`);
}
if (only === undefined || only === 'soak') {
  const soak = await runSoak({ seconds: Number(process.env.BENCH_SOAK_SECONDS ?? 60), writers: Number(process.env.BENCH_SOAK_WRITERS ?? 4) });
  console.log(`\nsoak — ${soak.writers} writer processes for ${soak.seconds.toFixed(0)} s, faults: ${Object.entries(soak.faults).map(([fault, count]) => `${fault} ×${count}`).join(', ')}, and one writer stopping itself inside the lock before every 97th write`);
  table([
    {
      acknowledged: soak.acknowledged,
      stored: soak.stored,
      lost: soak.lost,
      duplicated: soak.duplicated,
      quarantined: soak.quarantined,
      'failed (not acknowledged)': soak.failed,
      segments: soak.segments,
    },
  ]);
  if (soak.quarantined > 0) console.log(`quarantined by reason: ${JSON.stringify(soak.quarantinedByReason)}`);
  writeFileSync(path.join(resultsDirectory, 'learning-collector-soak.json'), `${JSON.stringify({ environment, ...soak }, null, 2)}\n`);
  if (soak.lost > 0 || soak.duplicated > 0) {
    console.error(`soak FAILED: ${soak.lost} acknowledged appends lost, ${soak.duplicated} duplicated`);
    process.exitCode = 1;
  }
}
console.log(`\nresults written to ${resultsDirectory}`);
