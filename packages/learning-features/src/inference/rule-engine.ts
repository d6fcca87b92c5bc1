import { negationPattern, taskTypeRules, type KeywordRule } from './keyword-rules';

/** Why a value was inferred: which words, paths, labels or model decided it. */
export interface InferenceEvidence {
  source: 'prefix' | 'keyword' | 'negated' | 'path' | 'label' | 'classifier' | 'count' | 'default';
  /** The text that matched (a word, a path, a label, the prefix). */
  text: string;
  /** The value it voted for. */
  target: string;
  weight: number;
}

/** Lower-cases and folds version numbers to `vnum` so rules can match "from vnum to vnum". */
export function normaliseForRules(text: string): string {
  return ` ${text.toLowerCase().replace(/(?<![\w.])([v^~]?\d+(\.\d+)+(-[\w.]+)?|v\d+)(?![\w.])/gu, ' vnum ').replace(/\s+/gu, ' ')} `;
}

const negatedPhrase = /\b(no|without|sin)\s+(?!longer\b)[^\s,;.:()]+(\s+[^\s,;.:()]+){0,2}/giu;

/** The text with the up-to-three words after `no`/`without`/`sin` removed (what the classifier reads). */
export function withoutNegatedPhrases(text: string): string {
  return text.replace(negatedPhrase, ' ').replace(/\s+/gu, ' ').trim();
}

/** Whether a negation word appears within the three words before `index`. */
function isNegated(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 40), index).trim().split(/[\s,;]+/u).slice(-3);
  // "no longer crashes" describes a fix, not the absence of one.
  return before.some((word, position) => negationPattern.test(word) && before[position + 1] !== 'longer');
}

/** Applies keyword rules: adds scores per target and evidence, honouring negations and leading bonuses. */
export function applyRules<Target extends string>(
  rules: ReadonlyArray<KeywordRule<Target>>,
  text: string,
  scores: Map<Target, number>,
  evidence: InferenceEvidence[] | undefined,
  scale = 1,
): void {
  const firstWord = /^\s*[^\s]/u.exec(text)?.index ?? 0;
  for (const current of rules) {
    const pattern = current.pattern;
    pattern.lastIndex = 0;
    let seen: string[] | undefined;
    // exec on the shared global regex: `matchAll` would clone the regex on every call.
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) pattern.lastIndex += 1;
      const word = match[0];
      if (seen?.includes(word)) continue;
      (seen ??= []).push(word);
      const index = match.index;
      if ((current.negatable ?? true) && isNegated(text, index)) {
        evidence?.push({ source: 'negated', text: word, target: current.target, weight: 0 });
        continue;
      }
      const weight = (current.weight + (index <= firstWord ? (current.leadingBonus ?? 0) : 0)) * scale;
      scores.set(current.target, (scores.get(current.target) ?? 0) + weight);
      evidence?.push({ source: 'keyword', text: word, target: current.target, weight });
    }
  }
}

/** Task-type keyword-rule scores of a subject (no evidence), as the classifier's rule features see them. */
export function taskTypeRuleScores(subject: string): Map<string, number> {
  const scores = new Map<string, number>();
  applyRules(taskTypeRules, normaliseForRules(subject), scores, undefined);
  return scores;
}
