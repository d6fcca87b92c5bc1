import { taskContextSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { loadLabelledCommits } from '../evaluation/commit-dataset';
import { inferTaskContext } from './infer-task-context';
import { analyseTask, coerceInferTaskInput, countWordsAndLetters, inferTaskInputSchema, pathFactsOf } from './task-analysis';
import { pathRules } from './path-rules';

const odd: unknown[] = [
  'plain text', '', 42, null, undefined, [], ['a'], true, { description: 5 }, { description: 'x', files: 'a.md' },
  { description: 'x', files: ['a.md', 3] }, { description: 'x', files: [], labels: ['bug'] }, { files: ['a.md'] },
  { description: 'x', labels: [null] }, { description: 'x', files: new Array(3) }, new Date(0), { description: new String('s') },
];

describe('coerceInferTaskInput', () => {
  it('coerces exactly as inferTaskInputSchema does', () => {
    for (const input of odd) {
      const parsed = inferTaskInputSchema.safeParse(typeof input === 'string' ? { description: input } : input);
      expect(coerceInferTaskInput(input), String(input)).toEqual(parsed.success ? parsed.data : { description: '', files: [], labels: [] });
    }
  });
});

describe('analyseTask', () => {
  it('counts words and letters as a code-point scan with Unicode classes does', () => {
    for (const text of ['fix: añadir más 123 ok', '🚀 emoji 𝒳 math', '\ud800 lone', '', 'ÅÉ 1²3']) {
      let words = 0;
      let letters = 0;
      let inWord = false;
      for (const character of text) {
        const letter = /\p{L}/u.test(character);
        if (letter) letters += 1;
        if (letter || /\p{N}/u.test(character)) {
          if (!inWord) words += 1;
          inWord = true;
        } else inWord = false;
      }
      expect(countWordsAndLetters(text), text).toEqual({ words, letters });
    }
  });

  it('reads each path once and gives the rules it matches in order', () => {
    const path = 'src/auth/migrations/001.sql';
    expect(pathFactsOf(path).rules).toEqual(pathRules.filter((rule) => rule.pattern.test(path)));
    expect(pathFactsOf(path)).toBe(pathFactsOf(path));
    expect(pathFactsOf('lib/x.TS').extensionSkill).toBe('typescript');
    const analysis = analyseTask({ description: 'feat(cli)!: add flag', files: [' ', 'a.md'], labels: [''] });
    expect(analysis).toMatchObject({ subject: 'add flag', files: ['a.md'], labels: [], meaningful: true, wordCount: 2 });
  });
});

describe('inferTaskContext contexts', () => {
  it('are what taskContextSchema accepts, unchanged by parsing', () => {
    const rows = loadLabelledCommits().filter((_, index) => index % 40 === 0);
    const files = [['src/a.ts'], ['docs/a.md', 'README.md'], [], ['migrations/1.sql', '.github/workflows/ci.yml', 'src/auth/jwt.ts']];
    for (const [index, row] of rows.entries()) {
      const { context } = inferTaskContext({ description: `${row.conventionalType}: ${row.subject}`, files: files[index % files.length]! });
      expect(taskContextSchema.parse(context)).toEqual(context);
    }
    for (const input of odd) {
      const { context } = inferTaskContext(input);
      expect(taskContextSchema.parse(context)).toEqual(context);
    }
  });
});
