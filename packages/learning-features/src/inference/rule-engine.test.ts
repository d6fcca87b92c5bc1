import { describe, expect, it } from 'vitest';
import { loadLabelledCommits } from '../evaluation/commit-dataset';
import { complexityRules, domainRules, riskRules, skillRules, taskTypeRules, type KeywordRule } from './keyword-rules';
import { applyRules, normaliseForRules, requiredWordPrefixes, type InferenceEvidence } from './rule-engine';

/**
 * The same rules with `(?:)` put before each pattern: it matches the same, but no longer starts with `\b`, so the
 * pre-filter cannot read prefixes from it and runs every pattern (how applyRules worked before the pre-filter).
 */
function unfiltered<Target extends string>(rules: ReadonlyArray<KeywordRule<Target>>): Array<KeywordRule<Target>> {
  return rules.map(({ requiredText: _, ...rule }) => ({ ...rule, pattern: new RegExp(`(?:)${rule.pattern.source}`, rule.pattern.flags) }));
}

describe('requiredWordPrefixes', () => {
  it('reads the word prefixes a match must start with, or null when it cannot tell', () => {
    expect(requiredWordPrefixes(/\b(fix|fixes|bug)\b/gu)).toEqual(['fix', 'fixes', 'bug']);
    expect(requiredWordPrefixes(/\b(tests?|clean ?up|node\.js|optimi[sz]e)\b/gu)).toEqual(['test', 'clean', 'node', 'optimi']);
    expect(requiredWordPrefixes(/\brelease notes?\b/gu)).toEqual(['release']);
    expect(requiredWordPrefixes(/\b(añadir|más)\b/gu)).toEqual(['a', 'm']);
    expect(requiredWordPrefixes(/[\w$]+ ?(->|→) ?[\w$]+/gu)).toBeNull();
    expect(requiredWordPrefixes(/\b(docs|[\w-]+\.md)\b/gu)).toBeNull();
    expect(requiredWordPrefixes(/\b(fix)?\b/gu)).toBeNull();
    expect(requiredWordPrefixes(/\b(s?tests)\b/gu)).toBeNull();
    expect(requiredWordPrefixes(/\bfix\b/giu)).toBeNull();
  });
});

describe('applyRules with the word-prefix pre-filter', () => {
  const texts = [
    ...loadLabelledCommits().filter((_, index) => index % 5 === 0).map((row) => row.subject),
    'Corregir error de autenticación en el login', 'Añadir soporte para exportar más rápido', 'FIX Crash On Startup',
    "don't crash when node.js is missing", 'no functional changes: rename a -> b', 'update README.md and docs/guide.md',
    'rename foo → bar', 'explains the options', 'add a note about links', 'faq and api reference', 'update docstrings',
    'release notes for the v1.2.3 release', 'bump zod from 4.1.0 to 4.1.12', '', '   ', '🚀🚀',
  ];

  it('gives exactly the scores and evidence of running every pattern', () => {
    for (const rules of [taskTypeRules, domainRules, complexityRules, riskRules, skillRules] as ReadonlyArray<ReadonlyArray<KeywordRule<string>>>) {
      const everyRule = unfiltered(rules);
      expect(everyRule.every((rule) => requiredWordPrefixes(rule.pattern) === null)).toBe(true);
      for (const raw of texts) {
        const text = normaliseForRules(raw);
        const scores = new Map<string, number>();
        const evidence: InferenceEvidence[] = [];
        applyRules(rules, text, scores, evidence);
        const referenceScores = new Map<string, number>();
        const referenceEvidence: InferenceEvidence[] = [];
        applyRules(everyRule, text, referenceScores, referenceEvidence);
        expect(scores, raw).toEqual(referenceScores);
        expect(evidence, raw).toEqual(referenceEvidence);
      }
    }
  }, 60_000);
});
