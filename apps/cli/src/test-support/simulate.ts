import { createLearning } from '@orchestra/learning';
import { createRng } from '@orchestra/learning-features';
import { defaultWorld, runSession, sampleTask } from '@orchestra/learning-sim';

/** Fills a data dir with `count` simulated shadow-mode sessions (rules with exploration), as an orchestrator would. */
export async function simulateShadowSessions(cwd: string, dataDir: string, count: number, seed = 5): Promise<void> {
  const learning = await createLearning({ cwd, env: {}, dataDir, mode: 'shadow', config: { reloadIntervalMs: 0, seed, exploration: 0.3 } });
  const random = createRng(seed);
  try {
    for (let index = 0; index < count; index += 1) {
      const task = sampleTask(defaultWorld, random);
      const decision = learning.decide({ description: task.description, files: task.files, sessionId: `sim-${seed}-${index}` });
      const simulated = runSession(defaultWorld, task, decision.action, random, { sessionId: decision.sessionId });
      await learning.record(simulated.session, { ...decision, system: simulated.system }, { outcome: simulated.outcome });
    }
  } finally {
    await learning.close();
  }
}
