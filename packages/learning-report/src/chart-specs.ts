import type { TopLevelSpec } from 'vega-lite';
import { coarsenBuckets, sessionAt, type ReportData, type SessionBucket } from './report-data';
import type { ReportExtras, TimelineEvent } from './report-input';

/** One chart of the page: a Vega-Lite spec, or why there is nothing to draw yet. */
export interface ChartSpec {
  /** Stable id (`data-chart` attribute of its figure). */
  id: string;
  title: string;
  /** What the reader should take from it, shown under the title. */
  caption: string;
  spec: TopLevelSpec | null;
  /** Shown instead of the chart when `spec` is null. */
  empty?: string;
}

/** Width and height of one chart's plot area (px); the SVG scales down with its container. */
const WIDTH = 500;
const HEIGHT = 220;
/** Points drawn per over-time series at most: each stands for enough sessions to be read, not noise. */
export const DISPLAY_BUCKETS = 40;
/** A source's point in a bucket is drawn only when it served at least this many sessions there. */
export const MIN_SESSIONS_PER_POINT = 5;
/** Sessions a point of an over-time chart stands for at least (fewer points for a short run). */
export const SESSIONS_PER_DISPLAY_POINT = 25;

/** The buckets an over-time chart draws: at most `DISPLAY_BUCKETS`, each of at least `SESSIONS_PER_DISPLAY_POINT` sessions. */
function displayBuckets(data: ReportData, most = DISPLAY_BUCKETS): SessionBucket[] {
  return coarsenBuckets(data.buckets, Math.max(1, Math.min(most, Math.floor(data.experiences / SESSIONS_PER_DISPLAY_POINT))));
}

/** Fixed colours of the policies, the same on every chart. */
const policyColors: Record<string, string> = { rules: '#2563eb', learned: '#dc2626', oracle: '#16a34a', 'learned at cost weights': '#f59e0b' };
const modeColors: Record<string, string> = { shadow: '#9ca3af', ab_test: '#f59e0b', production: '#16a34a' };
const eventColors: Record<string, string> = { deploy: '#16a34a', refused: '#6b7280', ramp: '#2563eb', breach: '#dc2626', rollback: '#7c3aed', mode: '#0891b2', drift: '#db2777', other: '#374151' };

function policyScale(names: readonly string[]) {
  const domain = [...new Set(names)];
  const fallback = ['#9333ea', '#0891b2', '#4b5563', '#ea580c'];
  return { domain, range: domain.map((name, index) => policyColors[name] ?? policyColors[name.split(' (')[0]!] ?? fallback[index % fallback.length]!) };
}

const sessionAxisTitle = 'sessions logged';

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Success vs cost per session: rules, learned, oracle, and the learned policy's curve over cost weights. */
export function costQualityChart(data: ReportData, extras: ReportExtras): ChartSpec {
  const points: Array<{ policy: string; cost: number; success: number; label: string }> = [];
  // `policy` names the legend entry; the colour follows the policy's name (`rules (120 sessions)` is blue like `rules`).
  let basis: string;
  const heldOut = extras.heldOut?.policies.filter((policy) => policy.successRate !== undefined && policy.costPerSession !== undefined) ?? [];
  if (heldOut.length > 0) {
    basis = `held out: ${extras.heldOut!.description}`;
    for (const policy of heldOut) points.push({ policy: policy.name, cost: policy.costPerSession!, success: policy.successRate!, label: policy.name });
  } else {
    basis = 'logged sessions by the policy that served them (not held out)';
    for (const [source, totals] of Object.entries(data.bySource)) {
      if (totals.sessions > 0) points.push({ policy: `${source} (${totals.sessions} sessions)`, cost: totals.costSum / totals.sessions, success: totals.successes / totals.sessions, label: source });
    }
  }
  const curve = (extras.costWeightCurve ?? []).map((point) => ({ policy: `${extras.costWeightCurvePolicy ?? 'learned'} at cost weights`, cost: point.costPerSession, success: point.successRate, label: `w=${point.costWeight}` })).sort((left, right) => left.cost - right.cost);
  const caption = `${basis}. Up and to the left is better${curve.length > 0 ? '; the orange curve is the learned policy at each cost weight' : '; no curve over cost weights was supplied'}.`;
  if (points.length === 0 && curve.length === 0) return { id: 'cost-quality', title: 'Success vs cost per session', caption, spec: null, empty: 'No sessions and no held-out results yet.' };
  const colors = policyScale([...points.map((point) => point.policy), ...(curve.length > 0 ? ['learned at cost weights'] : [])]);
  const x = { field: 'cost', type: 'quantitative', title: 'cost per session (USD)', scale: { zero: false, nice: true }, axis: { format: '$.4~f' } } as const;
  const y = { field: 'success', type: 'quantitative', title: 'success rate', axis: { format: '.0%' }, scale: { zero: false, nice: true } } as const;
  const color = { field: 'policy', type: 'nominal', title: null, scale: colors } as const;
  const layers: object[] = [];
  if (curve.length > 0) {
    layers.push({ data: { values: curve }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color, order: { field: 'cost' } } });
    layers.push({ data: { values: curve }, mark: { type: 'text', dy: -9, fontSize: 10, color: '#92400e' }, encoding: { x, y, text: { field: 'label' } } });
  }
  if (points.length > 0) {
    // Named in the legend (below the plot), not by text beside the points: long names never run off the chart.
    layers.push({ data: { values: points }, mark: { type: 'point', filled: true, size: 110, opacity: 0.9 }, encoding: { x, y, color, shape: { field: 'policy', type: 'nominal', title: null, scale: { domain: colors.domain } } } });
  }
  return { id: 'cost-quality', title: 'Success vs cost per session', caption, spec: { width: WIDTH, height: HEIGHT, layer: layers, config: { legend: { columns: 2 } } } as TopLevelSpec };
}

