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

const wordCharacter = /[A-Za-z0-9_]/u;

/** Whether a pattern character makes the one before it optional or repeatable a variable number of times. */
function isQuantifier(character: string | undefined): boolean {
  return character === '?' || character === '*' || character === '{';
}

/**
 * The word prefixes a rule's match must start with, read from its pattern: a rule `\b(fix|fixes|bug…)…` can only
 * match where a run of word characters (`\w`, what `\b` sees) starts with `fix` or `bug`…; `null` when the pattern
 * does not allow that conclusion (no leading `\b`, an alternative opening with a class, an escape, a group or a
 * non-word character), and the rule is then always run. A character followed by `?`, `*` or `{` is not required.
 */
export function requiredWordPrefixes(pattern: RegExp): string[] | null {
  if (pattern.flags.includes('i')) return null;
  const source = pattern.source;
  if (!source.startsWith('\\b')) return null;
  let alternatives: string[];
  if (source[2] === '(') {
    if (source[3] === '?') return null;
    let depth = 0;
    let inClass = false;
    let start = 3;
    alternatives = [];
    let end = -1;
    for (let index = 3; index < source.length && end < 0; index += 1) {
      const character = source[index]!;
      if (character === '\\') {
        index += 1;
        continue;
      }
      if (inClass) {
        if (character === ']') inClass = false;
        continue;
      }
      if (character === '[') inClass = true;
      else if (character === '(') depth += 1;
      else if (character === ')') {
        if (depth === 0) end = index;
        else depth -= 1;
      } else if (character === '|' && depth === 0) {
        alternatives.push(source.slice(start, index));
        start = index + 1;
      }
    }
    if (end < 0 || isQuantifier(source[end + 1])) return null;
    alternatives.push(source.slice(start, end));
  } else {
    alternatives = [source.slice(2)];
  }
  const prefixes = new Set<string>();
  for (const alternative of alternatives) {
    let length = 0;
    while (length < alternative.length && wordCharacter.test(alternative[length]!)) length += 1;
    if (length > 0 && isQuantifier(alternative[length])) length -= 1;
    if (length === 0) return null;
    prefixes.add(alternative.slice(0, length));
  }
  return [...prefixes];
}

/** Per rule list: which rules each word prefix can trigger, the prefix lengths in use, the rules always run. */
interface RuleIndex {
  byPrefix: Map<string, number[]>;
  lengths: number[];
  always: number[];
  /** The rules each word seen triggers (words repeat: each is looked up once). */
  byWord: Map<string, readonly number[]>;
  /** Reused by every call: which rules to run on the current text. */
  candidates: Uint8Array;
  /** Rules with `requiredText`: run only when the text contains one of those strings. */
  textGated: number[];
}
const ruleIndexes = new WeakMap<ReadonlyArray<KeywordRule<string>>, RuleIndex>();
/** Cleared when full, so new words of a long bulk import cannot grow it without bound. */
const WORD_CACHE_LIMIT = 20_000;

function ruleIndexOf(rules: ReadonlyArray<KeywordRule<string>>): RuleIndex {
  let index = ruleIndexes.get(rules);
  if (index !== undefined) return index;
  const byPrefix = new Map<string, number[]>();
  const lengths = new Set<number>();
  const always: number[] = [];
  rules.forEach((current, position) => {
    const prefixes = requiredWordPrefixes(current.pattern);
    if (prefixes === null) {
      always.push(position);
      return;
    }
    for (const prefix of prefixes) {
      lengths.add(prefix.length);
      const list = byPrefix.get(prefix);
      if (list === undefined) byPrefix.set(prefix, [position]);
      else if (!list.includes(position)) list.push(position);
    }
  });
  const textGated = rules.flatMap((current, position) => (current.requiredText === undefined ? [] : [position]));
  index = { byPrefix, lengths: [...lengths].sort((left, right) => left - right), always, byWord: new Map(), candidates: new Uint8Array(rules.length), textGated };
  ruleIndexes.set(rules, index);
  return index;
}

/** The rules a word can trigger: those with a required prefix the word starts with. */
function rulesOfWord(index: RuleIndex, word: string): readonly number[] {
  let triggered = index.byWord.get(word);
  if (triggered !== undefined) return triggered;
  const found: number[] = [];
  for (const length of index.lengths) {
    if (length > word.length) break;
    const positions = index.byPrefix.get(length === word.length ? word : word.slice(0, length));
    if (positions !== undefined) for (const position of positions) found.push(position);
  }
  if (index.byWord.size >= WORD_CACHE_LIMIT) index.byWord.clear();
  index.byWord.set(word, found);
  return found;
}

let lastText: string | undefined;
let lastWords: string[] = [];

/** The runs of word characters of a text (what `\b` separates), remembered for the last text. */
function wordRuns(text: string): string[] {
  if (text !== lastText) {
    lastText = text;
    lastWords = text.match(/[A-Za-z0-9_]+/gu) ?? [];
  }
  return lastWords;
}

/**
 * Which rules of a list can match a text: only those are run (the others' patterns are never tried). The array is
 * the list's own, reused by the next call: read it before calling again.
 */
function candidateRules(rules: ReadonlyArray<KeywordRule<string>>, text: string): Uint8Array {
  const index = ruleIndexOf(rules);
  const candidates = index.candidates;
  candidates.fill(0);
  for (const position of index.always) candidates[position] = 1;
  for (const word of wordRuns(text)) for (const position of rulesOfWord(index, word)) candidates[position] = 1;
  for (const position of index.textGated) {
    if (candidates[position] === 1 && !rules[position]!.requiredText!.some((required) => text.includes(required))) candidates[position] = 0;
  }
  return candidates;
}

/**
 * Applies keyword rules: adds scores per target and evidence, honouring negations and leading bonuses. Rules whose
 * required word prefixes (`requiredWordPrefixes`) or required text (`KeywordRule.requiredText`) do not occur in the
 * text are skipped without running their patterns; the result is the same as running every pattern.
 */
export function applyRules<Target extends string>(
  rules: ReadonlyArray<KeywordRule<Target>>,
  text: string,
  scores: Map<Target, number>,
  evidence: InferenceEvidence[] | undefined,
  scale = 1,
): void {
  const firstWord = /^\s*[^\s]/u.exec(text)?.index ?? 0;
  const candidates = candidateRules(rules, text);
  for (let position = 0; position < rules.length; position += 1) {
    if (candidates[position] === 0) continue;
    const current = rules[position]!;
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
