/**
 * Regenerates `model/` (the trained artifact the example loads): 400 simulated sessions decided by the rules in
 * shadow mode (with exploration, so the log supports off-policy learning), recorded, then trained offline.
 * Not part of the example: it needs the trainer and the simulator, which a production install does not.
 *
 *   pnpm --filter @orchestra/example-policy-only train-model
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLearning } from '@orchestra/learning';
import { createRng } from '@orchestra/learning-features';
import { defaultWorld, runSession, sampleTask } from '@orchestra/learning-sim';

const output = fileURLToPath(new URL('../model', import.meta.url));
const dataDir = await mkdtemp(join(tmpdir(), 'policy-only-training-'));
// The project's seeded generator: the same sessions, hence the same model, on every run.
const random = createRng(7);
const learning = await createLearning({ dataDir, mode: 'shadow', config: { reloadIntervalMs: 0, exploration: 0.3, seed: 7 } });
try {
  for (let index = 0; index < 400; index += 1) {
    const task = sampleTask(defaultWorld, random);
    const decision = learning.decide({ description: task.description, files: task.files, sessionId: `training-${index}` });
    const simulated = runSession(defaultWorld, task, decision.action, random, { system: decision.system, sessionId: decision.sessionId });
    await learning.record(simulated.session, decision, { outcome: simulated.outcome });
  }
  await rm(output, { recursive: true, force: true });
  // Small networks keep the committed artifact small (about 40 KB); the defaults are [256, 128].
  const trainerConfig = { actor: { hiddenSizes: [32] }, critic: { hiddenSizes: [32] } };
  const report = await learning.train({ output, epochs: 30, version: 'example-policy-1', trainerConfig });
  console.log(`wrote ${output}: ${report.epochs} epochs, beats rules: ${report.beatsRules}`);
} finally {
  await learning.close();
  await rm(dataDir, { recursive: true, force: true });
}
