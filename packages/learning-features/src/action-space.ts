import { createHash } from 'node:crypto';
import {
  ValidationError,
  agentRoles,
  approaches,
  retryStrategies,
  safetyLevels,
  validate,
  type Action,
  type AgentRole,
} from '@orchestra/learning-types';
import { z } from 'zod';
import { defaultModelCatalog, modelCatalogSchema, type ModelCatalog } from './model-catalog';
import type { RandomSource } from './random';
import { bestAllowedChoice } from './best-allowed-choice';

/** Version of the action-space layout; part of `ActionSpace.hash`. */
export const ACTION_SPACE_VERSION = 1;

/** The heads of the factorised action space, in decision order. */
export const actionHeadNames = [
  'approach',
  'parallelism',
  'timeout',
  'retry',
  'safety',
  'team',
  'model_architect',
  'model_executor',
  'model_auditor',
  'model_consultant',
] as const;
/** Name of one action head. */
export type ActionHeadName = (typeof actionHeadNames)[number];

/** The timeout-multiplier bins: 0.5 to 2.0 in steps of 0.25. */
export const timeoutMultiplierBins: readonly number[] = Object.freeze([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);

/** The optional roles of the `team` head: bit i of a team index means `teamRoles[i]` joins the executor. */
export const teamRoles = ['architect', 'auditor', 'consultant'] as const satisfies readonly AgentRole[];

/** Approaches under which more than one parallel worker makes sense. */
export const parallelApproaches = ['parallel', 'coordinated'] as const;

/** One head: its name, number of choices and a label per choice. */
export interface ActionHead {
  readonly name: ActionHeadName;
  readonly size: number;
  readonly labels: readonly string[];
}

const HEAD = Object.freeze(Object.fromEntries(actionHeadNames.map((name, index) => [name, index]))) as Readonly<
  Record<ActionHeadName, number>
>;
/** Head positions by name (`actionHeads.team` = 5), for hot loops that should not look names up. */
export const actionHeads = HEAD;

const modelHeadOfRole: Readonly<Record<AgentRole, number>> = {
  architect: HEAD.model_architect,
  executor: HEAD.model_executor,
  auditor: HEAD.model_auditor,
  consultant: HEAD.model_consultant,
};
/** Team bit of each model head's role (-1 for the executor, who is always present). */
const teamBitOfHead: readonly number[] = actionHeadNames.map((name) => {
  if (!name.startsWith('model_')) return -2;
  const role = name.slice('model_'.length);
  return (teamRoles as readonly string[]).indexOf(role);
});
const approachIndex: Readonly<Record<string, number>> = Object.fromEntries(approaches.map((value, index) => [value, index]));
const retryIndex: Readonly<Record<string, number>> = Object.fromEntries(retryStrategies.map((value, index) => [value, index]));
const safetyIndex: Readonly<Record<string, number>> = Object.fromEntries(safetyLevels.map((value, index) => [value, index]));
const parallelApproachIndices = new Set(parallelApproaches.map((approach) => approachIndex[approach] as number));

function teamLabel(bits: number): string {
  const members: string[] = ['executor'];
  teamRoles.forEach((role, bit) => {
    if ((bits & (1 << bit)) !== 0) members.push(role);
  });
  return members.join('+');
}

/** JSON form of an action space (stored in model manifests). */
export const actionSpaceJsonSchema = z.object({
  version: z.literal(ACTION_SPACE_VERSION),
  catalog: modelCatalogSchema,
  heads: z.array(z.object({ name: z.enum(actionHeadNames), size: z.number().int().positive(), labels: z.array(z.string()) })),
  hash: z.string().optional(),
});
/** JSON form of an action space. */
export type ActionSpaceJson = z.infer<typeof actionSpaceJsonSchema>;

function invalidAction(path: string, message: string, value: unknown): ValidationError {
  return new ValidationError({ what: 'Action', issues: [{ path, message }], value });
}

/**
 * The factorised discrete action space: one categorical head per decision (approach, parallelism, timeout bin,
 * retry, safety, team, and a model per role from a `ModelCatalog`). Maps `Action` ↔ one index per head, masks
 * invalid combinations, and computes log-probabilities from a flat logits vector (`offsets[h]` … `+ heads[h].size`).
 *
 * Conventions: a model head of a role not in the team is inactive (it does not count in probabilities) and holds
 * the executor's model index. Sampling, argmax and `logProbability` allocate nothing.
 */
export class ActionSpace {
  /** The catalog the model heads choose from, in choice order. */
  readonly catalog: ModelCatalog;
  /** The heads in decision order. */
  readonly heads: readonly ActionHead[];
  /** `offsets[h]`: start of head h in a flat logits vector. */
  readonly offsets: readonly number[];
  /** Length of a flat logits vector (sum of head sizes). */
  readonly totalLogits: number;
  /** Hex SHA-256 of the JSON form: two spaces with equal hashes encode actions identically. */
  readonly hash: string;

  private readonly modelIndex: ReadonlyMap<string, number>;
  private readonly scratchMask: Uint8Array;

  constructor(catalog: ModelCatalog = defaultModelCatalog) {
    this.catalog = validate(modelCatalogSchema, catalog, 'ModelCatalog');
    const modelLabels = this.catalog.models.map((model) => model.id);
    const heads: ActionHead[] = actionHeadNames.map((name) => {
      switch (name) {
        case 'approach':
          return { name, size: approaches.length, labels: [...approaches] };
        case 'parallelism':
          return { name, size: 4, labels: ['1', '2', '3', '4'] };
        case 'timeout':
          return { name, size: timeoutMultiplierBins.length, labels: timeoutMultiplierBins.map((bin) => bin.toFixed(2)) };
        case 'retry':
          return { name, size: retryStrategies.length, labels: [...retryStrategies] };
        case 'safety':
          return { name, size: safetyLevels.length, labels: [...safetyLevels] };
        case 'team':
          return { name, size: 1 << teamRoles.length, labels: Array.from({ length: 1 << teamRoles.length }, (_, bits) => teamLabel(bits)) };
        default:
          return { name, size: modelLabels.length, labels: [...modelLabels] };
      }
    });
    this.heads = Object.freeze(heads.map((head) => Object.freeze({ ...head, labels: Object.freeze(head.labels) })));
    const offsets: number[] = [];
    let total = 0;
    for (const head of heads) {
      offsets.push(total);
      total += head.size;
    }
    this.offsets = Object.freeze(offsets);
    this.totalLogits = total;
    this.modelIndex = new Map(modelLabels.map((id, index) => [id, index]));
    this.scratchMask = new Uint8Array(Math.max(...heads.map((head) => head.size)));
    this.hash = createHash('sha256').update(JSON.stringify(this.toJSONWithoutHash())).digest('hex');
  }

  /** Position of a head by name; throws `RangeError` for an unknown name. */
  headIndex(name: string): number {
    const index = (HEAD as Record<string, number | undefined>)[name];
    if (index === undefined) throw new RangeError(`ActionSpace: unknown head ${JSON.stringify(name)}; heads: ${actionHeadNames.join(', ')}`);
    return index;
  }

  /** Index of a model id in the catalog, or -1. */
  modelIndexOf(modelId: string): number {
    return this.modelIndex.get(modelId) ?? -1;
  }

  /**
   * One index per head for `action`. The timeout multiplier goes to the nearest bin; model heads of roles not in
   * the team get the executor's model index. Throws `ValidationError` for a model id not in the catalog or a
   * missing executor model. Writes into `out` when given.
   */
  encode(action: Action, out: Int32Array = new Int32Array(actionHeadNames.length)): Int32Array {
    const approach = approachIndex[action.approach];
    const retry = retryIndex[action.retryStrategy];
    const safety = safetyIndex[action.safetyLevel];
    if (approach === undefined) throw invalidAction('approach', `unknown approach ${JSON.stringify(action.approach)}`, action);
    if (retry === undefined) throw invalidAction('retryStrategy', `unknown retry strategy ${JSON.stringify(action.retryStrategy)}`, action);
    if (safety === undefined) throw invalidAction('safetyLevel', `unknown safety level ${JSON.stringify(action.safetyLevel)}`, action);
    out[HEAD.approach] = approach;
    out[HEAD.parallelism] = Math.min(4, Math.max(1, Math.round(action.parallelism))) - 1;
    const bin = Math.round((action.timeoutMultiplier - timeoutMultiplierBins[0]!) / 0.25);
    out[HEAD.timeout] = Math.min(timeoutMultiplierBins.length - 1, Math.max(0, Number.isFinite(bin) ? bin : 2));
    out[HEAD.retry] = retry;
    out[HEAD.safety] = safety;
    let team = 0;
    teamRoles.forEach((role, bit) => {
      if (action.agents.includes(role)) team |= 1 << bit;
    });
    out[HEAD.team] = team;
    const executorModel = action.models.executor;
    const executorIndex = executorModel === undefined ? -1 : this.modelIndexOf(executorModel);
    if (executorIndex < 0) {
      throw invalidAction('models.executor', `model ${JSON.stringify(executorModel)} is not in the catalog (${[...this.modelIndex.keys()].join(', ')})`, action);
    }
    for (const role of agentRoles) {
      const head = modelHeadOfRole[role];
      const modelId = action.models[role];
      if (role === 'executor' || !action.agents.includes(role)) {
        out[head] = executorIndex;
        continue;
      }
      const index = modelId === undefined ? -1 : this.modelIndexOf(modelId);
      if (index < 0) {
        throw invalidAction(`models.${role}`, `model ${JSON.stringify(modelId)} is not in the catalog (${[...this.modelIndex.keys()].join(', ')})`, action);
      }
      out[head] = index;
    }
    return out;
  }

  /** The `Action` of one index per head (agents in `agentRoles` order, models only for agents present). */
  decode(indices: ArrayLike<number>, skills: readonly string[] = []): Action {
    this.checkIndices(indices);
    const team = indices[HEAD.team]!;
    const agents = agentRoles.filter((role) => role === 'executor' || (team & (1 << (teamRoles as readonly string[]).indexOf(role))) !== 0);
    const models: Partial<Record<AgentRole, string>> = {};
    for (const role of agents) models[role] = this.catalog.models[indices[modelHeadOfRole[role]]!]!.id;
    return {
      skills: [...skills],
      agents,
      approach: approaches[indices[HEAD.approach]!]!,
      parallelism: indices[HEAD.parallelism]! + 1,
      timeoutMultiplier: timeoutMultiplierBins[indices[HEAD.timeout]!]!,
      retryStrategy: retryStrategies[indices[HEAD.retry]!]!,
      safetyLevel: safetyLevels[indices[HEAD.safety]!]!,
      models,
    };
  }

  /** Whether head `head` counts for `indices`: model heads only when their role is in the team. */
  isHeadActive(head: number, indices: ArrayLike<number>): boolean {
    const bit = teamBitOfHead[head];
    if (bit === undefined || bit < 0) return true;
    return ((indices[HEAD.team] ?? 0) & (1 << bit)) !== 0;
  }

  /** Which heads count for `indices` (model heads of absent roles do not). Writes into `out` when given. */
  activeHeads(indices: ArrayLike<number>, out: boolean[] = new Array<boolean>(actionHeadNames.length)): boolean[] {
    for (let head = 0; head < actionHeadNames.length; head += 1) out[head] = this.isHeadActive(head, indices);
    return out;
  }

  /**
   * Valid choices of `head` given the earlier heads in `indices` (1 = valid): parallelism > 1 only with an approach
   * in `parallelApproaches`; every other choice is always valid. Writes `heads[head].size` bytes into `out`.
   */
  mask(head: number | ActionHeadName, indices: ArrayLike<number>, out: Uint8Array): Uint8Array {
    const position = typeof head === 'number' ? head : this.headIndex(head);
    const size = this.heads[position]?.size;
    if (size === undefined) throw new RangeError(`ActionSpace.mask: head ${head} out of range`);
    if (out.length < size) throw new RangeError(`ActionSpace.mask: out has length ${out.length}, head ${this.heads[position]!.name} needs ${size}`);
    out.fill(1, 0, size);
    if (position === HEAD.parallelism && !parallelApproachIndices.has(indices[HEAD.approach] ?? 0)) out.fill(0, 1, size);
    return out;
  }

  /** Whether every index is in range and allowed by the masks. */
  isValid(indices: ArrayLike<number>): boolean {
    for (let head = 0; head < this.heads.length; head += 1) {
      const index = indices[head];
      if (index === undefined || !Number.isInteger(index) || index < 0 || index >= this.heads[head]!.size) return false;
      if (this.mask(head, indices, this.scratchMask)[index] !== 1) return false;
    }
    return true;
  }

  /**
   * log π(indices) = Σ over active heads of the masked log-softmax of that head's logits at its index.
   * A masked-out choice gives -Infinity. `logits` has `totalLogits` entries.
   */
  logProbability(indices: ArrayLike<number>, logits: ArrayLike<number>): number {
    let total = 0;
    for (let head = 0; head < this.heads.length; head += 1) {
      if (!this.isHeadActive(head, indices)) continue;
      const size = this.heads[head]!.size;
      const offset = this.offsets[head]!;
      const chosen = indices[head]!;
      const mask = this.mask(head, indices, this.scratchMask);
      if (chosen < 0 || chosen >= size || mask[chosen] !== 1) return Number.NEGATIVE_INFINITY;
      let maximum = Number.NEGATIVE_INFINITY;
      for (let choice = 0; choice < size; choice += 1) {
        if (mask[choice] === 1 && logits[offset + choice]! > maximum) maximum = logits[offset + choice]!;
      }
      let sum = 0;
      for (let choice = 0; choice < size; choice += 1) {
        if (mask[choice] === 1) sum += Math.exp(logits[offset + choice]! - maximum);
      }
      total += logits[offset + chosen]! - maximum - Math.log(sum);
    }
    return total;
  }

  /**
   * Samples one index per head from the masked softmax of `logits`, head by head (so masks see earlier choices),
   * into `outIndices`; returns the log-probability of the sampled action (over active heads). Allocation-free.
   */
  sample(logits: ArrayLike<number>, random: RandomSource, outIndices: Int32Array): number {
    return this.choose(logits, random, outIndices);
  }

  /** The most probable valid index per head into `outIndices`; returns its log-probability. Allocation-free. */
  argmax(logits: ArrayLike<number>, outIndices: Int32Array): number {
    return this.choose(logits, undefined, outIndices);
  }

  private choose(logits: ArrayLike<number>, random: RandomSource | undefined, outIndices: Int32Array): number {
    if (logits.length < this.totalLogits) {
      throw new RangeError(`ActionSpace: logits has length ${logits.length}, expected ${this.totalLogits}`);
    }
    if (outIndices.length < this.heads.length) {
      throw new RangeError(`ActionSpace: outIndices has length ${outIndices.length}, expected ${this.heads.length}`);
    }
    let total = 0;
    for (let head = 0; head < this.heads.length; head += 1) {
      // Model heads come after the team head, so whether they are active is already known here.
      if (!this.isHeadActive(head, outIndices)) continue;
      const size = this.heads[head]!.size;
      const offset = this.offsets[head]!;
      const mask = this.mask(head, outIndices, this.scratchMask);
      const best = bestAllowedChoice(logits, offset, size, mask);
      const maximum = best < 0 ? Number.NEGATIVE_INFINITY : logits[offset + best]!;
      let sum = 0;
      for (let choice = 0; choice < size; choice += 1) {
        if (mask[choice] === 1) sum += Math.exp(logits[offset + choice]! - maximum);
      }
      let chosen = best;
      if (random !== undefined) {
        let threshold = random.next() * sum;
        for (let choice = 0; choice < size; choice += 1) {
          if (mask[choice] !== 1) continue;
          chosen = choice;
          threshold -= Math.exp(logits[offset + choice]! - maximum);
          if (threshold < 0) break;
        }
      }
      outIndices[head] = chosen;
      total += logits[offset + chosen]! - maximum - Math.log(sum);
    }
    const executorModel = outIndices[HEAD.model_executor]!;
    for (let head = 0; head < this.heads.length; head += 1) {
      if (!this.isHeadActive(head, outIndices)) outIndices[head] = executorModel;
    }
    return total;
  }

  private checkIndices(indices: ArrayLike<number>): void {
    if (indices.length < this.heads.length) {
      throw new RangeError(`ActionSpace: expected ${this.heads.length} indices, got ${indices.length}`);
    }
    for (let head = 0; head < this.heads.length; head += 1) {
      const index = indices[head]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.heads[head]!.size) {
        throw new RangeError(`ActionSpace: index ${index} of head ${this.heads[head]!.name} is outside [0, ${this.heads[head]!.size})`);
      }
    }
  }

  private toJSONWithoutHash(): Omit<ActionSpaceJson, 'hash'> {
    return {
      version: ACTION_SPACE_VERSION,
      catalog: { models: this.catalog.models.map((model) => ({ ...model })) },
      heads: this.heads.map((head) => ({ name: head.name, size: head.size, labels: [...head.labels] })),
    };
  }

  /** JSON form: `{ version, catalog, heads, hash }`. */
  toJSON(): ActionSpaceJson {
    return { ...this.toJSONWithoutHash(), hash: this.hash };
  }

  /**
   * Rebuilds an action space from `toJSON()` output. Throws `ValidationError` when the JSON is malformed, its heads
   * are not the layout this version builds from its catalog, or its hash does not match.
   */
  static fromJSON(json: unknown): ActionSpace {
    const parsed = validate(actionSpaceJsonSchema, json, 'ActionSpace');
    const space = new ActionSpace(parsed.catalog);
    const expectedHeads = JSON.stringify(space.toJSONWithoutHash().heads);
    if (JSON.stringify(parsed.heads) !== expectedHeads) {
      throw new ValidationError({
        what: 'ActionSpace',
        issues: [{ path: 'heads', message: 'heads differ from the layout this package version builds from the catalog' }],
        value: json,
      });
    }
    if (parsed.hash !== undefined && parsed.hash !== space.hash) {
      throw new ValidationError({ what: 'ActionSpace', issues: [{ path: 'hash', message: `hash ${parsed.hash} does not match ${space.hash}` }], value: json });
    }
    return space;
  }
}
