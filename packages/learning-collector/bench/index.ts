/**
 * Benchmarks of @orchestra/learning-collector (`pnpm --filter @orchestra/learning-collector bench`), the goals of
 * issue #17 (and #15's ingest) measured side by side in one run, each printed with its ratio to its baseline.
 * Sizes: BENCH_INGEST (default 200 000 appends), BENCH_STATS (default 1 000 000 experiences), BENCH_RECORD (default
 * 20 000 JSONL sessions) and BENCH_ARRAY (default 100 000 sessions in one JSON array); the fault-injection soak runs
 * BENCH_SOAK_SECONDS (default 60) with BENCH_SOAK_WRITERS (default 4) processes. BENCH_ONLY=ingest|stats|record|soak
 * (comma-separated). `learning-record` / `learning-stats` run the built CLI (`pnpm --filter @orchestra/cli... build`).
 * Other processes share the CPU: compare the ratios measured within one run, not absolute figures across runs.
 * BENCH_BASELINE_COLLECTOR=/path/to/packages/learning-collector/dist/index.js (another checkout's build) adds its
 * `JsonlExperienceStore` to the ingest cases, so the store before and after a change is measured in the same rounds.
 * BENCH_BASELINE_CLI=/path/to/apps/cli/dist/bin.js (another checkout's built CLI, e.g. the commit before a change)
 * runs every `learning-record` case with it too, right before this checkout's, and prints both side by side.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import { benchmarkExperiences, ingestRawAppend, ingestThroughStore, serialiseOnly, type IngestResult, type StoreOpener } from './ingest';
import { runSoak } from './soak';
import { cliPath, runLearningRecord, writeSessionFile, type RecordRun } from './record';
import { cliStatsPass, countLinesBare, statsPass, summaryStatsPass, writeBuffer, type PassResult } from './stats';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDirectory = path.resolve(here, '../../../bench-results');
const ingestTotal = Number(process.env.BENCH_INGEST ?? 200_000);
const statsTotal = Number(process.env.BENCH_STATS ?? 1_000_000);
const recordTotal = Number(process.env.BENCH_RECORD ?? 20_000);
const arrayTotal = Number(process.env.BENCH_ARRAY ?? 100_000);
/** Goal verdicts of this run, printed together at the end. */
const goals: { goal: string; measured: string; met: boolean }[] = [];
const callsPerTick = 1_000;

function table(rows: Record<string, string | number>[]): void {
  console.table(rows);
}

/** The `JsonlExperienceStore` of another build (BENCH_BASELINE_COLLECTOR), or undefined. */
async function baselineStore(): Promise<StoreOpener | undefined> {
  const location = process.env.BENCH_BASELINE_COLLECTOR;
  if (location === undefined) return undefined;
  if (!existsSync(location)) throw new Error(`BENCH_BASELINE_COLLECTOR: ${location} does not exist`);
  const module = (await import(pathToFileURL(path.resolve(location)).href)) as { JsonlExperienceStore?: StoreOpener };
  if (module.JsonlExperienceStore === undefined) throw new Error(`BENCH_BASELINE_COLLECTOR: ${location} exports no JsonlExperienceStore`);
  return module.JsonlExperienceStore;
}

/** The ingest case that only serialises (the ceiling of any store that produces its lines on the appending thread). */
const SERIALISE_ONLY = 'JSON.stringify + UTF-8 encode only, no I/O (ceiling of any store serialising on the appending thread)';

