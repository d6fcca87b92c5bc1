import { describe, expect, it } from 'vitest';
// The simulator is read from its sources: @orchestra/learning-sim depends on this package, so a package dependency
// the other way would be a cycle. Test and evaluation code only; nothing shipped imports it.
import { builtInWorlds } from '../../../learning-sim/src/built-in-worlds';
import { sampleTask } from '../../../learning-sim/src/task-sampler';
import { createRng } from '../random';
import { scoreInferredFields, type LabelledTask } from './simulated-tasks';

// A slice of `pnpm eval:sim` (1,000 seeded tasks of the default world instead of 3,000 per world). The floors sit a
// few points under the full run (README); the majority class is the baseline each field must clearly beat.
describe('inferred fields on the simulator’s default world', () => {
  const random = createRng(11);
  const tasks: LabelledTask[] = Array.from({ length: 1_000 }, () => sampleTask(builtInWorlds().default, random));
  const result = scoreInferredFields(tasks);

  it('gets complexity and risk right well above the majority class, from text, files and their count', () => {
    expect(result.tasks).toBe(1_000);
    expect(result.complexity).toBeGreaterThan(0.78);
    expect(result.complexity).toBeGreaterThan(result.majority.complexity + 0.3);
    expect(result.risk).toBeGreaterThan(0.62);
    expect(result.risk).toBeGreaterThan(result.majority.risk + 0.15);
    // High risk is never read as low, nor complex as simple.
    expect(result.riskMatrix.high!.low).toBeLessThan(10);
    expect(result.complexityMatrix.complex!.simple).toBeLessThan(10);
  });

  it('gets the task type, the domains and the whole task kind right more often than not', () => {
    expect(result.taskType).toBeGreaterThan(0.74);
    expect(result.primaryDomain).toBeGreaterThan(0.85);
    expect(result.domainCount).toBeGreaterThan(0.7);
    expect(result.kind).toBeGreaterThan(0.32);
  });
});
