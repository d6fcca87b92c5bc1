/**
 * The minimal orchestrator loop with `@orchestra/learning`: decide how to run a task, run it, record the session.
 *
 *   npm install @orchestra/learning
 *   node --import tsx orchestrator-loop.ts [dataDir]      # experiences go to <dataDir> (default ./data)
 */
import { createLearning, OrchestratorIntegration, type LearningDecision } from '@orchestra/learning';

const tasks = [
  { description: 'fix: login crashes when the password is empty', files: ['src/auth/login.ts'] },
  { description: 'Add rate limiting to the /login endpoint', files: ['src/api/login.ts', 'src/api/middleware.ts'] },
  { description: 'docs: explain the retry settings in the README', files: ['README.md'] },
];

/** Your orchestrator: runs every agent the decision chose on the model it chose, reporting each call. */
function runTask(decision: LearningDecision, rateLimited: boolean): OrchestratorIntegration {
  const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
  for (const agent of decision.action.agents) {
    const step = tracker.stepStarted({ agent });
    const model = decision.action.models[agent] ?? 'glm-4.7';
    if (rateLimited && agent === 'executor') {
      tracker.modelAttempt(step, { model, tokens: 800, latencyMs: 600, costUsd: 0.01, success: false, errorCode: 'RATE_LIMIT_429' });
      tracker.fallbackRotation(step, { from: model, to: 'kimi-k2.5' });
      tracker.modelAttempt(step, { model: 'kimi-k2.5', tokens: 1400, latencyMs: 2100, costUsd: 0.03, success: true });
    } else {
      tracker.modelAttempt(step, { model, tokens: 1200, latencyMs: 1500, costUsd: 0.02, success: true });
    }
    tracker.stepEnded(step, 'completed');
  }
  return tracker;
}

// Shadow mode: the rules decide (with a little exploration) and every session is recorded for training.
const learning = await createLearning({ dataDir: process.argv[2] ?? './data', mode: 'shadow', config: { reloadIntervalMs: 0 } });
try {
  for (const [index, task] of tasks.entries()) {
    const decision = learning.decide(task); // 1. decide
    const tracker = runTask(decision, index === 1); // 2. run (your orchestrator)
    const { experience, reward } = await learning.record(tracker.finish(), decision); // 3. record
    console.log(
      `task ${index + 1}: ${decision.context.taskType} via ${decision.source}, agents ${decision.action.agents.join('+')},` +
        ` reward ${reward}, stored ${experience === null ? 'no' : 'yes'}`,
    );
  }
  console.log(`mode ${learning.mode}`);
} finally {
  await learning.close();
}
