import { createRng } from '@orchestra/learning-features';
import { taskContextSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from './default-world';
import { sampleTask } from './task-sampler';

describe('sampleTask', () => {
  it('is deterministic for a seed and yields valid contexts with text and file paths', () => {
    const first = createRng(21);
    const second = createRng(21);
    for (let index = 0; index < 200; index += 1) {
      const task = sampleTask(defaultWorld, first);
      expect(sampleTask(defaultWorld, second)).toEqual(task);
      expect(taskContextSchema.safeParse(task.trueContext).success).toBe(true);
      expect(task.description.length).toBeGreaterThan(10);
      expect(task.description).not.toMatch(/\{\w+\}/);
      expect(task.files.length).toBe(task.trueContext.fileCount);
      expect(new Set(task.files).size).toBe(task.files.length);
    }
  });

  it('follows the world weights: task-type shares, and more domains for complex tasks', () => {
    const rng = createRng(4);
    const count = 6000;
    const byType = new Map<string, number>();
    const domainsByComplexity: Record<'simple' | 'medium' | 'complex', [number, number]> = { simple: [0, 0], medium: [0, 0], complex: [0, 0] };
    for (let index = 0; index < count; index += 1) {
      const { trueContext } = sampleTask(defaultWorld, rng);
      byType.set(trueContext.taskType, (byType.get(trueContext.taskType) ?? 0) + 1);
      const entry = domainsByComplexity[trueContext.complexity];
      entry[0] += trueContext.domains.length;
      entry[1] += 1;
    }
    const totalWeight = Object.values(defaultWorld.tasks.typeWeights).reduce((sum, weight) => sum + weight, 0);
    for (const [type, weight] of Object.entries(defaultWorld.tasks.typeWeights)) {
      expect(Math.abs((byType.get(type) ?? 0) / count - weight / totalWeight)).toBeLessThan(0.02);
    }
    const mean = (key: keyof typeof domainsByComplexity) => domainsByComplexity[key][0] / domainsByComplexity[key][1];
    expect(mean('simple')).toBeLessThan(mean('medium'));
    expect(mean('medium')).toBeLessThan(mean('complex'));
  });

  it('writes risk into the text: high-risk tasks carry production/customer-data words', () => {
    const rng = createRng(9);
    let high = 0;
    let hinted = 0;
    for (let index = 0; index < 2000; index += 1) {
      const task = sampleTask(defaultWorld, rng);
      if (task.trueContext.risk !== 'high') continue;
      high += 1;
      if (/production|payments|customer data|live cluster/.test(task.description)) hinted += 1;
    }
    expect(high).toBeGreaterThan(100);
    expect(hinted).toBe(high);
  });
});
