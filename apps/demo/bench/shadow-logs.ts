/**
 * Shadow logs of the rules for the learning benchmarks: `count` sessions of a world simulated through `createLearning`
 * in shadow mode (the rules act with ε = 0.3 and exact propensities), cached under the OS temp dir per world content,
 * seed, size, task inference and exploration (a fingerprint of what `inferTaskContext` makes of the world's tasks and
 * of the rules' explored actions on them), so a change of the world, the inference or the rules never reuses stale
 * logs.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createLearning, DefaultLearningRuntime } from '@orchestra/learning';
import { createRng } from '@orchestra/learning-features';
import { checkExplorationDesign, RulesPolicy, type ExplorationDesign } from '@orchestra/learning-policy';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { builtInWorld, builtInWorldNames, parseWorld, runSession, sampleSystem, sampleTask, type BuiltInWorldName, type World } from '@orchestra/learning-sim';
import type { Experience } from '@orchestra/learning-types';

/** A built-in world's name, or a world file (e.g. one `pnpm bench:learning` generated): the world and its name. */
export async function benchWorld(argument: string): Promise<{ world: World; worldName: string }> {
  const builtIn = (builtInWorldNames as readonly string[]).includes(argument);
  const worldName = builtIn ? argument : basename(argument, '.json');
  const world = builtIn ? builtInWorld(argument as BuiltInWorldName) : parseWorld(JSON.parse(await readFile(argument, 'utf8')));
  return { world, worldName };
}

/**
 * The exploration design a bench's `--exploration-design one|factorial` and `--switch-probability Q` name (the demo's
 * flags; `ExplorationDesign` of the policy package); undefined: the default, one alternative.
 */
export function benchExplorationDesign(design: string | undefined, switchProbability: string | undefined): ExplorationDesign | undefined {
  if (design === undefined || design === 'one') return undefined;
  if (design !== 'factorial') throw new RangeError(`--exploration-design expects one or factorial, got ${design}`);
  return checkExplorationDesign({ share: 1, switchProbability: Number(switchProbability ?? '0.35') });
}

/** The rules' shadow logs of `count` sessions of `world` with `seed` (cached, see the module comment). */
export async function shadowLogs(world: World, worldName: string, seed: number, count: number, design?: ExplorationDesign): Promise<Experience[]> {
  const cacheDirectory = join(tmpdir(), 'orchestra-offline-learner');
  const probeRandom = createRng(7);
  const probe = Array.from({ length: 50 }, () => {
    const task = sampleTask(world, probeRandom);
    return inferTaskContext({ description: task.description, files: task.files }).context;
  });
  // The rules' explored actions on the probe too, so a change of the rules or of their exploration is a new cache.
  const explorer = new RulesPolicy({ config: { epsilon: 1, seed: 7, ...(design === undefined ? {} : { explorationDesign: design }) } });
  const explored = probe.map((context) => explorer.decide({ context, system: { concurrentTasks: 1, load: 0.3, agentAvailability: {} } }));
  const fingerprint = createHash('sha256').update(JSON.stringify(world)).update(JSON.stringify(probe)).update(JSON.stringify(explored)).digest('hex').slice(0, 16);
  const cache = join(cacheDirectory, `${worldName}-${seed}-${count}-${fingerprint}.json`);
  if (existsSync(cache)) return JSON.parse(await readFile(cache, 'utf8')) as Experience[];
  const dataDir = await mkdtemp(join(tmpdir(), 'offline-learner-logs-'));
  const runtime = new DefaultLearningRuntime({ seed, latencyBudgetMs: 1000, exploration: { shadow: 0.3, ab_test: 0.3, production: 0 }, ...(design === undefined ? {} : { explorationDesign: design }) });
  const learning = await createLearning({ cwd: dataDir, env: {}, dataDir, runtime, config: { seed, exploration: 0.3, reloadIntervalMs: 0 } });
  await learning.setMode('shadow');
  const taskRandom = createRng(seed);
  const sessionRandom = createRng((seed + 0x9e3779b9) >>> 0);
  const experiences: Experience[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const task = sampleTask(world, taskRandom);
      const system = sampleSystem(world, taskRandom);
      const decision = learning.decide({ description: task.description, files: task.files, system, sessionId: `offline-${seed}-${index}` });
      const simulated = runSession(world, task, decision.action, sessionRandom, { system, sessionId: decision.sessionId });
      const result = await learning.record(simulated.session, decision, { outcome: simulated.outcome });
      if (result.experience !== null) experiences.push(result.experience);
    }
  } finally {
    await learning.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(cacheDirectory, { recursive: true });
  // Written whole, then renamed: a bench running beside this one never reads a half-written cache.
  const partial = `${cache}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(experiences));
  await rename(partial, cache);
  return experiences;
}