/** Places an event on the session axis (by its session, else by its time), or null when it falls outside the data. */
function eventSession(data: ReportData, event: TimelineEvent): number | null {
  if (event.session !== undefined) return event.session;
  return event.at === undefined ? null : sessionAt(data, event.at);
}

function dominantMode(bucket: SessionBucket): string {
  let best = 'unknown';
  let count = -1;
  for (const [mode, sessions] of Object.entries(bucket.modes)) if (sessions > count) [best, count] = [mode, sessions];
  return best;
}

/** Modes, the share of sessions the learned policy served (the A/B fraction as realised), and events. */
export function timelineChart(data: ReportData, extras: ReportExtras): ChartSpec {
  const caption = 'Band: the mode most sessions ran in. Line: share of sessions the learned policy served (A/B fraction as realised). Rules: deployments, refusals, ramp steps, guardrail breaches, rollbacks, drift.';
  if (data.experiences === 0) return { id: 'timeline', title: 'Modes, A/B fraction and events', caption, spec: null, empty: 'No sessions logged yet.' };
  const buckets = displayBuckets(data, DISPLAY_BUCKETS * 2);
  const bands = buckets.map((bucket) => ({ from: bucket.from, to: bucket.to, mode: dominantMode(bucket) }));
  const share = buckets.map((bucket) => {
    const sessions = bucket.to - bucket.from;
    return { session: (bucket.from + bucket.to) / 2, learned: (bucket.sources.learned?.sessions ?? 0) / sessions };
  });
  const events = extras.events
    .map((event) => ({ session: eventSession(data, event), kind: event.kind, message: event.message }))
    .filter((event): event is { session: number; kind: TimelineEvent['kind']; message: string } => event.session !== null);
  const modeDomain = Object.keys(modeColors).filter((mode) => bands.some((band) => band.mode === mode)).concat(bands.map((band) => band.mode).filter((mode) => modeColors[mode] === undefined));
  const kindDomain = [...new Set(events.map((event) => event.kind))];
  const x = { type: 'quantitative', title: sessionAxisTitle, scale: { domain: [0, data.experiences], nice: false } } as const;
  const layers: object[] = [
    { data: { values: bands }, mark: { type: 'rect', opacity: 0.22 }, encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' }, color: { field: 'mode', type: 'nominal', title: 'mode', scale: { domain: modeDomain, range: modeDomain.map((mode) => modeColors[mode] ?? '#d1d5db') } } } },
    { data: { values: share }, mark: { type: 'line', color: '#dc2626', strokeWidth: 2, interpolate: 'step-after' }, encoding: { x: { ...x, field: 'session' }, y: { field: 'learned', type: 'quantitative', title: 'share served by the learned policy', scale: { domain: [0, 1] }, axis: { format: '.0%' } } } },
  ];
  if (events.length > 0) {
    layers.push({ data: { values: events }, mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [4, 2] }, encoding: { x: { ...x, field: 'session' }, stroke: { field: 'kind', type: 'nominal', title: 'event', scale: { domain: kindDomain, range: kindDomain.map((kind) => eventColors[kind]!) } } } });
  }
  return { id: 'timeline', title: 'Modes, A/B fraction and events', caption, spec: { width: WIDTH, height: HEIGHT, layer: layers, resolve: { scale: { color: 'independent', stroke: 'independent' } } } as TopLevelSpec };
}

