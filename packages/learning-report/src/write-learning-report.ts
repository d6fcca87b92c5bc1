import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from '@orchestra/learning-types/files';
import { LearningStateStore, type LearningState } from '@orchestra/learning';
import { JsonlExperienceStore, type ExperienceStore } from '@orchestra/learning-collector';
import { estimatedComparisonOf, manifestPolicyComparisonSchema, migrateManifestPolicyComparison, type ManifestPolicyComparison } from '@orchestra/learning-policy';
import { readLearningCurves } from './learning-curves';
import { collectReportData, type ReportData } from './report-data';
import { parseReportExtras, type GateVerdict, type ReportExtras, type ReportExtrasInput, type TimelineEvent } from './report-input';
import { renderLearningReport } from './render-report';

/** The off-policy comparison `train` wrote into a model's manifest (`ope`, read with the artifact format's schema), or null. */
async function manifestOpe(directory: string): Promise<ManifestPolicyComparison | null> {
  try {
    const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as { ope?: unknown };
    const parsed = manifestPolicyComparisonSchema.safeParse(migrateManifestPolicyComparison(manifest.ope));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The gate verdicts of the models this data dir deployed (and of its exploration candidate), from their manifests. */
export async function gateVerdictsOfState(state: LearningState): Promise<{ gates: GateVerdict[]; sampleSize: number | null }> {
  const entries = [
    ...state.previous.map((model) => ({ model, at: model.deployedAt, deployed: true, forced: model.forced })),
    ...(state.deployed === null ? [] : [{ model: state.deployed, at: state.deployed.deployedAt, deployed: true, forced: state.deployed.forced }]),
    ...(state.candidate === null ? [] : [{ model: state.candidate, at: state.candidate.since, deployed: false, forced: false }]),
  ].sort((left, right) => left.at.localeCompare(right.at));
  const gates: GateVerdict[] = [];
  let sampleSize: number | null = null;
  for (const entry of entries) {
    const written = await manifestOpe(entry.model.directory);
    const ope = estimatedComparisonOf(written);
    const interval = (estimate: { lower: number; upper: number }): [number, number] => [estimate.lower, estimate.upper];
    if (ope === null) {
      const reason = written?.error ?? 'no off-policy estimate in its manifest';
      gates.push({ model: entry.model.version, estimator: null, learned: null, rules: null, against: 'rules', difference: null, verdict: 'not-evaluated', reason, deployed: entry.deployed });
      continue;
    }
    sampleSize = ope.sampleSize;
    const passed = ope.targetBeatsBaseline;
    const against = ope.baseline.policy === undefined || ope.baseline.policy === 'rules' ? 'rules' : ope.baseline.policy;
    gates.push({
      model: entry.model.version,
      estimator: ope.estimator,
      learned: { value: ope.target.value, ci: interval(ope.target), ...(ope.target.effectiveSampleSize === undefined ? {} : { effectiveSampleSize: ope.target.effectiveSampleSize }) },
      rules: { value: ope.baseline.value, ci: interval(ope.baseline), ...(ope.baseline.effectiveSampleSize === undefined ? {} : { effectiveSampleSize: ope.baseline.effectiveSampleSize }) },
      against,
      difference: { value: ope.difference.value, ci: interval(ope.difference) },
      verdict: passed ? 'passed' : 'refused',
      reason: passed ? null : entry.forced ? 'lower end of the CI not above 0; deployed with force past the gate' : entry.deployed ? 'lower end of the CI not above 0' : `lower end of the CI not above 0; explores as ${'challenges' in entry.model && entry.model.challenges !== null ? `the challenger of ${entry.model.challenges}` : 'the shadow candidate'}`,
      deployed: entry.deployed,
    });
  }
  return { gates, sampleSize };
}

/** Sorts the state's rollout log into timeline events (by time; the report places them on the session axis). */
export function timelineEventsOfState(state: LearningState): TimelineEvent[] {
  const kindOf = (message: string): TimelineEvent['kind'] => {
    if (message.startsWith('drift:')) return 'drift';
    if (message.startsWith('deployed model')) return 'deploy';
    if (message.includes('guardrail breach')) return 'breach';
    if (message.startsWith('rolled back') || message.startsWith('demoted model')) return 'rollback';
    if (message.startsWith('ramped')) return 'ramp';
    if (message.startsWith('mode ') || message.includes('mode shadow')) return 'mode';
    return 'other';
  };
  return state.events.map((event) => ({ at: event.at, kind: kindOf(event.message), message: event.message }));
}

/** Options of `writeLearningReport`. */
export interface WriteLearningReportOptions {
  dataDir: string;
  output: string;
  title?: string;
  subtitle?: string;
  /** The experiences to read (the configured store, which the caller closes); default: `<dataDir>`'s JSONL buffer. */
  store?: ExperienceStore;
  /** The mode in force (default: the state file's, else `shadow`). */
  mode?: string;
  /** What the caller knows beyond the data dir (held-out results, gate verdicts, cost-weight curve, events): each field given replaces what the data dir yields. */
  extras?: ReportExtrasInput;
}

/**
 * Writes the HTML report of a data directory: the experiences (`store`, else `<dataDir>/experience_buffer`), the
 * state file (deployed model, rollout events, drift), the deployed models' gate estimates (their manifests) and the
 * trainer's learning curves (`<dataDir>/metrics/*.jsonl`). Returns the path written, the data and the extras drawn.
 */
export async function writeLearningReport(options: WriteLearningReportOptions): Promise<{ path: string; data: ReportData; extras: ReportExtras; skippedMetricLines: number }> {
  // Validated before anything is read: bad extras fail at once, with the field named.
  parseReportExtras(options.extras ?? {});
  const store = options.store ?? (await JsonlExperienceStore.open({ dataDir: options.dataDir, readOnly: true }));
  let data: ReportData;
  try {
    data = await collectReportData(store.read({ quarantine: false }));
  } finally {
    if (options.store === undefined) await store.close();
  }
  const { curves, skippedLines } = await readLearningCurves(join(options.dataDir, 'metrics'));
  data.curves = curves;
  // A data dir without a state file (or with a damaged one) has nothing deployed, no events and no drift.
  const state = await new LearningStateStore(options.dataDir).read().catch(() => null);
  data.drift = state === null ? [] : state.drift.events.map(({ sessionsRecorded: _sessions, ...event }) => event);
  const fromState = state === null ? { gates: [], sampleSize: null } : await gateVerdictsOfState(state);
  const extrasInput = options.extras ?? {};
  const derived: ReportExtrasInput = {
    deployed: { model: state?.deployed?.version ?? null, mode: options.mode ?? state?.mode ?? 'shadow' },
    gates: fromState.gates,
    events: state === null ? [] : timelineEventsOfState(state),
  };
  const latest = [...fromState.gates].reverse().find((gate) => gate.learned !== null && gate.rules !== null);
  if (latest !== undefined) {
    derived.heldOut = {
      description: `the ${fromState.sampleSize === null ? '' : `${fromState.sampleSize} `}most recent logged sessions, held out from training (${latest.model}'s deploy gate, ${latest.estimator ?? 'off-policy'} estimate)`,
      measured: false,
      policies: [
        { name: 'rules', meanReward: latest.rules!.value, ci: latest.rules!.ci, ...(latest.rules!.effectiveSampleSize === undefined ? {} : { effectiveSampleSize: latest.rules!.effectiveSampleSize }) },
        { name: 'learned', meanReward: latest.learned!.value, ci: latest.learned!.ci, ...(latest.learned!.effectiveSampleSize === undefined ? {} : { effectiveSampleSize: latest.learned!.effectiveSampleSize }) },
      ],
    };
  }
  const extras = parseReportExtras({
    ...derived,
    ...Object.fromEntries(Object.entries(extrasInput).filter(([, value]) => value !== undefined)),
  });
  const html = await renderLearningReport(data, extras, { ...(options.title === undefined ? {} : { title: options.title }), ...(options.subtitle === undefined ? {} : { subtitle: options.subtitle }) });
  const path = resolve(options.output);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written to a private temporary file, then renamed: never through a symlink planted at the target, never 0644.
  await writeFileAtomically(path, html);
  return { path, data, extras, skippedMetricLines: skippedLines };
}
