import { negationPattern, taskTypeRules, type KeywordRule } from './keyword-rules';
import { WordTable, hashStep } from './word-table';

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
  let normalised = text.toLowerCase();
  // Each replacement runs only when it can change something (a digit; a run of spaces or another whitespace).
  if (/\d/u.test(normalised)) normalised = normalised.replace(/(?<![\w.])([v^~]?\d+(\.\d+)+(-[\w.]+)?|v\d+)(?![\w.])/gu, ' vnum ');
  if (/\s\s|[^\S ]/u.test(normalised)) normalised = normalised.replace(/\s+/gu, ' ');
  return ` ${normalised} `;
}

const negatedPhrase = /\b(no|without|sin)\s+(?!longer\b)[^\s,;.:()]+(\s+[^\s,;.:()]+){0,2}/giu;

/** The text with the up-to-three words after `no`/`without`/`sin` removed (what the classifier reads). */
export function withoutNegatedPhrases(text: string): string {
  return text.replace(negatedPhrase, ' ').replace(/\s+/gu, ' ').trim();
}

/**
 * The negation words anywhere (not only as whole words), from `negationPattern`'s alternatives: a window without
 * one holds no negation word, so `isNegated` answers without splitting it.
 */
const negationSomewhere = new RegExp(negationPattern.source.replace(/^\^\(/u, '(?:').replace(/\)\$$/u, ')'), 'gu');