/** Success rate and cost per session of each policy source over time (one x scale: sessions logged). */
export function outcomeOverTimeCharts(data: ReportData): ChartSpec[] {
  const buckets = displayBuckets(data);
  const rows: Array<{ session: number; source: string; success: number; cost: number; sessions: number }> = [];
  let hidden = 0;
  for (const bucket of buckets) {
    for (const [source, totals] of Object.entries(bucket.sources)) {
      if (totals.sessions < MIN_SESSIONS_PER_POINT) {
        hidden += totals.sessions;
        continue;
      }
      rows.push({ session: bucket.to, source, success: totals.successes / totals.sessions, cost: totals.costSum / totals.sessions, sessions: totals.sessions });
    }
  }
  const perPoint = buckets.length === 0 ? 0 : Math.round(data.experiences / buckets.length);
  const note = `Each point: ${perPoint} consecutive sessions, split by the policy that served them${hidden > 0 ? `; ${hidden} sessions in groups of fewer than ${MIN_SESSIONS_PER_POINT} are counted in the tables, not drawn` : ''}.`;
  const colors = policyScale(Object.keys(data.bySource).sort());
  const make = (id: string, title: string, field: 'success' | 'cost', axisTitle: string, format: string): ChartSpec =>
    rows.length === 0
      ? { id, title, caption: note, spec: null, empty: data.experiences === 0 ? 'No sessions logged yet.' : `Too few sessions to draw (fewer than ${MIN_SESSIONS_PER_POINT} of a source per point); the table below has the totals.` }
      : {
          id,
          title,
          caption: note,
          spec: {
            width: WIDTH,
            height: HEIGHT,
            data: { values: rows },
            mark: { type: 'line', point: { size: 24 }, strokeWidth: 2 },
            encoding: {
              x: { field: 'session', type: 'quantitative', title: sessionAxisTitle, scale: { domain: [0, data.experiences], nice: false } },
              y: { field, type: 'quantitative', title: axisTitle, axis: { format }, scale: { zero: field === 'success' } },
              color: { field: 'source', type: 'nominal', title: 'served by', scale: colors },
            },
          } as TopLevelSpec,
        };
  return [make('success-over-time', 'Success rate over time', 'success', 'success rate', '.0%'), make('cost-over-time', 'Cost per session over time', 'cost', 'cost per session (USD)', '$.4~f')];
}

