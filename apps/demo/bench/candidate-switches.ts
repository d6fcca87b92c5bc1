/**
 * Which candidate explores, judged after the fact on learning-matrix runs: at every re-look that did not deploy, the
 * facade's `improve` either keeps the candidate that explored (its re-look was promising) or lets the newest one
 * explore. This replays each such decision under other switching rules and sums what the held-out tasks measured for
 * the candidate each rule would have let explore. First order only: a different choice would have changed the logs
 * and every later decision, which only a rerun shows.
 *
 *   node --import tsx bench/candidate-switches.ts DIR/learning-matrix.json [more.json …] [--last-training 1700]
 *
 * Decisions at the last training (default 1,700 of 2,000 sessions) are left out: no re-look follows them.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { REGATE_ALPHA } from '@orchestra/learning';
import { twoSidedNormalQuantile } from '@orchestra/learning-types';
import { z } from 'zod';
import { markdownTable } from '../src/learning-matrix';

const interval = z.object({ value: z.number(), ci: z.tuple([z.number(), z.number()]) });
const matrixSchema = z.object({
  cases: z.array(
    z.object({
      result: z
        .object({
          candidates: z.array(
            z.object({
              sessionsSeen: z.number(),
              look: z.number().nullable(),
              /** The re-look's confidence (absent in matrices written before the run's error budget). */
              confidence: z.number().nullable().optional(),
              baseline: z.string(),
              gate: interval.nullable(),
              measured: z.object({ difference: z.number() }),
              deployed: z.boolean(),
            }),
          ),
        })
        .nullable(),
    }),
  ),
});

/**
 * One decision point: the explored candidate's re-look and the newest candidate's estimate at training, each with its
 * interval's upper bound and standard error (the gate at training's interval is 95 %, a re-look's its recorded confidence:
 * 1 − REGATE_ALPHA/2^j at look j in matrices written before the run's error budget).
 */
interface Decision {
  relook: number;
  relookUpper: number;
  relookError: number;
  newest: number;
  newestUpper: number;
  newestError: number;
  keptMeasured: number;
  newestMeasured: number;
}

const errorOf = (ci: readonly [number, number], confidence: number) => (ci[1] - ci[0]) / (2 * twoSidedNormalQuantile(confidence));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'last-training': { type: 'string' } } });
if (positionals.length === 0) {
  console.error('candidate-switches: give one or more learning-matrix.json files');
  process.exit(2);
}
const lastTraining = Number(values['last-training'] ?? 1700);
if (!Number.isFinite(lastTraining)) {
  console.error(`candidate-switches: --last-training expects a number, got ${values['last-training']}`);
  process.exit(2);
}

const decisions: Decision[] = [];
for (const file of positionals) {
  let parsed: z.infer<typeof matrixSchema>;
  try {
    parsed = matrixSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    console.error(`candidate-switches: ${file} is not a learning-matrix JSON: ${(error as Error).message.split('\n')[0]}`);
    process.exit(2);
  }
  for (const entry of parsed.cases) {
    const candidates = entry.result?.candidates ?? [];
    candidates.forEach((relook, index) => {
      if (relook.look === null || relook.gate === null || relook.deployed || relook.baseline !== 'rules' || relook.sessionsSeen >= lastTraining) return;
      const newest = candidates.slice(index + 1).find((candidate) => candidate.look === null && candidate.sessionsSeen === relook.sessionsSeen);
      if (newest === undefined || newest.gate === null) return;
      decisions.push({
        relook: relook.gate.value,
        relookUpper: relook.gate.ci[1],
        relookError: errorOf(relook.gate.ci, relook.confidence ?? 1 - REGATE_ALPHA / 2 ** relook.look),
        newest: newest.gate.value,
        newestUpper: newest.gate.ci[1],
        newestError: errorOf(newest.gate.ci, 0.95),
        keptMeasured: relook.measured.difference,
        newestMeasured: newest.measured.difference,
      });
    });
  }
}

type Choice = 'kept' | 'newest' | 'none';
/** The facade's rule (first): keep a promising re-look unless the newest's interval (explorable) reaches higher. */
const rules: Array<[string, (decision: Decision) => Choice]> = [
  ["today: the newest explores when its interval's upper end is above the re-look's", (d) => choose(d, d.newestUpper > d.relookUpper)],
  ['before 2026-12-05: the newest explores when its estimate beats the re-look', (d) => choose(d, d.newest > d.relook)],
  ['the newest explores when it beats the re-look by one SE of the difference', (d) => choose(d, d.newest - d.relook > Math.hypot(d.relookError, d.newestError))],
  ...[5, 10, 20].map((tau): [string, (decision: Decision) => Choice] => [`estimates shrunk to 0 by their precision (τ ${tau})`, (d) => choose(d, shrink(d.newest, d.newestError, tau) > shrink(d.relook, d.relookError, tau))]),
  ['the newest always explores', (d) => choose(d, true)],
];
function shrink(value: number, error: number, tau: number): number {
  return (value * tau * tau) / (tau * tau + error * error);
}
function choose(decision: Decision, newestWins: boolean): Choice {
  const explorable = decision.newestUpper > 0;
  const promising = decision.relook > 0 && decision.relookUpper > 0;
  if (!promising) return explorable ? 'newest' : 'none';
  return explorable && newestWins ? 'newest' : 'kept';
}
const measuredOf = (decision: Decision, choice: Choice) => (choice === 'kept' ? decision.keptMeasured : choice === 'newest' ? decision.newestMeasured : 0);

const today = rules[0]![1];
const rows = rules.map(([name, rule]) => {
  let changed = 0;
  let gain = 0;
  for (const decision of decisions) {
    const before = today(decision);
    const after = rule(decision);
    if (before === after) continue;
    changed += 1;
    gain += measuredOf(decision, after) - measuredOf(decision, before);
  }
  const kept = decisions.filter((decision) => rule(decision) === 'kept');
  const newerBetter = kept.filter((decision) => decision.newestMeasured > decision.keptMeasured).length;
  return [name, String(changed), gain.toFixed(1), `${kept.length}`, kept.length === 0 ? '–' : `${newerBetter} (${(kept.reduce((sum, decision) => sum + decision.newestMeasured - decision.keptMeasured, 0) / kept.length).toFixed(2)})`];
});
console.log(`# Which candidate explores: ${decisions.length} decisions (re-looks that did not deploy, before ${lastTraining} sessions) in ${positionals.length} matrices\n`);
console.log(markdownTable(['rule', 'decisions that differ from today', 'measured − today, summed over them', 'kept', 'kept where the newest measured higher (mean newest − kept)'], rows));
