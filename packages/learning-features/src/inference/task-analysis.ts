import type { TaskType } from '@orchestra/learning-types';
import { z } from 'zod';
import { parseConventionalPrefix, type ConventionalPrefix } from './conventional-commit';
import { extensionSkills, pathRules, type PathRule } from './path-rules';
import { normaliseForRules } from './rule-engine';
import { subjectWords, type RawWord } from './transfer-features';

/** Input of `inferTaskContext`. Anything malformed is coerced (bad fields dropped), never thrown. */
export const inferTaskInputSchema = z.object({
  description: z.string().catch(''),
  files: z.array(z.string()).catch([]).default([]),
  labels: z.array(z.string()).catch([]).default([]),
});
/** Input of `inferTaskContext`. */
export type InferTaskInput = z.input<typeof inferTaskInputSchema>;

/** What one file path says, read once per distinct path. */
export interface PathFacts {
  /** The path rules it matches, in rule order. */
  rules: readonly PathRule[];
  /** The skill its extension implies (`extensionSkills`). */
  extensionSkill: string | undefined;
  /** The task type of the first matching rule that suggests one. */
  taskType: TaskType | undefined;
  /** The risk of the first matching rule that has one. */
  risk: number | undefined;
  /** The extension's skill, then the skills of the first matching rule that has some. */
  skills: readonly string[];
}

/** What every field's inferrer reads: the coerced input, the prefix, the texts and the path facts, each made once. */
export interface TaskAnalysis {
  description: string;
  files: string[];
  labels: string[];
  prefix: ConventionalPrefix | undefined;
  /** The description without its conventional prefix, trimmed. */
  subject: string;
  /** `normaliseForRules(subject)`: what the keyword rules read. */
  ruleText: string;
  wordCount: number;
  /** Whether the subject has words and is mostly letters. */
  meaningful: boolean;
  /** Per file, what its path says. */
  paths: PathFacts[];
  /** The subject's raw words (`subjectWords`), read on first use. */
  words: RawWord[] | undefined;
}

/** `z.array(z.string()).catch([]).default([])` without building a parser per call: non-arrays and mixed arrays give []. */
function stringArray(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  for (let index = 0; index < value.length; index += 1) if (typeof value[index] !== 'string') return [];
  return value as string[];
}

/**
 * The input as `inferTaskInputSchema` coerces it (same result, checked in the tests), field by field: a string is a
 * description; a non-object gives an empty input; a wrongly-typed field is dropped.
 */
export function coerceInferTaskInput(raw: unknown): { description: string; files: string[]; labels: string[] } {
  const input = typeof raw === 'string' ? { description: raw } : raw;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { description: '', files: [], labels: [] };
  const record = input as Record<string, unknown>;
  return {
    description: typeof record.description === 'string' ? record.description : '',
    files: stringArray(record.files),
    labels: stringArray(record.labels),
  };
}

const pathFactsCache = new Map<string, PathFacts>();
/** Cleared when full: paths repeat within a repository, but a bulk import must not grow it without bound. */
const PATH_CACHE_LIMIT = 20_000;

/** What a path says (`pathRules` matched, the extension's skill), remembered per path. */
export function pathFactsOf(file: string): PathFacts {
  let facts = pathFactsCache.get(file);
  if (facts === undefined) {
    const extension = /\.([a-z0-9]+)$/iu.exec(file)?.[1]?.toLowerCase();
    const extensionSkill = extension === undefined ? undefined : extensionSkills[extension];
    const rules = pathRules.filter((candidate) => candidate.pattern.test(file));
    const pathSkills = rules.find((candidate) => candidate.skills !== undefined)?.skills ?? [];
    facts = {
      rules,
      extensionSkill,
      taskType: rules.find((candidate) => candidate.taskType !== undefined)?.taskType,
      risk: rules.find((candidate) => candidate.risk !== undefined)?.risk,
      skills: extensionSkill === undefined ? pathSkills : [extensionSkill, ...pathSkills],
    };
    if (pathFactsCache.size >= PATH_CACHE_LIMIT) pathFactsCache.clear();
    pathFactsCache.set(file, facts);
  }
  return facts;
}

/** Words (runs of letters or digits) and letters of a text, in one pass (a regex only for non-ASCII characters). */
export function countWordsAndLetters(text: string): { words: number; letters: number } {
  let words = 0;
  let letters = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index += 1) {
    let code = text.charCodeAt(index);
    let isLetter: boolean;
    let isWordCharacter: boolean;
    if (code < 128) {
      isLetter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
      isWordCharacter = isLetter || (code >= 48 && code <= 57);
    } else {
      code = text.codePointAt(index)!;
      const character = String.fromCodePoint(code);
      if (code > 0xffff) index += 1;
      isLetter = /\p{L}/u.test(character);
      isWordCharacter = isLetter || /\p{N}/u.test(character);
    }
    if (isLetter) letters += 1;
    if (isWordCharacter) {
      if (!inWord) words += 1;
      inWord = true;
    } else inWord = false;
  }
  return { words, letters };
}

/** Reads the input once for all the inferrers. */
export function analyseTask(rawInput: unknown): TaskAnalysis {
  const input = coerceInferTaskInput(rawInput);
  const description = input.description.slice(0, 5_000);
  const files = input.files.length === 0 ? [] : input.files.filter((file) => file.trim() !== '').slice(0, 2_000);
  const labels = input.labels.length === 0 ? [] : input.labels.filter((label) => label.trim() !== '').slice(0, 50);
  const prefix = parseConventionalPrefix(description);
  const subject = prefix?.subject ?? description.trim();
  const { words: wordCount, letters } = countWordsAndLetters(subject);
  const letterShare = subject.length === 0 ? 0 : letters / subject.length;
  return {
    description,
    files,
    labels,
    prefix,
    subject,
    ruleText: normaliseForRules(subject),
    wordCount,
    meaningful: wordCount > 0 && letterShare >= 0.4,
    paths: files.map(pathFactsOf),
    words: undefined,
  };
}

/** The subject's raw words, read once per analysis. */
export function wordsOf(analysis: TaskAnalysis): RawWord[] {
  analysis.words ??= subjectWords(analysis.subject);
  return analysis.words;
}