async function runIngest(): Promise<Record<string, unknown>> {
  const baseline = await baselineStore();
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
      { name: 'raw append of the same bytes pre-encoded, fdatasync per write (batch durability)', run: (count) => ingestRawAppend(experiences, count, callsPerTick, false, 'raw') },
      { name: 'JSON.stringify + raw append, fdatasync per write', run: (count) => ingestRawAppend(experiences, count, callsPerTick, true, 'raw+') },
      { name: 'store, batch durability, validated: true (collector-built records)', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'batch' }, 's', 4, true) },
      { name: 'store, batch durability, compiled validation (default)', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'batch' }, 's') },
      { name: 'store, no fsync, compiled validation', run: (count) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'none' }, 's') },
      { name: 'raw append of the same bytes pre-encoded, no fsync (reference)', run: (count) => ingestRawAppend(experiences, count, callsPerTick, false, 'raw-nosync', false) },
      { name: SERIALISE_ONLY, run: (count) => Promise.resolve(serialiseOnly(experiences, count, 'serialise')) },
      ...(baseline === undefined
        ? []
        : [{ name: 'BASELINE build: store, batch durability, validated: true', run: (count: number) => ingestThroughStore(experiences, count, callsPerTick, { durability: 'batch' }, 'b', 4, true, baseline) }]),
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
    const validated = results[2]!;
    const ratio = validated.experiencesPerSecond / rawBytes.experiencesPerSecond;
    const serialised = results[cases.findIndex((entry) => entry.name === SERIALISE_ONLY)]!;
    const ceiling = serialised.experiencesPerSecond / rawBytes.experiencesPerSecond;
    const perSecond = (entry: IngestResult) => `${Math.round(entry.experiencesPerSecond).toLocaleString('en-US')}/s`;
    goals.push({
      goal: `validated append ≥ 0.5 × raw append of the same bytes and ≥ 100,000/s, batch durability (${variant.label})`,
      measured:
        `${perSecond(validated)} = ${ratio.toFixed(2)} × raw (${perSecond(rawBytes)}); JSON.stringify + raw alone: ${(rawStringify.experiencesPerSecond / rawBytes.experiencesPerSecond).toFixed(2)} ×; ` +
        `serialising alone, no I/O: ${perSecond(serialised)} = ${ceiling.toFixed(2)} × raw` +
        (ceiling < 0.5 || serialised.experiencesPerSecond < 100_000 ? ' (the goal is above what producing the lines alone allows)' : ''),
      met: ratio >= 0.5 && validated.experiencesPerSecond >= 100_000,
    });
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
  const { dataDir, files, bytes, writeSeconds } = await writeBuffer(experiences, statsTotal);
  try {
    console.log(`\nstats over ${statsTotal} experiences (${(bytes / 1e9).toFixed(2)} GB in ${files.length} plain segments, half with a raw session; written through the store in ${writeSeconds.toFixed(1)} s, sealed segments summarised meanwhile)`);
    const passes: PassResult[] = [];
    passes.push(await countLinesBare(files, statsTotal));
    const cold = await summaryStatsPass(dataDir, 'learning-stats: store.stats() — summaries + the open segment read (first call)');
    passes.push(cold.pass);
    const warm = await summaryStatsPass(dataDir, 'learning-stats: store.stats() — summaries only (open segment summary kept)');
    passes.push(warm.pass);
    const cli = cliStatsPass(dataDir, cliPath, statsTotal);
    if (cli !== null) passes.push(cli);
    const { pass, stats } = await statsPass(dataDir, statsTotal);
    passes.push(pass);
    if (stats.totalExperiences !== statsTotal) throw new Error(`stats saw ${stats.totalExperiences} of ${statsTotal}`);
    // The summaries must give exactly the full scan's statistics.
    const exact = JSON.stringify(cold.report.stats) === JSON.stringify(stats) && JSON.stringify(warm.report.stats) === JSON.stringify(stats);
    if (!exact) throw new Error('statistics from summaries differ from the full scan');
    const bare = passes[0]!;
    table(
      passes.map((entry) => ({
        pass: entry.name,
        seconds: Number(entry.seconds.toFixed(3)),
        'CPU s': Number(entry.cpuSeconds.toFixed(3)),
        '× bare count': Number((entry.seconds / bare.seconds).toFixed(3)),
        'CPU × bare count': Number((entry.cpuSeconds / bare.cpuSeconds).toFixed(3)),
        'heap MB (after GC)': entry.heapSamples.join(' / '),
        'RSS MB': entry.rssSamples.join(' / '),
      })),
    );
    console.log(`summaries: ${cold.report.segments} segments, first call read ${(cold.report.scannedBytes / 1e6).toFixed(1)} MB (open segment), second ${(warm.report.scannedBytes / 1e6).toFixed(1)} MB; re-indexed ${cold.report.reindexed.length}; equal to the full scan: ${exact}`);
    const headline = cli ?? cold.pass;
    goals.push({
      goal: `learning-stats over ${statsTotal.toLocaleString('en-US')} experiences ≤ 1 × a bare line count of the same files, memory flat`,
      measured: `${headline.seconds.toFixed(2)} s = ${(headline.seconds / bare.seconds).toFixed(3)} × bare count (${bare.seconds.toFixed(2)} s) for ${statsTotal.toLocaleString('en-US')} experiences${cli === null ? ' (in process; CLI not built)' : ' (CLI process)'}; in-process first call ${(cold.pass.seconds / bare.seconds).toFixed(3)} ×, RSS ${headline.rssSamples.at(-1)} MB; full scan before: ${(pass.seconds / bare.seconds).toFixed(2)} ×`,
      met: headline.seconds <= bare.seconds,
    });
    return {
      experiences: statsTotal,
      bytes,
      segments: files.length,
      writeSeconds,
      passes: passes.map((entry) => ({ ...entry, ratioToBareCount: entry.seconds / bare.seconds, cpuRatioToBareCount: entry.cpuSeconds / bare.cpuSeconds })),
      summaries: { segments: cold.report.segments, firstCallScannedBytes: cold.report.scannedBytes, secondCallScannedBytes: warm.report.scannedBytes, reindexed: cold.report.reindexed, equalToFullScan: exact },
      statsSummary: { totalExperiences: stats.totalExperiences, meanReward: stats.meanReward, quarantined: stats.quarantined, models: Object.keys(stats.byModel).length },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runRecord(): Promise<Record<string, unknown>> {
  if (!existsSync(cliPath)) {
    console.log(`\nlearning-record: not measured — build the CLI first (pnpm --filter @orchestra/cli... build); ${cliPath} is missing`);
    goals.push({ goal: 'learning-record bulk import', measured: 'not measured (CLI not built)', met: false });
    return { skipped: 'CLI not built' };
  }
  const directory = mkdtempSync(path.join(os.tmpdir(), 'orchestra-record-files-'));
  try {
    const cases: { name: string; file: string; count: number; layout: 'jsonl' | 'array'; distinct: number }[] = [
      { name: `${recordTotal} sessions, JSONL, every task description distinct`, file: path.join(directory, 'distinct.jsonl'), count: recordTotal, layout: 'jsonl', distinct: recordTotal },
      { name: `${recordTotal} sessions, JSONL, 200 distinct task descriptions`, file: path.join(directory, 'repeated.jsonl'), count: recordTotal, layout: 'jsonl', distinct: 200 },
      { name: `${arrayTotal} sessions, one JSON array, every task description distinct`, file: path.join(directory, 'array.json'), count: arrayTotal, layout: 'array', distinct: arrayTotal },
    ];
    const baselineCli = process.env.BENCH_BASELINE_CLI;
    if (baselineCli !== undefined && !existsSync(baselineCli)) throw new Error(`BENCH_BASELINE_CLI: ${baselineCli} does not exist`);
    const runs: RecordRun[] = [];
    const baselineRuns: RecordRun[] = [];
    for (const entry of cases) {
      await writeSessionFile(entry.file, entry.count, entry.layout, entry.distinct);
      if (baselineCli !== undefined) baselineRuns.push(await runLearningRecord(entry.name, entry.file, entry.count, baselineCli));
      runs.push(await runLearningRecord(entry.name, entry.file, entry.count));
      rmSync(entry.file, { force: true });
    }
    console.log('\nlearning-record through the CLI (`orchestra learning-record FILE`, a separate process, start-up included)');
    table(
      runs.map((entry) => ({
        case: entry.name,
        'file MB': Number((entry.fileBytes / 1e6).toFixed(1)),
        seconds: Number(entry.seconds.toFixed(2)),
        'sessions/s': Math.round(entry.sessionsPerSecond),
        'CPU s': entry.cpuSeconds === null ? '–' : Number(entry.cpuSeconds.toFixed(2)),
        'sessions/CPU-s': entry.cpuSeconds === null ? '–' : Math.round(entry.sessions / entry.cpuSeconds),
        'peak RSS MB': entry.peakRssMegabytes ?? '–',
      })),
    );
    if (baselineCli !== undefined) {
      console.log(`\nlearning-record side by side: baseline CLI ${baselineCli} (run first) and this checkout's`);
      table(
        runs.map((entry, index) => {
          const before = baselineRuns[index]!;
          return {
            case: entry.name,
            'baseline sessions/s': Math.round(before.sessionsPerSecond),
            'sessions/s': Math.round(entry.sessionsPerSecond),
            speed: Number((entry.sessionsPerSecond / before.sessionsPerSecond).toFixed(2)),
            'baseline CPU s': before.cpuSeconds === null ? '–' : Number(before.cpuSeconds.toFixed(2)),
            'CPU s': entry.cpuSeconds === null ? '–' : Number(entry.cpuSeconds.toFixed(2)),
            'baseline peak RSS MB': before.peakRssMegabytes ?? '–',
            'peak RSS MB': entry.peakRssMegabytes ?? '–',
          };
        }),
      );
    }
    const [distinct, repeated, array] = runs as [RecordRun, RecordRun, RecordRun];
    const perCpu = (entry: RecordRun) => (entry.cpuSeconds === null ? 'CPU not measured' : `${Math.round(entry.sessions / entry.cpuSeconds).toLocaleString('en-US')} per CPU-second`);
    goals.push({
      goal: `learning-record bulk import of ${recordTotal.toLocaleString('en-US')} sessions (JSONL) ≥ 5,000 sessions/s through the CLI`,
      measured: `${Math.round(distinct.sessionsPerSecond).toLocaleString('en-US')}/s with every task distinct (${perCpu(distinct)}), ${Math.round(repeated.sessionsPerSecond).toLocaleString('en-US')}/s with 200 distinct tasks (${perCpu(repeated)})`,
      met: distinct.sessionsPerSecond >= 5_000,
    });
    goals.push({
      goal: `${arrayTotal.toLocaleString('en-US')}-record JSON array ingest ≥ 10,000 sessions/s in bounded memory`,
      measured: `${Math.round(array.sessionsPerSecond).toLocaleString('en-US')}/s (${perCpu(array)}), peak RSS ${array.peakRssMegabytes ?? '?'} MB (the file: ${(array.fileBytes / 1e6).toFixed(0)} MB)`,
      met: array.sessionsPerSecond >= 10_000,
    });
    return baselineCli === undefined ? { runs } : { runs, baseline: { cli: baselineCli, runs: baselineRuns } };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const environment = { node: process.version, cpus: (await import('node:os')).cpus().length, note: 'CPU shared with other processes; compare ratios within this run' };
mkdirSync(resultsDirectory, { recursive: true });
const only = process.env.BENCH_ONLY?.split(',');
const runs = (section: string) => only === undefined || only.includes(section);
if (runs('ingest')) {
  const ingest = await runIngest();
  writeFileSync(path.join(resultsDirectory, 'learning-collector-ingest.json'), `${JSON.stringify({ environment, ...ingest }, null, 2)}\n`);
}
if (runs('stats')) {
  const stats = await runStats();
  writeFileSync(path.join(resultsDirectory, 'learning-collector-stats.json'), `${JSON.stringify({ environment, ...stats }, null, 2)}\n`);
}
if (runs('record')) {
  const record = await runRecord();
  writeFileSync(path.join(resultsDirectory, 'learning-collector-record.json'), `${JSON.stringify({ environment, ...record }, null, 2)}\n`);
}
if (runs('soak')) {
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
if (goals.length > 0) {
  console.log('\ngoals (issue #17, #15) — this run');
  table(goals.map((entry) => ({ goal: entry.goal, measured: entry.measured, met: entry.met ? 'yes' : 'NO' })));
  writeFileSync(path.join(resultsDirectory, 'learning-collector-goals.json'), `${JSON.stringify({ environment, goals }, null, 2)}\n`);
}
console.log(`\nresults written to ${resultsDirectory}`);
