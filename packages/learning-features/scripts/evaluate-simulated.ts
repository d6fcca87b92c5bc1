/**
 * Accuracy of every inferred field (task type, complexity, risk, number of domains, primary domain, and the whole
 * task kind) on tasks drawn from the simulator's built-in worlds, which know the truth behind each text.
 * Run: `pnpm --filter @orchestra/learning-features eval:sim` (after building the workspace; seeded: 3,000 tasks per
 * world). The simulator is read from its sources (no package dependency: it depends on this package).
 */
import { builtInWorldNames, builtInWorlds } from '../../learning-sim/src/built-in-worlds';
import { sampleTask } from '../../learning-sim/src/task-sampler';
import { createRng } from '../src/random';
import { scoreInferredFields, type LabelledTask } from '../src/evaluation/simulated-tasks';

const perWorld = 3_000;
const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;
console.log(`# Inferred fields vs the simulator's truth (${perWorld} seeded tasks per built-in world)\n`);
console.log('| world | task type | complexity (majority) | risk (majority) | domain count | primary domain | whole kind |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const worlds = builtInWorlds();
for (const name of builtInWorldNames) {
  const random = createRng(2026);
  const tasks: LabelledTask[] = Array.from({ length: perWorld }, () => sampleTask(worlds[name], random));
  const result = scoreInferredFields(tasks);
  console.log(
    `| ${name} | ${percent(result.taskType)} | ${percent(result.complexity)} (${percent(result.majority.complexity)}) | ${percent(result.risk)} (${percent(result.majority.risk)}) | ${percent(result.domainCount)} | ${percent(result.primaryDomain)} | ${percent(result.kind)} |`,
  );
  if (process.argv.includes('--matrices')) console.log(JSON.stringify({ complexity: result.complexityMatrix, risk: result.riskMatrix }));
}
