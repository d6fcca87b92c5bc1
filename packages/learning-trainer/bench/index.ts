/**
 * Benchmarks of the training half of @orchestra/learning-trainer:
 *   1. A2C update steps per second at batch 128 for the seed's actor + critic ([256, 128] ReLU, 51 features,
 *      45 logits in 10 heads): tfjs CPU backend vs tfjs WebAssembly backend vs this package's kernels (WebAssembly
 *      SIMD and plain JS), all in one run;
 *   2. offline epochs per second on 100,000 synthetic experiences;
 *   3. CartPole-v1 wall time until the greedy policy averages ≥ 475 over 100 evaluation episodes.
 *
 * Usage: pnpm bench [updates|offline|cartpole ...]   (default: all three)
 * Writes bench-results/learning-trainer-{a2c-updates,offline-epochs,cartpole}.json at the repository root.
 * The machine is shared (2 cores, other processes running): absolute figures are noisy, ratios within one run less so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ActionSpace } from '@orchestra/learning-features';
import { evaluatePolicy } from '../src/a2c/evaluate-policy';
import { trainA2c } from '../src/a2c/a2c-trainer';
import { parseTrainerConfig } from '../src/config/trainer-config';
import { CartPole, cartPoleConstants } from '../src/envs/cart-pole';
import { ActorCritic } from '../src/networks/actor-critic';
import { headOffsets, policyLossAndGradient } from '../src/networks/factorised-policy';
import { SeededRandom } from '../src/networks/seeded-random';
import { syntheticExperiences } from '../src/offline/test-support/synthetic-experiences';
import { trainOffline } from '../src/offline/train-offline';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsFolder = join(repositoryRoot, 'bench-results');
const requireFromHere = createRequire(import.meta.url);
const machine = { cores: availableParallelism(), loadAverageAtStart: loadavg()[0], node: process.version };

function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(resultsFolder, { recursive: true });
  const path = join(resultsFolder, `learning-trainer-${name}.json`);
  writeFileSync(path, `${JSON.stringify({ ...result, machine, measuredAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

function printTable(rows: Array<Record<string, string | number>>): void {
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (values: string[]) => `| ${values.map((value, index) => value.padEnd(widths[index]!)).join(' | ')} |`;
  console.log(line(columns));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))));
}

/** Runs `step` for about `seconds` after a warm-up and returns steps per second. */
async function rate(step: () => void | Promise<void>, seconds: number, warmup = 3): Promise<number> {
  for (let index = 0; index < warmup; index++) await step();
  const started = performance.now();
  let steps = 0;
  while (performance.now() - started < seconds * 1000) {
    await step();
    steps += 1;
  }
  return steps / ((performance.now() - started) / 1000);
}

const seedStateSize = 51;
const seedHeads = new ActionSpace().heads.map((head) => head.size);
const batch = 128;

/** Fixed synthetic A2C batch: states, one action per head, returns. */
function a2cBatch() {
  const random = new SeededRandom(1);
  const states = Float32Array.from({ length: batch * seedStateSize }, () => random.gaussian());
  const actions = Int32Array.from({ length: batch * seedHeads.length }, (_, index) => random.integer(seedHeads[index % seedHeads.length]!));
  const returns = Float64Array.from({ length: batch }, () => random.gaussian());
  return { states, actions, returns };
}

/** One A2C update with this package's networks: the same work as inside `trainA2c`. */
function ownUpdate(model: ActorCritic, data: ReturnType<typeof a2cBatch>, advantages: Float64Array): void {
  model.critic.input(batch).set(data.states);
  const values = model.critic.forward(batch);
  const valueGradient = model.critic.outputGradient(batch);
  for (let row = 0; row < batch; row++) {
    const error = values[row]! - data.returns[row]!;
    valueGradient[row] = (2 * 0.5 * error) / batch;
    advantages[row] = -error;
  }
  model.critic.backward(batch);
  model.actor.input(batch).set(data.states);
  const logits = model.actor.forward(batch);
  policyLossAndGradient({ sizes: seedHeads }, logits, { batch, actions: data.actions }, advantages, 0.01, model.actor.outputGradient(batch));
  model.actor.backward(batch);
  model.applyGradients();
}

