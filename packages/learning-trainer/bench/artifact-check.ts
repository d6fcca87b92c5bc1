/**
 * Measures the artifact path for the seed's network sizes (features → 256 → 128 → logits actor, → 1 critic):
 * write and load times, file sizes, and the agreement of four forward passes on the same 1,000 random inputs —
 * plain float64 reference, tfjs (model loaded from actor.model.json), onnxruntime-node (actor.onnx) and the policy
 * package's runtimes. Prints a table and writes `bench-results/learning-trainer-artifact.json`. Run from
 * packages/learning-trainer:
 *
 *   node --import tsx bench/artifact-check.ts
 *
 * Not exported from the package (onnxruntime-node is a dev dependency).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { createDenseRuntime, isWasmSimdAvailable, loadModelArtifact } from '@orchestra/learning-policy';
import * as onnxRuntime from 'onnxruntime-node';
import { artifactFiles } from '../src/artifact/artifact-files';
import { loadTrainedModelArtifact } from '../src/artifact/load-trained-model-artifact';
import { denseLayersForward } from '@orchestra/learning-policy';
import { createRandomDenseLayers as randomDenseLayers, createRandomInputs as randomInputs } from '@orchestra/learning-policy/testing';
import { loadTfjsLayersModel } from '../src/artifact/tfjs-file-system';
import { writeTrainedModelArtifact } from '../src/artifact/write-trained-model-artifact';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

function greedy(space: ActionSpace, logits: ArrayLike<number>, offset: number): string {
  return space.heads
    .map((head, headIndex) => {
      let best = 0;
      for (let choice = 1; choice < head.size; choice += 1) {
        if (logits[offset + space.offsets[headIndex]! + choice]! > logits[offset + space.offsets[headIndex]! + best]!) best = choice;
      }
      return best;
    })
    .join(',');
}

async function median(repeats: number, action: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const started = performance.now();
    await action();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const space = new ActionSpace();
  const inputSize = defaultFeatureSchema.size;
  const actor = randomDenseLayers([inputSize, 256, 128, space.totalLogits], 1);
  const critic = randomDenseLayers([inputSize, 256, 128, 1], 2);
  const workDirectory = mkdtempSync(join(tmpdir(), 'artifact-check-'));
  const directory = join(workDirectory, 'model');
  try {
    const model = { version: 'artifact-check', featureSchema: defaultFeatureSchema, actionSpace: space, actor, critic };
    const writeMilliseconds = await median(5, () => writeTrainedModelArtifact(directory, model));
    const loadMilliseconds = await median(5, () => loadTrainedModelArtifact(directory));
    const policyLoadMilliseconds = await median(5, () => loadModelArtifact(directory));
    const sizes = Object.fromEntries(Object.values(artifactFiles).flatMap((file) => {
      try {
        return [[file, statSync(join(directory, file)).size]];
      } catch {
        return [];
      }
    }));

    const batch = 1000;
    const inputs = randomInputs(batch, inputSize, 11);
    const reference = new Float64Array(batch * space.totalLogits);
    for (let row = 0; row < batch; row += 1) reference.set(denseLayersForward(actor, inputs.subarray(row * inputSize, (row + 1) * inputSize)), row * space.totalLogits);
    const tfjsModel = await loadTfjsLayersModel(join(directory, artifactFiles.actorModel));
    const tfjsLogits = tf.tidy(() => (tfjsModel.predict(tf.tensor2d(inputs, [batch, inputSize])) as tf.Tensor).dataSync());
    tfjsModel.dispose();
    const session = await onnxRuntime.InferenceSession.create(join(directory, artifactFiles.actorOnnx));
    const onnxLogits = (await session.run({ features: new onnxRuntime.Tensor('float32', inputs, [batch, inputSize]) })).logits!.data as Float32Array;
    await session.release();
    const artifact = await loadModelArtifact(directory);
    const candidates: Record<string, (row: number) => ArrayLike<number>> = {
      tfjs: (row) => tfjsLogits.subarray(row * space.totalLogits, (row + 1) * space.totalLogits),
      'onnxruntime-node': (row) => onnxLogits.subarray(row * space.totalLogits, (row + 1) * space.totalLogits),
    };
    for (const kind of isWasmSimdAvailable() ? (['typescript', 'wasm-simd'] as const) : (['typescript'] as const)) {
      const runtime = createDenseRuntime(artifact.actor, { maxBatch: batch, prefer: kind });
      runtime.input.set(inputs);
      runtime.run(batch);
      const output = runtime.output.slice();
      candidates[`policy ${kind}`] = (row) => output.subarray(row * runtime.outputStride, row * runtime.outputStride + space.totalLogits);
    }
    const parity = Object.entries(candidates).map(([name, logitsOf]) => {
      let largest = 0;
      let sameActions = 0;
      for (let row = 0; row < batch; row += 1) {
        const logits = logitsOf(row);
        for (let column = 0; column < space.totalLogits; column += 1) largest = Math.max(largest, Math.abs(logits[column]! - reference[row * space.totalLogits + column]!));
        if (greedy(space, logits, 0) === greedy(space, reference, row * space.totalLogits)) sameActions += 1;
      }
      return { name, largestAbsoluteDifference: largest, sameGreedyActions: sameActions, inputs: batch };
    });

    console.log(`actor ${inputSize} → 256 → 128 → ${space.totalLogits}, critic ${inputSize} → 256 → 128 → 1`);
    console.log('\n| step | median of 5 (ms) |\n|---|---:|');
    console.log(`| writeTrainedModelArtifact (manifest, weights, tfjs JSON, ONNX) | ${writeMilliseconds.toFixed(1)} |`);
    console.log(`| loadTrainedModelArtifact (all checks) | ${loadMilliseconds.toFixed(1)} |`);
    console.log(`| policy loadModelArtifact | ${policyLoadMilliseconds.toFixed(1)} |`);
    console.log('\n| file | bytes |\n|---|---:|');
    for (const [file, size] of Object.entries(sizes)) console.log(`| ${file} | ${size} |`);
    console.log('\n| forward pass vs float64 reference | max abs logit difference | same greedy action |\n|---|---:|---:|');
    for (const row of parity) console.log(`| ${row.name} | ${row.largestAbsoluteDifference.toExponential(2)} | ${row.sameGreedyActions} / ${row.inputs} |`);
    console.log('\nTimes on a shared 2-core machine: noisy.');
    const resultsDirectory = join(packageDirectory, '..', '..', 'bench-results');
    mkdirSync(resultsDirectory, { recursive: true });
    writeFileSync(
      join(resultsDirectory, 'learning-trainer-artifact.json'),
      `${JSON.stringify({ createdAt: new Date().toISOString(), writeMilliseconds, loadMilliseconds, policyLoadMilliseconds, sizes, parity }, null, 2)}\n`,
    );
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