/** Per model over time: call success rate, mean latency (s), cost per call (USD); and error codes by model. */
export function modelHealthCharts(data: ReportData): ChartSpec[] {
  const buckets = displayBuckets(data);
  const rows: Array<{ session: number; model: string; success: number | null; latency: number | null; cost: number | null; calls: number }> = [];
  for (const bucket of buckets) {
    for (const [model, totals] of Object.entries(bucket.models)) {
      if (totals.calls === 0) continue;
      rows.push({
        session: bucket.to,
        model,
        success: rate(totals.calls - totals.failures, totals.calls),
        latency: totals.timedCalls === 0 ? null : totals.latencyMsSum / totals.timedCalls / 1000,
        cost: totals.costedCalls === 0 ? null : totals.costSum / totals.costedCalls,
        calls: totals.calls,
      });
    }
  }
  const models = Object.keys(data.byModel).sort();
  const caption = `Each point: the calls to that model in ${buckets.length === 0 ? 0 : Math.round(data.experiences / buckets.length)} consecutive sessions.`;
  const line = (id: string, title: string, field: 'success' | 'latency' | 'cost', axisTitle: string, format: string): ChartSpec => {
    const values = rows.filter((row) => row[field] !== null);
    if (values.length === 0) return { id, title, caption, spec: null, empty: field === 'cost' ? 'No model call carries a cost (estimatedCost) yet.' : field === 'latency' ? 'No model call with its latency yet (sessions stored without their calls).' : 'No model calls recorded yet.' };
    return {
      id,
      title,
      caption,
      spec: {
        width: WIDTH,
        height: HEIGHT,
        data: { values },
        mark: { type: 'line', point: { size: 20 }, strokeWidth: 1.8 },
        encoding: {
          x: { field: 'session', type: 'quantitative', title: sessionAxisTitle, scale: { domain: [0, data.experiences], nice: false } },
          y: { field, type: 'quantitative', title: axisTitle, axis: { format }, scale: { zero: field !== 'success' } },
          color: { field: 'model', type: 'nominal', title: 'model', scale: { domain: models, scheme: 'tableau10' } },
        },
      } as TopLevelSpec,
    };
  };
  const errors = Object.entries(data.byModel).flatMap(([model, totals]) => Object.entries(totals.errors).map(([code, count]) => ({ model, code, count })));
  const errorChart: ChartSpec =
    errors.length === 0
      ? { id: 'model-errors', title: 'Failed calls by error code', caption: 'Failed model calls over the whole period, by the error code the call returned.', spec: null, empty: 'No failed model call recorded.' }
      : {
          id: 'model-errors',
          title: 'Failed calls by error code',
          caption: 'Failed model calls over the whole period, by the error code the call returned.',
          spec: {
            width: WIDTH,
            height: { step: 22 },
            data: { values: errors },
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'model', type: 'nominal', title: null, sort: '-x' },
              x: { field: 'count', type: 'quantitative', title: 'failed calls', stack: 'zero' },
              color: { field: 'code', type: 'nominal', title: 'error code', scale: { scheme: 'set2' } },
            },
          } as TopLevelSpec,
        };
  return [
    line('model-success', 'Model call success rate', 'success', 'calls that succeeded', '.0%'),
    line('model-latency', 'Model call latency (mean)', 'latency', 'seconds per call', '.1f'),
    line('model-cost', 'Model cost per call', 'cost', 'USD per call', '$.4~f'),
    errorChart,
  ];
}

/** Success rate by task type (all sessions). */
export function taskTypeChart(data: ReportData): ChartSpec {
  const values = Object.entries(data.byTaskType).map(([type, totals]) => ({ type, success: totals.successes / totals.count, label: `${(100 * (totals.successes / totals.count)).toFixed(1)} % of ${totals.count}` })).sort((left, right) => right.success - left.success);
  const base = { id: 'task-types', title: 'Success rate by task type', caption: 'All logged sessions, whatever served them.' };
  if (values.length === 0) return { ...base, spec: null, empty: 'No sessions logged yet.' };
  return {
    ...base,
    spec: {
      width: WIDTH - 120,
      height: { step: 22 },
      data: { values },
      encoding: { y: { field: 'type', type: 'nominal', title: null, sort: null }, x: { field: 'success', type: 'quantitative', title: 'success rate', scale: { domain: [0, 1] }, axis: { format: '.0%' } } },
      layer: [{ mark: { type: 'bar', color: '#2563eb' } }, { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { text: { field: 'label' } } }],
    } as TopLevelSpec,
  };
}

/** The deploy gate's estimate of learned − rules for every trained model, with its CI, coloured by its verdict. */
export function gateChart(extras: ReportExtras): ChartSpec {
  const values = extras.gates
    .filter((gate) => gate.difference !== null)
    .map((gate, index) => ({ model: gate.model, order: index, value: gate.difference!.value, lower: gate.difference!.ci[0], upper: gate.difference!.ci[1], verdict: gate.deployed ? 'passed, deployed' : gate.verdict === 'passed' ? 'passed' : gate.verdict }));
  const base = { id: 'gates', title: 'Deploy gate: estimated advantage over the rules', caption: 'Off-policy estimate of learned − rules (mean reward) per trained model with its 95 % CI; the gate deploys only when the lower end is above 0.' };
  if (values.length === 0) return { ...base, spec: null, empty: extras.gates.length === 0 ? 'No model trained yet.' : 'No gate could estimate a model yet (see the table).' };
  const domain = ['passed, deployed', 'passed', 'refused', 'not-evaluated'];
  const color = { field: 'verdict', type: 'nominal', title: 'gate', scale: { domain, range: ['#16a34a', '#86efac', '#6b7280', '#d1d5db'] } } as const;
  const y = { field: 'model', type: 'nominal', title: null, sort: { field: 'order' } } as const;
  return {
    ...base,
    spec: {
      width: WIDTH - 100,
      height: { step: 26 },
      data: { values },
      encoding: { y, color },
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'lower', type: 'quantitative', title: 'estimated learned − rules (reward)' }, x2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'value', type: 'quantitative' } } },
        { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#111827', strokeDash: [3, 3] }, encoding: { x: { field: 'zero', type: 'quantitative' }, y: null, color: null } },
      ],
    } as TopLevelSpec,
  };
}