/** The same update in tfjs: variables, per-head log-softmax, entropy, Adam via `optimizer.minimize`. */
function tfjsUpdate(data: ReturnType<typeof a2cBatch>) {
  const { offsets, totalLogits } = headOffsets({ sizes: seedHeads });
  const layers = (sizes: number[]) =>
    sizes.slice(1).map((size, index) => ({
      kernel: tf.variable(tf.randomUniform([sizes[index]!, size], -0.05, 0.05)),
      bias: tf.variable(tf.zeros([size])),
    }));
  const actor = layers([seedStateSize, 256, 128, totalLogits]);
  const critic = layers([seedStateSize, 256, 128, 1]);
  const forward = (network: typeof actor, input: tf.Tensor2D) =>
    network.reduce<tf.Tensor2D>((current, layer, index) => {
      const linear = tf.add(tf.matMul(current, layer.kernel), layer.bias) as tf.Tensor2D;
      return index < network.length - 1 ? tf.relu(linear) : linear;
    }, input);
  const states = tf.tensor2d(data.states, [batch, seedStateSize]);
  const returns = tf.tensor1d(Array.from(data.returns));
  const oneHots = seedHeads.map((size, head) =>
    tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, row) => data.actions[row * seedHeads.length + head]!), 'int32'), size),
  );
  const optimizer = tf.train.adam(7e-4);
  const variables = [...actor, ...critic].flatMap((layer) => [layer.kernel, layer.bias]);
  const step = () => {
    // Advantages come from the rollout's values (a constant for the policy loss), as in A2C.
    const advantages = tf.tidy(() => tf.sub(returns, forward(critic, states).reshape([batch])));
    const cost = optimizer.minimize(
      () => {
        const logits = forward(actor, states);
        const values = forward(critic, states).reshape([batch]);
        let logProbability: tf.Tensor = tf.zeros([batch]);
        let entropy: tf.Tensor = tf.zeros([batch]);
        seedHeads.forEach((size, head) => {
          const logSoftmax = tf.logSoftmax(logits.slice([0, offsets[head]!], [batch, size]));
          logProbability = tf.add(logProbability, tf.sum(tf.mul(oneHots[head]!, logSoftmax), 1));
          entropy = tf.sub(entropy, tf.sum(tf.mul(tf.exp(logSoftmax), logSoftmax), 1));
        });
        const policyLoss = tf.neg(tf.mean(tf.mul(advantages, logProbability)));
        const valueLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(returns, values))));
        return tf.sub(tf.add(policyLoss, valueLoss), tf.mul(0.01, tf.mean(entropy))) as tf.Scalar;
      },
      true,
      variables,
    );
    cost?.dataSync();
    tf.dispose([cost!, advantages]);
  };
  const dispose = () => tf.dispose([...variables, states, returns, ...oneHots]);
  return { step, dispose };
}

