import { timeoutMultiplierBins, teamRoles } from '@orchestra/learning-features';
import { approaches, retryStrategies, safetyLevels, type Action, type AgentRole } from '@orchestra/learning-types';
import type { World } from './world-schema';

/**
 * One point of the discrete action space, as head indices — the same heads and bins as the features package's
 * `ActionSpace`: approach, parallelism (1–4, > 1 only for parallel/coordinated), timeout bin (0.5…2.0 by 0.25),
 * retry, safety, team (bit i = `teamRoles[i]` joins the executor) and one model position per role.
 */
export interface ActionChoice {
  approach: number;
  parallelism: number;
  timeout: number;
  retry: number;
  safety: number;
  team: number;
  architect: number;
  executor: number;
  auditor: number;
  consultant: number;
}

/** Number of team subsets (architect, auditor, consultant each in or out). */
export const TEAM_COUNT = 1 << teamRoles.length;

/** Whether team bit `role` is set in `team`. */
export function teamHas(team: number, role: (typeof teamRoles)[number]): boolean {
  return (team & (1 << teamRoles.indexOf(role))) !== 0;
}

/** Turns head indices into an `Action` (models only for the roles in the team). */
export function choiceToAction(world: World, choice: ActionChoice): Action {
  const agents: AgentRole[] = ['executor'];
  const models: Action['models'] = { executor: world.models[choice.executor]!.id };
  for (const role of teamRoles) {
    if (!teamHas(choice.team, role)) continue;
    agents.push(role);
    models[role] = world.models[choice[role]]!.id;
  }
  return {
    skills: [],
    agents,
    approach: approaches[choice.approach]!,
    parallelism: choice.parallelism,
    timeoutMultiplier: timeoutMultiplierBins[choice.timeout]!,
    retryStrategy: retryStrategies[choice.retry]!,
    safetyLevel: safetyLevels[choice.safety]!,
    models,
  };
}

/** Number of distinct valid actions of the discrete space for `world`'s catalog (315,000 for four models). */
export function countActions(world: World): number {
  const modelCount = world.models.length;
  let teamModelCombinations = 0;
  for (let team = 0; team < TEAM_COUNT; team += 1) {
    let members = 0;
    for (const role of teamRoles) if (teamHas(team, role)) members += 1;
    teamModelCombinations += modelCount ** (members + 1);
  }
  const approachParallelism = approaches.reduce((sum, approach) => sum + (approach === 'parallel' || approach === 'coordinated' ? 4 : 1), 0);
  return approachParallelism * timeoutMultiplierBins.length * retryStrategies.length * safetyLevels.length * teamModelCombinations;
}

/** Walks `choice` over every timeout bin, retry strategy and safety level (heads every approach has), visiting each. */
export function forEachSetting(choice: ActionChoice, visit: (choice: ActionChoice) => void): void {
  for (let timeout = 0; timeout < timeoutMultiplierBins.length; timeout += 1) {
    choice.timeout = timeout;
    for (let retry = 0; retry < retryStrategies.length; retry += 1) {
      choice.retry = retry;
      for (let safety = 0; safety < safetyLevels.length; safety += 1) {
        choice.safety = safety;
        visit(choice);
      }
    }
  }
}

/**
 * Calls `visit` once per valid action of the discrete space (no allocation per action: the same `choice` object is
 * reused, copy it to keep it). Order: team and models outermost, then approach, parallelism, timeout, retry, safety.
 */
export function forEachActionChoice(world: World, visit: (choice: Readonly<ActionChoice>) => void): void {
  const modelCount = world.models.length;
  const choice: ActionChoice = { approach: 0, parallelism: 1, timeout: 0, retry: 0, safety: 0, team: 0, architect: 0, executor: 0, auditor: 0, consultant: 0 };
  for (let team = 0; team < TEAM_COUNT; team += 1) {
    choice.team = team;
    const architects = teamHas(team, 'architect') ? modelCount : 1;
    const auditors = teamHas(team, 'auditor') ? modelCount : 1;
    const consultants = teamHas(team, 'consultant') ? modelCount : 1;
    for (let executor = 0; executor < modelCount; executor += 1) {
      choice.executor = executor;
      for (let architect = 0; architect < architects; architect += 1) {
        choice.architect = architects === 1 ? executor : architect;
        for (let auditor = 0; auditor < auditors; auditor += 1) {
          choice.auditor = auditors === 1 ? executor : auditor;
          for (let consultant = 0; consultant < consultants; consultant += 1) {
            choice.consultant = consultants === 1 ? executor : consultant;
            for (let approach = 0; approach < approaches.length; approach += 1) {
              choice.approach = approach;
              const split = approaches[approach] === 'parallel' || approaches[approach] === 'coordinated';
              for (let parallelism = 1; parallelism <= (split ? 4 : 1); parallelism += 1) {
                choice.parallelism = parallelism;
                forEachSetting(choice, visit);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The world's models as a features-package `ModelCatalog` (same order), so that `new ActionSpace(worldCatalog(world))`
 * has exactly the model heads this world's actions use.
 */
export function worldCatalog(world: World): {
  models: Array<{ id: string; provider: string; tier: 'cheap' | 'mid' | 'expensive'; inputPricePer1kTokens: number; outputPricePer1kTokens: number }>;
} {
  return {
    models: world.models.map(({ id, provider, tier, inputPricePer1kTokens, outputPricePer1kTokens }) => ({
      id,
      provider,
      tier,
      inputPricePer1kTokens,
      outputPricePer1kTokens,
    })),
  };
}
