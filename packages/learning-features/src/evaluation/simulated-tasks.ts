import { complexities, riskLevels, type TaskContext } from '@orchestra/learning-types';
import { inferTaskContext, type InferTaskContextOptions } from '../inference/infer-task-context';

/** A task as the simulator (`@orchestra/learning-sim`'s `sampleTask`) draws it: the text and files, and the truth. */
export interface LabelledTask {
  description: string;
  files: readonly string[];
  trueContext: TaskContext;
}

/** How often each inferred field matches the truth on a set of tasks. */
export interface FieldAccuracy {
  tasks: number;
  taskType: number;
  complexity: number;
  risk: number;
  /** Number of domains (1, 2, 3+ as the simulator's kind counts them). */
  domainCount: number;
  primaryDomain: number;
  /** Type × complexity × risk × number of domains all right: the task kind the demo's oracle keys on. */
  kind: number;
  /** Always answering the most common true value of the set (complexity, risk): the floor to beat. */
  majority: { complexity: number; risk: number };
  /** Confusion of complexity and risk: `matrix[true][inferred]`. */
  complexityMatrix: Record<string, Record<string, number>>;
  riskMatrix: Record<string, Record<string, number>>;
}

const domainBand = (count: number): number => Math.min(count, 3);

function majorityShare(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return values.length === 0 ? 0 : Math.max(...counts.values()) / values.length;
}

/** Runs `inferTaskContext` on every task's description and files and scores each field against the truth. */
export function scoreInferredFields(tasks: readonly LabelledTask[], options: InferTaskContextOptions = {}): FieldAccuracy {
  // Tasks whose inferred field is right.
  const right = { taskType: 0, complexity: 0, risk: 0, domainCount: 0, primaryDomain: 0, kind: 0 };
  const complexityMatrix = Object.fromEntries(complexities.map((actual) => [actual, Object.fromEntries(complexities.map((inferred) => [inferred, 0]))]));
  const riskMatrix = Object.fromEntries(riskLevels.map((actual) => [actual, Object.fromEntries(riskLevels.map((inferred) => [inferred, 0]))]));
  for (const task of tasks) {
    const inferred = inferTaskContext({ description: task.description, files: [...task.files] }, options).context;
    const truth = task.trueContext;
    const typeRight = inferred.taskType === truth.taskType;
    const complexityRight = inferred.complexity === truth.complexity;
    const riskRight = inferred.risk === truth.risk;
    const countRight = domainBand(inferred.domains.length) === domainBand(truth.domains.length);
    right.taskType += typeRight ? 1 : 0;
    right.complexity += complexityRight ? 1 : 0;
    right.risk += riskRight ? 1 : 0;
    right.domainCount += countRight ? 1 : 0;
    right.primaryDomain += inferred.domains[0] === truth.domains[0] ? 1 : 0;
    right.kind += typeRight && complexityRight && riskRight && countRight ? 1 : 0;
    complexityMatrix[truth.complexity]![inferred.complexity]! += 1;
    riskMatrix[truth.risk]![inferred.risk]! += 1;
  }
  const share = (count: number): number => (tasks.length === 0 ? 0 : count / tasks.length);
  return {
    tasks: tasks.length,
    ...(Object.fromEntries(Object.entries(right).map(([field, count]) => [field, share(count)])) as Record<keyof typeof right, number>),
    majority: { complexity: majorityShare(tasks.map((task) => task.trueContext.complexity)), risk: majorityShare(tasks.map((task) => task.trueContext.risk)) },
    complexityMatrix,
    riskMatrix,
  };
}
