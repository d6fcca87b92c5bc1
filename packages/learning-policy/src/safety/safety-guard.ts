import { ActionSpace, actionHeads, actionHeadNames, teamRoles, type ActionHeadName } from '@orchestra/learning-features';
import { validate, type Action } from '@orchestra/learning-types';
import { z } from 'zod';
import { ConstraintConfigurationError } from '../errors/constraint-configuration-error';
import { PolicyError } from '../errors/policy-error';
import type { PolicyInput } from '../policy';
import { canonicalizeIndices } from './action-indices';
import { defaultHardConstraints, hardConstraintSchema, type ConstraintCondition, type HardConstraint } from './hard-constraint';

/** What the guard did to an action: a choice ruled out of a distribution, an action repaired, or one rejected. */
export interface SafetyGuardEvent {
  readonly type: 'masked' | 'repaired' | 'rejected';
  /** The constraint responsible, or `action-space` for a choice the action space itself does not allow. */
  readonly constraintId: string;
  readonly head: ActionHeadName;
  /** Label of the offending choice. */
  readonly from: string;
  /** Label it was repaired to (repairs only). */
  readonly to?: string;
}

/** A hard constraint an action breaks: its id (or `action-space`), the head and the offending choice's label. */
export interface SafetyViolation {
  readonly constraintId: string;
  readonly head: ActionHeadName;
  readonly label: string;
}

/** Counts of guard events by constraint id. */
export interface SafetyGuardStatistics {
  readonly masked: Readonly<Record<string, number>>;
  readonly repaired: Readonly<Record<string, number>>;
  readonly rejected: Readonly<Record<string, number>>;
}

/** Options of `SafetyGuard`. */
export interface SafetyGuardOptions {
  readonly space?: ActionSpace;
  /** The hard constraints (default `defaultHardConstraints`); validated, and refused when they forbid every choice. */
  readonly constraints?: readonly HardConstraint[];
  /** Called for every masked, repaired or rejected choice (e.g. to log it). Errors it throws are swallowed. */
  readonly onEvent?: (event: SafetyGuardEvent) => void;
}

interface CompiledConstraint {
  readonly source: HardConstraint;
  readonly conditions: readonly ConstraintCondition[];
  readonly head: number;
  /** forbid: 1 = forbidden choice. */
  readonly forbidden: Uint8Array | null;
  readonly repairIndex: number;
  /** require-role: the team bit required. */
  readonly teamBit: number;
}

const maximumConstraints = 31;

function matches(condition: ConstraintCondition, input: PolicyInput): boolean {
  const { context, system } = input;
  if (condition.risk !== undefined && !condition.risk.includes(context.risk)) return false;
  if (condition.complexity !== undefined && !condition.complexity.includes(context.complexity)) return false;
  if (condition.taskType !== undefined && !condition.taskType.includes(context.taskType)) return false;
  if (condition.domain !== undefined && !context.domains.some((domain) => condition.domain!.includes(domain))) return false;
  if (condition.minLoad !== undefined && !(system.load >= condition.minLoad)) return false;
  return true;
}

/**
 * Enforces hard safety constraints that no learned action can override. Policies ask it which choices of a head
 * are allowed (`allowedChoices`: the action space's masks and every active constraint), so learned distributions
 * are masked before sampling; any action can be checked (`violations`) or repaired (`repair`, in head order, to
 * the constraint's `repairTo` or the nearest allowed choice). Every mask, repair and rejection is counted and
 * reported to `onEvent`.
 */
export class SafetyGuard {
  readonly space: ActionSpace;
  readonly constraints: readonly HardConstraint[];
  readonly #compiled: readonly CompiledConstraint[];
  readonly #onEvent: ((event: SafetyGuardEvent) => void) | undefined;
  readonly #counts = { masked: new Map<string, number>(), repaired: new Map<string, number>(), rejected: new Map<string, number>() };
  readonly #scratch: Uint8Array;

  constructor(options: SafetyGuardOptions = {}) {
    this.space = options.space ?? new ActionSpace();
    const constraints = validate(z.array(hardConstraintSchema).max(maximumConstraints), options.constraints ?? defaultHardConstraints, 'HardConstraint[]');
    this.constraints = Object.freeze(constraints);
    this.#onEvent = options.onEvent;
    this.#scratch = new Uint8Array(Math.max(...this.space.heads.map((head) => head.size)));
    this.#compiled = constraints.map((constraint) => this.#compile(constraint));
    this.#checkSatisfiable();
  }