/** Held-out mean reward of rules, learned and oracle after each training, by sessions logged. */
export function heldOutCurveChart(extras: ReportExtras): ChartSpec | null {
  const curve = extras.heldOutCurve;
  if (curve === undefined) return null;
  const values = curve.flatMap((point) => [
    { sessions: point.sessionsSeen, policy: 'rules', reward: point.rules },
    { sessions: point.sessionsSeen, policy: 'learned', reward: point.learned },
    ...(point.oracle === undefined ? [] : [{ sessions: point.sessionsSeen, policy: 'oracle', reward: point.oracle }]),
  ]);
  const base = { id: 'held-out-curve', title: 'Held-out reward after each training', caption: 'Mean reward on the same held-out tasks: the rules and the oracle are constant; the learned policy as trained after that many sessions.' };
  if (values.length === 0) return { ...base, spec: null, empty: 'No training yet.' };
  return {
    ...base,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'sessions', type: 'quantitative', title: sessionAxisTitle },
        y: { field: 'reward', type: 'quantitative', title: 'mean reward (held out)', scale: { zero: false } },
        color: { field: 'policy', type: 'nominal', title: null, scale: policyScale(['rules', 'learned', 'oracle']) },
      },
    } as TopLevelSpec,
  };
}

/** Fields of the trainer's metrics drawn first (one chart each), in this order; the others follow alphabetically. */
const preferredQuantities = ['trainingPolicyLoss', 'validationPolicyValue', 'validationTargetLogLikelihood', 'trainingValueLoss', 'validationValueLoss', 'trainingEntropy', 'validationEffectiveSampleSize', 'meanPolicyWeight', 'clippedShare'];
/** Fields that are bookkeeping, not a learning quantity. */
const skippedQuantities = new Set(['epochMs', 'runId', 'timestamp']);
/** Most learning-curve charts drawn (the rest are listed). */
export const MAX_CURVE_CHARTS = 12;

/** `trainingPolicyLoss` → `training policy loss`. */
export function quantityTitle(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** One chart per quantity (its own y axis), one line per model version (colour), x = epoch. */
export function learningCurveCharts(data: ReportData): { charts: ChartSpec[]; omitted: string[] } {
  const quantities = new Set<string>();
  for (const curve of data.curves) for (const field of Object.keys(curve.fields)) if (!skippedQuantities.has(field)) quantities.add(field);
  const ordered = [...preferredQuantities.filter((field) => quantities.has(field)), ...[...quantities].filter((field) => !preferredQuantities.includes(field)).sort()];
  const versions = data.curves.map((curve) => curve.name);
  const charts = ordered.slice(0, MAX_CURVE_CHARTS).map((field): ChartSpec => {
    const values = data.curves.flatMap((curve) => (curve.fields[field] ?? []).map(([x, value]) => ({ x, value, version: curve.name, xLabel: curve.xLabel })));
    const xLabel = data.curves.find((curve) => curve.fields[field] !== undefined)?.xLabel ?? 'epoch';
    return {
      id: `curve-${field}`,
      title: quantityTitle(field),
      caption: `${quantityTitle(field)} by ${xLabel}, one line per trained model version.`,
      spec: {
        width: WIDTH - 80,
        height: 170,
        data: { values },
        mark: { type: 'line', point: { size: 16 }, strokeWidth: 1.8 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: xLabel },
          y: { field: 'value', type: 'quantitative', title: quantityTitle(field), scale: { zero: false } },
          color: { field: 'version', type: 'nominal', title: 'model version', scale: { domain: versions, scheme: 'tableau10' } },
        },
      } as TopLevelSpec,
    };
  });
  return { charts, omitted: ordered.slice(MAX_CURVE_CHARTS) };
}
