import { taskTypeRuleScores, withoutNegatedPhrases } from './rule-engine';
import { rawWordPattern, rawWordTokens } from './tokenize';
import { WordTable, hashStep } from './word-table';

/** A sparse feature vector: parallel arrays of feature names and values. */
export interface SparseFeatures {
  names: string[];
  values: number[];
}

/** Words that get no `w:` feature of their own (they still form word pairs). */
export const stopWords: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'and', 'or', 'with', 'by', 'at', 'from', 'as', 'is', 'be', 'it',
  'this', 'that', 'into', 'if', 'are', 'was', 'its', 'de', 'la', 'el', 'en', 'los', 'las', 'y', 'un', 'una', 'del',
  'al', 'para', 'con', 'por', 'que',
]);

/**
 * A crude English suffix stripper so that `fixes`, `fixed`, `fixing` and `fix` (or `update`, `updated`, `updates`)
 * share one feature: words written differently in different repositories still meet. Short words are kept as is.
 */
export function stem(word: string): string {
  if (word.length <= 4 || word.startsWith('<')) return word;
  let stemmed = word;
  if (stemmed.endsWith('ies')) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('ing') && stemmed.length > 5) stemmed = stemmed.slice(0, -3);
  else if (stemmed.endsWith('ed') && stemmed.length > 4) stemmed = stemmed.slice(0, -2);
  else if (stemmed.endsWith('es') && stemmed.length > 4) stemmed = stemmed.slice(0, -1);
  else if (stemmed.endsWith('s') && !stemmed.endsWith('ss') && stemmed.length > 4) stemmed = stemmed.slice(0, -1);
  if (stemmed.endsWith('e') && stemmed.length > 3) stemmed = stemmed.slice(0, -1);
  // Doubled final consonants of -ed/-ing forms ("mapped", "running"): fold to one.
  if (stemmed !== word && /([bdglmnprt])\1$/u.test(stemmed)) stemmed = stemmed.slice(0, -1);
  return stemmed;
}

/** One raw word of a subject (`rawWordPattern`), read once: its stemmed tokens and what models know of them. */
export interface RawWord {
  /** `rawWordTokens` then `stem`. */
  readonly stems: readonly string[];
  /** Per compiled feature index (by its id): what that model knows of each stem, filled on first use. */
  readonly known: Array<ReadonlyArray<object | undefined> | undefined>;
}

/** Each raw word seen: words repeat, so each is tokenised and stemmed once. */
const rawWords = new WordTable<RawWord>(30_000, (item) => {
  const tokens: string[] = [];
  rawWordTokens(item, tokens);
  return { stems: tokens.map(stem), known: [] };
});

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/** `._@/-`, which continue a raw word. */
function isRawWordJoiner(code: number): boolean {
  return code === 46 || code === 95 || code === 64 || code === 47 || code === 45;
}

/**
 * Whether a text can hold a negated phrase (`withoutNegatedPhrases`): its pattern needs `no`, `without` or `sin`
 * (case-insensitively; `ſ` is the one non-ASCII letter that matches `s` there), so text without them skips it.
 */
function mayHoldNegation(text: string): boolean {
  return negationWords.test(text);
}
const negationWords = /no|without|sin|ſin/iu;
const asciiOnly = /^[\x00-\x7f]*$/u;

/**
 * The raw words of a subject with its negated phrases removed (what the compiled feature index reads); their stems
 * in order are `subjectStems`.
 */
export function subjectWords(subject: string): RawWord[] {
  const text = mayHoldNegation(subject) ? withoutNegatedPhrases(subject) : subject;
  const words: RawWord[] = [];
  if (!asciiOnly.test(text)) {
    for (const item of text.match(rawWordPattern) ?? []) {
      let hash = 0;
      for (let at = 0; at < item.length; at += 1) hash = hashStep(hash, item.charCodeAt(at));
      words.push(rawWords.get(item, 0, item.length, hash).value);
    }
    return words;
  }
  // ASCII: `rawWordPattern` is a letter or digit, then letters, digits and `._@/-`; scanned by hand, hashed as read.
  let start = -1;
  let hash = 0;
  for (let at = 0; at <= text.length; at += 1) {
    const code = at < text.length ? text.charCodeAt(at) : 0;
    if (start >= 0 && (isAsciiAlphanumeric(code) || isRawWordJoiner(code))) {
      hash = hashStep(hash, code);
      continue;
    }
    if (start >= 0) {
      words.push(rawWords.get(text, start, at, hash).value);
      start = -1;
    }
    if (isAsciiAlphanumeric(code)) {
      start = at;
      hash = hashStep(0, code);
    }
  }
  return words;
}

/**
 * The stemmed word tokens of a subject with its negated phrases removed: `wordTokens(withoutNegatedPhrases(subject))
 * .map(stem)`, computed per raw word and remembered (what `transferFeatures` reads).
 */
export function subjectStems(subject: string): string[] {
  const stems: string[] = [];
  for (const word of subjectWords(subject)) for (const stemmed of word.stems) stems.push(stemmed);
  return stems;
}

/** The length band of a subject of `words` tokens (`n:` feature). */
export function lengthBand(words: number): 'n:short' | 'n:medium' | 'n:long' {
  return words <= 3 ? 'n:short' : words >= 12 ? 'n:long' : 'n:medium';
}

/** Cap on a keyword-rule score as a feature value (rule scores are sums of word weights). */
export const RULE_FEATURE_CAP = 4;

/**
 * Features of a task subject that carry from one codebase to another: stemmed words (`w:`), adjacent stemmed word
 * pairs (`b:`), the opening word (`f:`, commit subjects and task titles open with their verb), the length band
 * (`n:`) and the keyword-rule score of every task type (`r:<type>`, scaled). Negated phrases ("without tests") are
 * removed before the words are read, as the rules ignore them. Which of these features are kept is decided at
 * training time (`selectTransferVocabulary`: only features seen in several repositories).
 */
export function transferFeatures(subject: string, ruleScores: ReadonlyMap<string, number>): SparseFeatures {
  const names: string[] = [];
  const values: number[] = [];
  const seen = new Set<string>();
  const add = (name: string, value = 1): void => {
    if (seen.has(name)) return;
    seen.add(name);
    names.push(name);
    values.push(value);
  };
  const words = subjectStems(subject);
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    if (!stopWords.has(word)) add(`w:${word}`);
    if (index > 0) add(`b:${words[index - 1]} ${word}`);
  }
  if (words.length > 0) add(`f:${words[0]}`);
  add(lengthBand(words.length));
  for (const [type, score] of ruleScores) if (score > 0) add(`r:${type}`, Math.min(score, RULE_FEATURE_CAP) / 2);
  return { names, values };
}

/** The features the task-type classifier reads for a subject: `transferFeatures` with its keyword-rule scores. */
export function taskTypeFeaturesOf(subject: string): SparseFeatures {
  return transferFeatures(subject, taskTypeRuleScores(subject));
}

/** The features the domain classifier reads: words and verbs only. */
export function domainFeaturesOf(text: string): SparseFeatures {
  return transferFeatures(text, new Map());
}
