/**
 * Serve a trained model with `@orchestra/learning-policy` alone: no trainer, no tfjs, no native dependency.
 *
 *   npm install @orchestra/learning-policy
 *   node --import tsx decide-with-model.ts [modelDir]      # defaults to ../model (made by scripts/train-model.ts)
 */
import { fileURLToPath } from 'node:url';
import { LearnedPolicy, ModelArtifactError, PolicyRouter, type PolicyInput } from '@orchestra/learning-policy';

const modelDirectory = process.argv[2] ?? fileURLToPath(new URL('../model', import.meta.url));

const input: PolicyInput = {
  context: { taskType: 'security', domains: ['backend', 'security'], complexity: 'complex', risk: 'high', estimatedTimeMinutes: 90, skills: [] },
  system: { concurrentTasks: 2, load: 0.3 },
  sessionId: 'session-42',
};

// 1. Load the artifact: checksums, feature schema and action space are verified before anything runs.
try {
  const policy = await LearnedPolicy.load(modelDirectory, { selection: 'argmax' });
  const decision = policy.decide(input);
  console.log(`model ${policy.version} on the ${policy.runtimeKind} runtime`);
  console.log(`learned: ${decision.action.agents.join('+')}, ${decision.action.approach}, safety ${decision.action.safetyLevel}, propensity ${decision.propensity.toFixed(3)}`);
} catch (error) {
  // A missing, corrupt or incompatible artifact says which file or field is wrong.
  if (!ModelArtifactError.isInstance(error)) throw error;
  console.error(`cannot load ${modelDirectory}: ${error.reason} at ${error.location}`);
  process.exitCode = 1;
}

// 2. In an orchestrator, let the router serve it: production mode, rules as the fallback, never throws.
const router = new PolicyRouter({ mode: 'production' });
await router.loadModel(modelDirectory);
const routed = router.decide(input);
console.log(`router: ${routed.source} ${routed.policyVersion}, fallbacks ${JSON.stringify(router.statistics().fallbacks)}`);