async function benchUpdates(): Promise<void> {
  console.log(`\n## A2C update steps/s — batch ${batch}, actor ${seedStateSize}→[256,128]→${seedHeads.reduce((a, b) => a + b)} (${seedHeads.length} heads), critic ${seedStateSize}→[256,128]→1`);
  const data = a2cBatch();
  const advantages = new Float64Array(batch);
  // Interleaved rounds: every implementation is measured in each round, so they see similar machine load; the
  // median over rounds is reported.
  const seconds = 2;
  const rounds = 3;
  setWasmPaths(`${join(dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const implementations: Array<{ name: string; prepare: () => Promise<void>; step: () => void }> = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const update = tfjsUpdate(data);
    implementations.push({ name: `tfjs ${backend} backend`, prepare: async () => void (await tf.setBackend(backend)), step: update.step });
  }
  for (const backend of ['typescript', 'wasm-simd'] as const) {
    const model = new ActorCritic({ stateSize: seedStateSize, heads: { sizes: seedHeads }, config: parseTrainerConfig({ backend }) });
    implementations.push({
      name: backend === 'wasm-simd' ? 'own kernels, WebAssembly SIMD' : 'own kernels, plain TypeScript',
      prepare: async () => undefined,
      step: () => ownUpdate(model, data, advantages),
    });
  }
  const samples = implementations.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, implementation] of implementations.entries()) {
      await implementation.prepare();
      samples[index]!.push(await rate(implementation.step, seconds, round === 0 ? 2 : 1));
    }
  }
  const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;
  const rows = implementations.map((implementation, index) => ({
    implementation: implementation.name,
    updatesPerSecond: median(samples[index]!),
    rounds: samples[index]!,
  }));
  const baseline = rows[0]!.updatesPerSecond;
  printTable(rows.map((row) => ({ implementation: row.implementation, 'updates/s': row.updatesPerSecond.toFixed(1), 'vs tfjs cpu': `${(row.updatesPerSecond / baseline).toFixed(1)}×` })));
  const best = rows.at(-1)!.updatesPerSecond;
  console.log(`goal ≥ 100 updates/s: ${best >= 100 ? 'met' : 'NOT met'} (${best.toFixed(0)}/s)`);
  writeResult('a2c-updates', { batch, stateSize: seedStateSize, heads: seedHeads, hiddenSizes: [256, 128], secondsPerMeasurement: seconds, rounds, results: rows, goalUpdatesPerSecond: 100 });
}

async function benchOffline(): Promise<void> {
  const count = 100_000;
  console.log(`\n## Offline epochs/s — ${count.toLocaleString('en')} synthetic experiences, default config ([256,128] actor and critic, batch 128)`);
  const generationStarted = performance.now();
  const experiences = syntheticExperiences({ count, seed: 1, exploration: 0.8 });
  const generationMs = performance.now() - generationStarted;
  const rows: Array<Record<string, string | number>> = [];
  const results: Record<string, unknown>[] = [];
  for (const backend of ['wasm-simd', 'typescript'] as const) {
    const epochs = backend === 'wasm-simd' ? 3 : 1;
    const result = await trainOffline({
      experiences,
      config: { seed: 1, backend, offline: { epochs, earlyStoppingPatience: 100 } },
      validate: false,
      predictions: false,
    });
    const meanEpochMs = result.epochs.reduce((sum, epoch) => sum + epoch.epochMs, 0) / result.epochs.length;
    const updatesPerEpoch = Math.ceil(result.trainingSize / 128);
    rows.push({
      backend,
      epochs: result.epochs.length,
      'training rows': result.trainingSize,
      's/epoch': (meanEpochMs / 1000).toFixed(2),
      'epochs/s': (1000 / meanEpochMs).toFixed(3),
      'updates/s': ((updatesPerEpoch * 1000) / meanEpochMs).toFixed(1),
      'wall s (incl. encoding)': (result.wallTimeMs / 1000).toFixed(1),
    });
    results.push({ backend, epochs: result.epochs.length, trainingSize: result.trainingSize, validationSize: result.validationSize, meanEpochMs, epochsPerSecond: 1000 / meanEpochMs, wallTimeMs: result.wallTimeMs, lastEpoch: result.epochs.at(-1) });
  }
  printTable(rows);
  console.log(`(generating the experiences took ${(generationMs / 1000).toFixed(1)} s; validation against the zod schema is skipped here)`);
  writeResult('offline-epochs', { experiences: count, generationMs, results });
}

async function benchCartPole(): Promise<void> {
  console.log('\n## CartPole-v1 — A2C until the greedy policy averages ≥ 475 over 100 evaluation episodes');
  const createEnvironment = () => new CartPole();
  const maximumUpdates = 8000;
  const runs: Record<string, unknown>[] = [];
  for (const seed of [0, 1, 2]) {
    let evaluationMs = 0;
    let final: ReturnType<typeof evaluatePolicy> | undefined;
    const result = trainA2c({
      createEnvironment,
      updates: maximumUpdates,
      config: { seed },
      shouldStop: (progress, model) => {
        if (progress.update % 100 !== 0 || !(progress.meanEpisodeReturn >= 400)) return false;
        const started = performance.now();
        const quick = evaluatePolicy(model, { createEnvironment, episodes: 20, seed: 10_000 + progress.update });
        if (quick.meanReturn >= cartPoleConstants.rewardThreshold) final = evaluatePolicy(model, { createEnvironment, episodes: 100, seed: 1_000_000 });
        evaluationMs += performance.now() - started;
        return final !== undefined && final.meanReturn >= cartPoleConstants.rewardThreshold;
      },
    });
    const solved = final !== undefined && final.meanReturn >= cartPoleConstants.rewardThreshold;
    runs.push({
      seed,
      solved,
      updates: result.updates,
      environmentSteps: result.environmentSteps,
      wallTimeSeconds: result.wallTimeMs / 1000,
      evaluationSeconds: evaluationMs / 1000,
      updatesPerSecond: result.updates / ((result.wallTimeMs - evaluationMs) / 1000),
      evaluationMeanReturn: final?.meanReturn ?? null,
      evaluationMinimumReturn: final?.minimumReturn ?? null,
    });
    const run = runs.at(-1)!;
    console.log(`seed ${seed}: ${solved ? 'solved' : 'NOT solved'} after ${result.updates} updates, ${result.environmentSteps} steps, ${(result.wallTimeMs / 1000).toFixed(1)} s`);
    void run;
  }
  printTable(
    runs.map((run) => ({
      seed: run.seed as number,
      solved: run.solved ? 'yes' : 'no',
      updates: run.updates as number,
      'env steps': run.environmentSteps as number,
      'wall s': (run.wallTimeSeconds as number).toFixed(1),
      'updates/s (training)': (run.updatesPerSecond as number).toFixed(0),
      'eval mean (100 ep)': run.evaluationMeanReturn === null ? '-' : (run.evaluationMeanReturn as number).toFixed(1),
      'vs RL Zoo A2C steps (5e5)': `${(((run.environmentSteps as number) / 500_000) * 100).toFixed(0)}%`,
    })),
  );
  console.log(
    'Reference (REFERENCE.md): RL Zoo A2C on CartPole-v1 — 8 envs × 5 steps, RMSprop 7e-4, [64,64] tanh, 5e5 env steps, 500.0 ± 0 over 300 deterministic episodes (a single run).',
  );
  const config = parseTrainerConfig({});
  writeResult('cartpole', {
    config: { a2c: config.a2c, optimizer: config.optimizer, entropyCoefficient: config.entropyCoefficient, valueCoefficient: config.valueCoefficient, actor: config.actor, critic: config.critic },
    threshold: cartPoleConstants.rewardThreshold,
    evaluationEpisodes: 100,
    deterministicEvaluation: true,
    runs,
    reference: { source: 'RL Baselines3 Zoo benchmark.md, a2c CartPole-v1', environmentSteps: 500_000, meanReward: 500, environments: 8, nSteps: 5 },
  });
}

const selected = process.argv.slice(2);
const wanted = (name: string) => selected.length === 0 || selected.includes(name);
console.log(`learning-trainer bench — ${machine.cores} cores, load average ${machine.loadAverageAtStart?.toFixed(2)} at start (shared machine: figures are noisy)`);
if (wanted('updates')) await benchUpdates();
if (wanted('cartpole')) await benchCartPole();
if (wanted('offline')) await benchOffline();
