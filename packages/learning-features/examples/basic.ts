/** Run: pnpm --filter @orchestra/learning-features example */
import {
  ActionSpace,
  HistoryIndex,
  Normalizer,
  createRng,
  defaultFeatureSchema,
  encodeState,
} from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';

// 1. What is this task? (type, domains, complexity, risk, time, skills — with confidence and evidence)
const inference = inferTaskContext({
  description: 'fix(auth): refresh token is not rotated after password reset',
  files: ['src/auth/refresh-token.ts', 'migrations/2026_11_add_token_family.sql'],
});
console.log(inference.context);
console.log('why:', inference.taskType.evidence.map((item) => `${item.source}:${item.text}`).join(', '));

// 2. Encode the state (allocation-free with a reused buffer) and standardise it.
const history = new HistoryIndex().summary(inference.context.taskType, inference.context.domains[0]!);
const state = new Float32Array(defaultFeatureSchema.size);
encodeState({ context: inference.context, history, system: { concurrentTasks: 2, load: 0.3, agentAvailability: {} } }, state);
const normalizer = new Normalizer(defaultFeatureSchema.size, { featureSchemaHash: defaultFeatureSchema.hash });
normalizer.update(state);
const input = normalizer.transform(state);
console.log(`state: ${defaultFeatureSchema.size} features, schema ${defaultFeatureSchema.hash.slice(0, 12)}…, first: ${input[0]}`);

// 3. Sample an action from (here: uniform) logits and decode it.
const space = new ActionSpace();
const logits = new Float32Array(space.totalLogits);
const indices = new Int32Array(space.heads.length);
const logProbability = space.sample(logits, createRng(42), indices);
console.log(space.decode(indices, inference.context.skills), 'propensity', Math.exp(logProbability).toExponential(3));
