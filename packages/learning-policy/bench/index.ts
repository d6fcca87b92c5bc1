/**
 * Decision-latency benchmark of @orchestra/learning-policy (`pnpm bench`).
 *
 * 1. Forward pass of the same actor [80 → 256 → 128 → 35] (the reference size) in the plain-TypeScript
 *    runtime, the WebAssembly SIMD runtime, @tensorflow/tfjs (CPU) and onnxruntime-node: p50/p99 of one row and of a
 *    batch of 256, and the largest difference from the plain-TS outputs (must be ≤ 1e-5).
 * 2. Whole decisions: `LearnedPolicy.decide` on the real policy net (51 features → 256 → 128 → 45 logits:
 *    encoding, normalising, forward pass, masking, sampling, decoding), `RulesPolicy.decide`, and the router.
 *
 * Other engineers share these 2 cores, so absolute numbers are noisy; the ratios are measured in one run.
 * Writes /work/main/bench-results/learning-policy-decision-latency.json (path relative to the repo root).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  LearnedPolicy,
  PolicyRouter,
  RulesPolicy,
  TypescriptDenseRuntime,
  WasmDenseRuntime,
  exportDenseLayersToOnnx,
  type DenseNetwork,
  type DenseRuntime,
} from '../src/index';
import { createRandomDenseLayers } from '../src/testing';
import { createTestArtifact } from '../src/test-support/create-test-artifact';
import { makeInput } from '../src/test-support/inputs';

interface Measurement {
  readonly p50Microseconds: number;
  readonly p99Microseconds: number;
  readonly iterations: number;
}

function summarize(samples: Float64Array): Measurement {
  samples.sort();
  const at = (quantile: number) => samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))]!;
  return { p50Microseconds: at(0.5), p99Microseconds: at(0.99), iterations: samples.length };
}

function measure(run: () => void, iterations: number, warmUp = Math.min(2000, iterations)): Measurement {
  for (let index = 0; index < warmUp; index += 1) run();
  const samples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index += 1) {
    const started = process.hrtime.bigint();
    run();
    samples[index] = Number(process.hrtime.bigint() - started) / 1000;
  }
  return summarize(samples);
}

async function measureAsync(run: () => Promise<void>, iterations: number, warmUp = Math.min(500, iterations)): Promise<Measurement> {
  for (let index = 0; index < warmUp; index += 1) await run();
  const samples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index += 1) {
    const started = process.hrtime.bigint();
    await run();
    samples[index] = Number(process.hrtime.bigint() - started) / 1000;
  }
  return summarize(samples);
}

function maxDifference(reference: Float32Array, candidate: ArrayLike<number>, rows: number, width: number, candidateStride: number): number {
  let max = 0;
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < width; column += 1) {
      max = Math.max(max, Math.abs(reference[row * width + column]! - candidate[row * candidateStride + column]!));
    }
  }
  return max;
}

const format = (value: number) => (value < 10 ? value.toFixed(2) : value < 1000 ? value.toFixed(1) : value.toFixed(0));
const rows: Array<Record<string, string>> = [];
const results: Record<string, unknown> = {};

// ── 1. Forward pass, same weights everywhere ────────────────────────────────────────────────────────────────────
const sizes = [80, 256, 128, 35];
const network: DenseNetwork = { layers: createRandomDenseLayers(sizes, 2026), inputSize: sizes[0]!, outputSize: sizes[sizes.length - 1]! };
const batch = 256;
const inputs = new Float32Array(batch * network.inputSize).map((_, index) => Math.sin(index * 0.31) * 1.3);

const typescriptRuntime = new TypescriptDenseRuntime(network, batch);
typescriptRuntime.input.set(inputs);
typescriptRuntime.run(batch);
const reference = typescriptRuntime.output.slice(0, batch * network.outputSize);

const runtimes: Array<{ name: string; runtime: DenseRuntime }> = [
  { name: 'plain TypeScript', runtime: typescriptRuntime },
  { name: 'WebAssembly SIMD', runtime: new WasmDenseRuntime(network, batch) },
];
const forward: Record<string, { single: Measurement; batch: Measurement; maxDifference: number }> = {};
for (const { name, runtime } of runtimes) {
  runtime.input.set(inputs);
  runtime.run(batch);
  const difference = maxDifference(reference, runtime.output, batch, network.outputSize, runtime.outputStride);
  runtime.input.set(inputs.subarray(0, network.inputSize));
  const single = measure(() => runtime.run(1), 20_000);
  runtime.input.set(inputs);
  const batched = measure(() => runtime.run(batch), 300, 30);
  forward[name] = { single, batch: batched, maxDifference: difference };
}

// tfjs (CPU backend, the trainer's engine): the same Dense stack, weights set from the same arrays.
{
  await tf.setBackend('cpu');
  const model = tf.sequential();
  network.layers.forEach((layer, index) =>
    model.add(tf.layers.dense({ units: layer.outputSize, activation: layer.activation, ...(index === 0 ? { inputShape: [layer.inputSize] } : {}) })),
  );
  model.setWeights(network.layers.flatMap((layer) => [tf.tensor2d(layer.kernel, [layer.inputSize, layer.outputSize]), tf.tensor1d(layer.bias)]));
  const predict = (data: Float32Array, count: number) =>
    tf.tidy(() => (model.predict(tf.tensor2d(data, [count, network.inputSize])) as tf.Tensor).dataSync() as Float32Array);
  const difference = maxDifference(reference, predict(inputs, batch), batch, network.outputSize, network.outputSize);
  const first = inputs.subarray(0, network.inputSize);
  const single = measure(() => void predict(first, 1), 2000, 200);
  const batched = measure(() => void predict(inputs, batch), 100, 10);
  forward['@tensorflow/tfjs (cpu)'] = { single, batch: batched, maxDifference: difference };
}

// onnxruntime-node: the same network written as ONNX by exportDenseLayersToOnnx.
let onnxNote = '';
try {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(exportDenseLayersToOnnx(network.layers), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const run = async (data: Float32Array, count: number) =>
    (await session.run({ features: new ort.Tensor('float32', data, [count, network.inputSize]) })).logits!.data as Float32Array;
  const difference = maxDifference(reference, await run(inputs, batch), batch, network.outputSize, network.outputSize);
  const first = inputs.slice(0, network.inputSize);
  const single = await measureAsync(async () => void (await run(first, 1)), 10_000);
  const batched = await measureAsync(async () => void (await run(inputs, batch)), 300, 30);
  forward['onnxruntime-node'] = { single, batch: batched, maxDifference: difference };
} catch (error) {
  onnxNote = `onnxruntime-node skipped: ${error instanceof Error ? error.message : String(error)}`;
  console.log(onnxNote);
}

const onnxSingle = forward['onnxruntime-node']?.single.p50Microseconds;
const tfjsSingle = forward['@tensorflow/tfjs (cpu)']!.single.p50Microseconds;
for (const [name, measured] of Object.entries(forward)) {
  rows.push({
    'forward pass [80→256→128→35]': name,
    'single p50 µs': format(measured.single.p50Microseconds),
    'single p99 µs': format(measured.single.p99Microseconds),
    'batch 256 p50 µs': format(measured.batch.p50Microseconds),
    'batch 256 p99 µs': format(measured.batch.p99Microseconds),
    'tfjs / this (single)': (tfjsSingle / measured.single.p50Microseconds).toFixed(1),
    'onnx / this (single)': onnxSingle === undefined ? 'n/a' : (onnxSingle / measured.single.p50Microseconds).toFixed(2),
    'max |Δ| vs plain TS': measured.maxDifference.toExponential(1),
  });
}
console.table(rows);
results.forwardPass = { sizes, batch, runtimes: forward, onnxNote: onnxNote || undefined };

// ── 2. Whole decisions ────────────────────────────────────────────────────────────────────────────────────────
const decisionRows: Array<Record<string, string>> = [];
const decisions: Record<string, Measurement> = {};
const input = makeInput({ context: { complexity: 'complex', domains: ['backend', 'api'], risk: 'high', estimatedTimeMinutes: 90 } });
const artifact = createTestArtifact({ hidden: [256, 128], prediction: false, seed: 11 });
const learnedWasm = new LearnedPolicy(artifact, { denseRuntime: 'wasm-simd' });
const learnedTypescript = new LearnedPolicy(artifact, { denseRuntime: 'typescript' });
// What `q-distillation` ships: the actor as a residual on the rules (the rules decide too, to place the bonus).
const residual = new LearnedPolicy(createTestArtifact({ hidden: [256, 128], prediction: false, seed: 11, manifest: { rulesPrior: { bonus: 3 } } }), { denseRuntime: 'wasm-simd' });
// The cost–quality knob: the same actor with a prediction head over state and action, deciding at the default weight
// (no re-scoring) and at cost weight 2 (every active model head's alternatives predicted and re-scored).
const priced = createTestArtifact({ hidden: [256, 128], prediction: false, pricedPrediction: true, seed: 11, manifest: { rulesPrior: { bonus: 3 } } });
const knobPolicy = new LearnedPolicy(priced, { denseRuntime: 'wasm-simd', selection: 'argmax' });
const knobInput = { ...input, costWeight: 2 };
const stateSize = artifact.manifest.featureSchema.names.length;
const logitCount = artifact.actor.layers.at(-1)!.outputSize;
const rulesPolicy = new RulesPolicy();
const exploringRules = new RulesPolicy({ config: { epsilon: 0.1 } });
const production = new PolicyRouter({ mode: 'production', learned: learnedWasm, environment: {} });
const disabled = new PolicyRouter({ mode: 'disabled', environment: {} });
const cases: Array<[string, () => void]> = [
  [`LearnedPolicy.decide (WASM SIMD, ${stateSize}→256→128→${logitCount})`, () => void learnedWasm.decide(input)],
  [`LearnedPolicy.decide (WASM SIMD, residual on the rules)`, () => void residual.decide(input)],
  [`LearnedPolicy.decide (plain TS, ${stateSize}→256→128→${logitCount})`, () => void learnedTypescript.decide(input)],
  ['LearnedPolicy.decide argmax, prediction head, default cost weight', () => void knobPolicy.decide(input)],
  ['LearnedPolicy.decide argmax, prediction head, cost weight 2 (re-scored)', () => void knobPolicy.decide(knobInput)],
  ['PolicyRouter production (learned + guard check)', () => void production.decide(input)],
  ['RulesPolicy.decide (ε = 0)', () => void rulesPolicy.decide(input)],
  ['RulesPolicy.decide (ε = 0.1, exact propensity)', () => void exploringRules.decide(input)],
  ['PolicyRouter disabled (rules)', () => void disabled.decide(input)],
];
for (const [name, run] of cases) {
  decisions[name] = measure(run, 20_000);
  decisionRows.push({ decision: name, 'p50 µs': format(decisions[name]!.p50Microseconds), 'p99 µs': format(decisions[name]!.p99Microseconds) });
}
console.table(decisionRows);
results.decisions = decisions;

// ── Goals ──────────────────────────────────────────────────────────────────────────────────────────────────────
const wasm = forward['WebAssembly SIMD']!;
const rulesMeasured = decisions['RulesPolicy.decide (ε = 0)']!;
const goals = {
  'WASM single forward p50 ≤ 10 µs': wasm.single.p50Microseconds <= 10,
  'WASM single forward p99 ≤ 50 µs': wasm.single.p99Microseconds <= 50,
  'WASM beats onnxruntime-node (single p50)': onnxSingle === undefined ? null : wasm.single.p50Microseconds < onnxSingle,
  'every runtime agrees with plain TS to 1e-5': Object.values(forward).every((measured) => measured.maxDifference <= 1e-5),
  'rules decision p50 ≤ 5 µs': rulesMeasured.p50Microseconds <= 5,
  'LearnedPolicy.decide p50 ≤ 10 µs (residual on the rules, WASM SIMD)': decisions['LearnedPolicy.decide (WASM SIMD, residual on the rules)']!.p50Microseconds <= 10,
};
console.log('\nGoals:');
for (const [goal, met] of Object.entries(goals)) console.log(`  ${met === null ? 'n/a ' : met ? 'met ' : 'MISS'}  ${goal}`);
const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage: loadavg() };
console.log(`\n${machine.cpus} cores (${machine.model}), load average ${machine.loadAverage.map((value) => value.toFixed(2)).join(' ')} — shared machine, figures are noisy; compare ratios.`);

const target = fileURLToPath(new URL('../../../bench-results/learning-policy-decision-latency.json', import.meta.url));
await mkdir(fileURLToPath(new URL('../../../bench-results/', import.meta.url)), { recursive: true });
await writeFile(target, `${JSON.stringify({ benchmark: 'learning-policy decision latency', date: new Date().toISOString(), machine, goals, ...results }, null, 2)}\n`);
console.log(`wrote ${target}`);
