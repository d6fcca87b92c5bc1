import { taskTypeRuleScores, withoutNegatedPhrases } from './rule-engine';
import { wordTokens } from './tokenize';

/** A sparse feature vector: parallel arrays of feature names and values. */
export interface SparseFeatures {
  names: string[];
  values: number[];
}

const stopWords = new Set([
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

/** Cap on a keyword-rule score as a feature value (rule scores are sums of word weights). */
const RULE_FEATURE_CAP = 4;

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
  const words = wordTokens(withoutNegatedPhrases(subject)).map(stem);
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    if (!stopWords.has(word)) add(`w:${word}`);
    if (index > 0) add(`b:${words[index - 1]} ${word}`);
  }
  if (words.length > 0) add(`f:${words[0]}`);
  add(words.length <= 3 ? 'n:short' : words.length >= 12 ? 'n:long' : 'n:medium');
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
