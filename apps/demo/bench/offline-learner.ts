/**
 * One offline training on shadow logs, measured on held-out tasks: the learner and its deploy gate in isolation.
 * Simulates `--sessions` shadow sessions of the rules (ε = 0.3, exact propensities) through `createLearning`, trains
 * once with the demo's trainer settings (plus `--config` JSON merged into them), and prints one JSON line: rules and
 * learned (greedy) on 1,000 held-out tasks with the same random streams, the paired difference with its 95 % CI, and
 * the deploy gate's estimate of that difference. Logs are cached (`shadow-logs.ts`).
 *
 *   pnpm --filter @orchestra/demo bench:offline --world default|FILE --seed 11 --sessions 2000 \
 *     [--config '{"offline":{"rewardModelPessimism":1}}'] [--buffer DATA_DIR] [--exploration-design factorial [--switch-probability 0.35]]
 *
 * `--buffer DATA_DIR` trains on the experiences of an existing data dir instead (e.g. a demo run's `dataDir`, whose
 * logs mix the rules and the exploration candidates), read without writing; `--world` must be the world it played.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLearning } from '@orchestra/learning';
import { HistoryIndex } from '@orchestra/learning-features';
import { loadModelArtifact, PolicyRouter, RulesPolicy } from '@orchestra/learning-policy';
import { drawHeldOutTasks, evaluateOnTasks, pairedDifference } from '@orchestra/learning-sim';
import type { Experience } from '@orchestra/learning-types';
import { policyInputOf } from '../src/held-out-evaluation';
import { demoTrainerConfig } from '../src/run-demo';
import { benchExplorationDesign, benchWorld, shadowLogs } from './shadow-logs';

const { values } = parseArgs({ options: { world: { type: 'string' }, seed: { type: 'string' }, sessions: { type: 'string' }, config: { type: 'string' }, 'exploration-design': { type: 'string' }, 'switch-probability': { type: 'string' }, buffer: { type: 'string' } } });
if (values.buffer !== undefined && values.sessions !== undefined) {
  console.error('bench:offline: --buffer trains on the experiences of that data dir; --sessions applies only to generated logs');
  process.exit(2);
}
const { world, worldName } = await benchWorld(values.world ?? 'default');
const seed = Number(values.seed ?? '11');
const count = Number(values.sessions ?? '2000');
const override = JSON.parse(values.config ?? '{}') as { offline?: Record<string, unknown> } & Record<string, unknown>;

/** The experiences of an existing data dir (`readBuffer`: its original records, nothing written). */
async function bufferLogs(directory: string): Promise<Experience[]> {
  const source = await createLearning({ cwd: directory, env: {}, dataDir: directory, config: { reloadIntervalMs: 0 } });
  try {
    return await source.readBuffer({ view: 'original' });
  } finally {
    await source.close();
  }
}

const experiences = values.buffer === undefined ? await shadowLogs(world, worldName, seed, count, benchExplorationDesign(values['exploration-design'], values['switch-probability'])) : await bufferLogs(resolve(values.buffer));
const dataDir = await mkdtemp(join(tmpdir(), 'offline-learner-train-'));
try {
  const learning = await createLearning({ cwd: dataDir, env: {}, dataDir, config: { seed, reloadIntervalMs: 0 } });
  const trainerConfig = { ...demoTrainerConfig, ...override, offline: { ...demoTrainerConfig.offline, ...(override.offline ?? {}) }, seed: seed + 1 };
  const started = performance.now();
  const report = await learning.train({ experiences, output: join(dataDir, 'model'), version: 'offline-learner', trainerConfig, servedAs: { selection: 'argmax' } });
  const trainingSeconds = (performance.now() - started) / 1000;
  await learning.close();
  const heldOut = drawHeldOutTasks(world, 1000, seed);
  // The held-out tasks are decided with the history the logs built, as the demo and a deployment decide: the learned
  // policy was trained on states that carry it (without it every held-out state is one no logged state resembles).
  const history = new HistoryIndex();
  for (const experience of experiences) history.update(experience);
  const rules = new RulesPolicy({ config: { epsilon: 0 } });
  const rulesRun = evaluateOnTasks(world, heldOut, (entry, index) => rules.decide(policyInputOf(entry, history, `rules-${index}`)).action);
  const router = new PolicyRouter({ mode: 'production', environment: {}, latencyBudgetMs: 1000, learnedOptions: { selection: 'argmax' } });
  router.setModel(await loadModelArtifact(join(dataDir, 'model')));
  const learnedRun = evaluateOnTasks(world, heldOut, (entry, index) => router.decide(policyInputOf(entry, history, `learned-${index}`)).action);
  const measured = pairedDifference(learnedRun.rewards, rulesRun.rewards);
  const gate =
    (report.ope as { difference?: { value: number; lower: number; upper: number; samplingStandardError?: number; criticStandardError?: number } } | null)?.difference ?? null;
  const round = (value: number) => Math.round(value * 100) / 100;
  console.log(
    JSON.stringify({
      world: worldName,
      seed,
      sessions: experiences.length,
      logs: values.buffer === undefined ? 'rules shadow logs' : resolve(values.buffer),
      config: override,
      rules: round(rulesRun.metrics.meanReward),
      learned: round(learnedRun.metrics.meanReward),
      learnedMinusRules: { mean: round(measured.mean), ci: measured.interval.map(round) },
      successRate: { rules: rulesRun.metrics.successRate, learned: learnedRun.metrics.successRate },
      costPerSession: { rules: round(rulesRun.metrics.costPerSession * 1000) / 1000, learned: round(learnedRun.metrics.costPerSession * 1000) / 1000 },
      gate:
        gate === null
          ? { error: report.opeError }
          : {
              estimate: round(gate.value),
              ci: [round(gate.lower), round(gate.upper)],
              passed: report.beatsRules,
              samplingStandardError: round(gate.samplingStandardError ?? Number.NaN),
              criticStandardError: round(gate.criticStandardError ?? Number.NaN),
            },
      critic: report.critic,
      trainingSeconds: round(trainingSeconds),
    }),
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