/** Whether a negation word appears within the three words before `index`. */
function isNegated(text: string, index: number): boolean {
  const from = Math.max(0, index - 40);
  negationSomewhere.lastIndex = from;
  const found = negationSomewhere.exec(text);
  if (found === null || found.index >= index) return false;
  const before = text.slice(from, index).trim().split(/[\s,;]+/u).slice(-3);
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
  /** Position of this list's entry in each word's `WordHits`. */
  id: number;
  byPrefix: Map<string, number[]>;
  lengths: number[];
  always: number[];
  /** Reused by every call: which rules to run on the current text. */
  candidates: Uint8Array;
  /** Rules with `requiredText`: run only when the text contains one of those strings. */
  textGated: number[];
  /** Per rule with `requiredText`: one pattern that finds any of those strings. */
  requiredTextPatterns: Array<RegExp | undefined>;
  /**
   * Per rule with required prefixes: a sticky copy of its pattern, tried only where a word that starts with one of
   * them starts (a match can start nowhere else), instead of scanning the whole text.
   */
  sticky: Array<RegExp | undefined>;
  /**
   * Reused by every call: (rule position, word start) pairs, in word order — where each rule's matches can begin;
   * the first `startCount` entries are the current call's.
   */
  starts: number[];
  startCount: number;
}
/** Per word, per rule list (`RuleIndex.id`): the rules the word can trigger, filled on first use. */
type WordHits = Array<readonly number[] | undefined>;
const ruleIndexes = new WeakMap<ReadonlyArray<KeywordRule<string>>, RuleIndex>();
let ruleIndexCount = 0;
/** Words seen (words repeat: each is looked up once per text, for every rule list). */
const wordHits = new WordTable<WordHits>(20_000, () => []);

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
  const sticky = rules.map((current, position) => (always.includes(position) ? undefined : new RegExp(current.pattern.source, `${current.pattern.flags.replace('y', '')}y`)));
  index = {
    id: ruleIndexCount++,
    byPrefix,
    lengths: [...lengths].sort((left, right) => left - right),
    always,
    candidates: new Uint8Array(rules.length),
    textGated,
    requiredTextPatterns: rules.map((current) =>
      current.requiredText === undefined ? undefined : new RegExp(current.requiredText.map((required) => required.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&')).join('|'), 'u'),
    ),
    sticky,
    starts: [],
    startCount: 0,
  };
  ruleIndexes.set(rules, index);
  return index;
}

/** The rules of a list a word can trigger: those with a required prefix the word starts with. */
function rulesOfWord(index: RuleIndex, word: string): readonly number[] {
  const found: number[] = [];
  for (const length of index.lengths) {
    if (length > word.length) break;
    const positions = index.byPrefix.get(length === word.length ? word : word.slice(0, length));
    if (positions !== undefined) for (const position of positions) if (!found.includes(position)) found.push(position);
  }
  return found;
}

let lastText: string | undefined;
/** The last text's words, where they start and their hits: the first `lastCount` entries (the arrays are reused). */
const lastWords: string[] = [];
const lastStarts: number[] = [];
const lastHits: WordHits[] = [];
let lastCount = 0;

function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

/**
 * The runs of word characters (`[A-Za-z0-9_]`, what `\b` separates without the `i` flag) of a text, where they
 * start and their hits, remembered for the last text.
 */
function readWords(text: string): void {
  if (text === lastText) return;
  lastText = text;
  lastCount = 0;
  let start = -1;
  let hash = 0;
  for (let at = 0; at <= text.length; at += 1) {
    const code = at < text.length ? text.charCodeAt(at) : 0;
    if (isWordCode(code)) {
      if (start < 0) {
        start = at;
        hash = 0;
      }
      hash = hashStep(hash, code);
      continue;
    }
    if (start < 0) continue;
    const slot = wordHits.get(text, start, at, hash);
    lastWords[lastCount] = slot.word;
    lastStarts[lastCount] = start;
    lastHits[lastCount] = slot.value;
    lastCount += 1;
    start = -1;
  }
}

/**
 * Which rules of a list can match a text (`candidates`: only those are run, the others' patterns are never tried)
 * and where their matches can start (`starts`). Both are the list's own, reused by the next call.
 */
function candidateRules(rules: ReadonlyArray<KeywordRule<string>>, text: string): RuleIndex {
  const index = ruleIndexOf(rules);
  const { candidates, starts } = index;
  candidates.fill(0);
  let count = 0;
  for (const position of index.always) candidates[position] = 1;
  readWords(text);
  for (let word = 0; word < lastCount; word += 1) {
    const hits = lastHits[word]!;
    const triggered = (hits[index.id] ??= rulesOfWord(index, lastWords[word]!));
    for (let at = 0; at < triggered.length; at += 1) {
      const position = triggered[at]!;
      candidates[position] = 1;
      starts[count] = position;
      starts[count + 1] = lastStarts[word]!;
      count += 2;
    }
  }
  index.startCount = count;
  for (const position of index.textGated) {
    if (candidates[position] === 1 && !index.requiredTextPatterns[position]!.test(text)) candidates[position] = 0;
  }
  return index;
}

/** Records one match of a rule: evidence, and its weight unless a negation just before it cancels it. */
function scoreMatch<Target extends string>(
  current: KeywordRule<Target>,
  text: string,
  word: string,
  index: number,
  firstWord: number,
  scores: Map<Target, number>,
  evidence: InferenceEvidence[] | undefined,
  scale: number,
): void {
  if ((current.negatable ?? true) && isNegated(text, index)) {
    evidence?.push({ source: 'negated', text: word, target: current.target, weight: 0 });
    return;
  }
  const weight = (current.weight + (index <= firstWord ? (current.leadingBonus ?? 0) : 0)) * scale;
  scores.set(current.target, (scores.get(current.target) ?? 0) + weight);
  evidence?.push({ source: 'keyword', text: word, target: current.target, weight });
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
  // A leading bonus applies to a match at index 0 only. Rule texts (`normaliseForRules`) start with a space, so the
  // bonuses never apply to them: granting them at the first word instead was measured worse leave one repository
  // out (57.4 % vs 58.2 % mean balanced, `pnpm eval`), and the shipped models' rule features are trained this way.
  const firstWord = 0;
  const { candidates, sticky, starts, startCount } = candidateRules(rules, text);
  for (let position = 0; position < rules.length; position += 1) {
    if (candidates[position] === 0) continue;
    const current = rules[position]!;
    let seen: string[] | undefined;
    const anchored = sticky[position];
    if (anchored !== undefined) {
      // The leftmost match at or after the previous match's end is the first word start there that matches.
      let end = 0;
      for (let pair = 0; pair < startCount; pair += 2) {
        if (starts[pair] !== position) continue;
        const start = starts[pair + 1]!;
        if (start < end) continue;
        anchored.lastIndex = start;
        const match = anchored.exec(text);
        if (match === null) continue;
        const word = match[0];
        end = start + word.length;
        if (seen?.includes(word)) continue;
        (seen ??= []).push(word);
        scoreMatch(current, text, word, start, firstWord, scores, evidence, scale);
      }
      continue;
    }
    const pattern = current.pattern;
    pattern.lastIndex = 0;
    // exec on the shared global regex: `matchAll` would clone the regex on every call.
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) pattern.lastIndex += 1;
      const word = match[0];
      if (seen?.includes(word)) continue;
      (seen ??= []).push(word);
      scoreMatch(current, text, word, match.index, firstWord, scores, evidence, scale);
    }
  }
}

/** Task-type keyword-rule scores of a subject (no evidence), as the classifier's rule features see them. */
export function taskTypeRuleScores(subject: string): Map<string, number> {
  const scores = new Map<string, number>();
  applyRules(taskTypeRules, normaliseForRules(subject), scores, undefined);
  return scores;
}