  #compile(constraint: HardConstraint): CompiledConstraint {
    const conditions = Array.isArray(constraint.when) ? constraint.when : [constraint.when];
    if (constraint.kind === 'require-role') {
      return { source: constraint, conditions, head: actionHeads.team, forbidden: null, repairIndex: -1, teamBit: teamRoles.indexOf(constraint.role) };
    }
    const head = actionHeads[constraint.head];
    const labels = this.space.heads[head]!.labels;
    const forbidden = new Uint8Array(labels.length);
    for (const label of constraint.labels) {
      const index = labels.indexOf(label);
      if (index < 0) {
        throw new ConstraintConfigurationError({ constraintId: constraint.id, message: `head ${constraint.head} has no choice ${JSON.stringify(label)} (choices: ${labels.join(', ')})` });
      }
      forbidden[index] = 1;
    }
    const repairIndex = labels.indexOf(constraint.repairTo);
    if (repairIndex < 0 || forbidden[repairIndex] === 1) {
      throw new ConstraintConfigurationError({ constraintId: constraint.id, message: `repairTo ${JSON.stringify(constraint.repairTo)} must be an allowed choice of ${constraint.head}` });
    }
    return { source: constraint, conditions, head, forbidden, repairIndex, teamBit: -1 };
  }

  /** Refuses constraint sets that could leave a head with no allowed choice when all of them apply at once. */
  #checkSatisfiable(): void {
    for (let head = 0; head < this.space.heads.length; head += 1) {
      const size = this.space.heads[head]!.size;
      const union = new Uint8Array(size);
      let last: CompiledConstraint | undefined;
      for (const constraint of this.#compiled) {
        if (constraint.head !== head || constraint.forbidden === null) continue;
        last = constraint;
        for (let choice = 0; choice < size; choice += 1) union[choice] = union[choice]! | constraint.forbidden[choice]!;
      }
      if (last === undefined) continue;
      // Parallelism 1 is the only choice of approaches that are not parallel, so it can never be forbidden.
      const mustStay = head === actionHeads.parallelism ? union[0] === 1 : false;
      if (mustStay || union.every((value) => value === 1)) {
        throw new ConstraintConfigurationError({ constraintId: last.source.id, message: `together with the other constraints it forbids every choice of ${actionHeadNames[head]}` });
      }
    }
  }

  /** Bit set of the constraints that apply to `input` (bit i = `constraints[i]`). Cheap; call once per decision. */
  activeConstraints(input: PolicyInput): number {
    let active = 0;
    for (let index = 0; index < this.#compiled.length; index += 1) {
      const conditions = this.#compiled[index]!.conditions;
      for (let condition = 0; condition < conditions.length; condition += 1) {
        if (matches(conditions[condition]!, input)) {
          active |= 1 << index;
          break;
        }
      }
    }
    return active;
  }

  /**
   * Writes into `out` which choices of `head` are allowed given the earlier heads of `indices` (the action space's
   * mask and every active constraint) and returns how many are.
   */
  allowedChoices(head: number, indices: ArrayLike<number>, active: number, out: Uint8Array): number {
    this.space.mask(head, indices, out);
    const size = this.space.heads[head]!.size;
    if (active !== 0) {
      for (let index = 0; index < this.#compiled.length; index += 1) {
        if ((active & (1 << index)) === 0) continue;
        const constraint = this.#compiled[index]!;
        if (constraint.head !== head) continue;
        if (constraint.forbidden !== null) {
          for (let choice = 0; choice < size; choice += 1) if (constraint.forbidden[choice] === 1) out[choice] = 0;
        } else {
          for (let choice = 0; choice < size; choice += 1) if ((choice & (1 << constraint.teamBit)) === 0) out[choice] = 0;
        }
      }
    }
    let count = 0;
    for (let choice = 0; choice < size; choice += 1) count += out[choice]!;
    return count;
  }

  /** Id of the first active constraint that rules out `choice` of `head`, or `action-space` when only the space does. */
  responsibleConstraint(head: number, choice: number, active: number): string {
    for (let index = 0; index < this.#compiled.length; index += 1) {
      if ((active & (1 << index)) === 0) continue;
      const constraint = this.#compiled[index]!;
      if (constraint.head !== head) continue;
      if (constraint.forbidden !== null ? constraint.forbidden[choice] === 1 : (choice & (1 << constraint.teamBit)) === 0) return constraint.source.id;
    }
    return 'action-space';
  }

  /** The active constraints (or `action-space` for invalid combinations) that `indices` violates, with the head. */
  violations(indices: ArrayLike<number>, active: number): SafetyViolation[] {
    const found: SafetyViolation[] = [];
    for (let head = 0; head < this.space.heads.length; head += 1) {
      if (!this.space.isHeadActive(head, indices)) continue;
      const choice = indices[head]!;
      this.allowedChoices(head, indices, active, this.#scratch);
      if (this.#scratch[choice] !== 1) {
        found.push({ constraintId: this.responsibleConstraint(head, choice, active), head: actionHeadNames[head]!, label: this.space.heads[head]!.labels[choice] ?? String(choice) });
      }
    }
    return found;
  }

  /**
   * Repairs `indices` in place, head by head: a disallowed choice becomes the constraint's `repairTo` (for the team,
   * the team plus the required roles, who keep the model their head holds — the executor's in a canonical vector)
   * or else the nearest allowed choice. Returns the repairs made (empty when the action was safe) and reports each
   * as a `repaired` event, unless `silent` (used by exploration, whose dependent-head adjustments are not repairs).
   */
  repair(indices: Int32Array, active: number, options: { silent?: boolean } = {}): SafetyGuardEvent[] {
    let repairs: SafetyGuardEvent[] | undefined;
    for (let head = 0; head < this.space.heads.length; head += 1) {
      if (!this.space.isHeadActive(head, indices)) continue;
      const current = indices[head]!;
      const allowed = this.#scratch;
      const count = this.allowedChoices(head, indices, active, allowed);
      if (allowed[current] === 1) continue;
      if (count === 0) throw new PolicyError({ reason: 'no-valid-action', message: `no allowed choice for head ${actionHeadNames[head]}` });
      const constraintId = this.responsibleConstraint(head, current, active);
      let target = this.#preferredRepair(head, current, active);
      if (target < 0 || allowed[target] !== 1) target = nearestAllowed(allowed, this.space.heads[head]!.size, current);
      indices[head] = target;
      if (options.silent === true) continue;
      const labels = this.space.heads[head]!.labels;
      const event: SafetyGuardEvent = { type: 'repaired', constraintId, head: actionHeadNames[head]!, from: labels[current]!, to: labels[target]! };
      (repairs ??= []).push(event);
      this.record(event);
    }
    return repairs ?? [];
  }

  #preferredRepair(head: number, current: number, active: number): number {
    let team = current;
    for (let index = 0; index < this.#compiled.length; index += 1) {
      if ((active & (1 << index)) === 0) continue;
      const constraint = this.#compiled[index]!;
      if (constraint.head !== head) continue;
      if (constraint.forbidden !== null) {
        if (constraint.forbidden[current] === 1) return constraint.repairIndex;
      } else {
        team |= 1 << constraint.teamBit;
      }
    }
    return head === actionHeads.team ? team : -1;
  }

  /** Violations of `action` under the constraints that apply to `input` (empty when safe). */
  checkAction(action: Action, input: PolicyInput): SafetyViolation[] {
    return this.violations(this.space.encode(action), this.activeConstraints(input));
  }

  /** A safe version of `action` for `input` and the repairs made (an unchanged action when it was already safe). */
  repairAction(action: Action, input: PolicyInput): { action: Action; repairs: SafetyGuardEvent[] } {
    const indices = canonicalizeIndices(this.space, this.space.encode(action));
    const repairs = this.repair(indices, this.activeConstraints(input));
    canonicalizeIndices(this.space, indices);
    return { action: repairs.length === 0 ? action : this.space.decode(indices, action.skills), repairs };
  }

  /** Counts an event and reports it to `onEvent` (policies call it for choices their masks removed). */
  record(event: SafetyGuardEvent): void {
    const counts = this.#counts[event.type];
    counts.set(event.constraintId, (counts.get(event.constraintId) ?? 0) + 1);
    if (this.#onEvent !== undefined) {
      try {
        this.#onEvent(event);
      } catch {
        // A logging callback must never break a decision.
      }
    }
  }

  /** Counts of masked, repaired and rejected choices by constraint id since construction. */
  statistics(): SafetyGuardStatistics {
    return {
      masked: Object.fromEntries(this.#counts.masked),
      repaired: Object.fromEntries(this.#counts.repaired),
      rejected: Object.fromEntries(this.#counts.rejected),
    };
  }
}

function nearestAllowed(allowed: Uint8Array, size: number, current: number): number {
  for (let distance = 1; distance < size; distance += 1) {
    if (current - distance >= 0 && allowed[current - distance] === 1) return current - distance;
    if (current + distance < size && allowed[current + distance] === 1) return current + distance;
  }
  return -1;
}
