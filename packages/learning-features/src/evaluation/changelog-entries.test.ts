import { describe, expect, it } from 'vitest';
import { CHANGELOG_SOURCES, loadChangelogEntries, parseChangelogEntries } from './changelog-entries';
import { REPOSITORIES } from './commit-dataset';
import { evaluateUnseenRepositories, UNSEEN_MINIMUM_CLASS_ROWS } from './leave-one-repository-out';

const changelog = `# [7.8.0](https://example.org/compare/7.7.0...7.8.0) (2022-12-15)

### Bug Fixes

- **mergeWith:** works correctly with an Array ([#7281](https://example.org/issues/7281)) ([27855c6](https://example.org/commit/27855c635ca74107352ae3336944433a328c0b41))
* restore backward compatibility for [karma@0.13](https://example.org/k) ([648b357a](https://example.org/commit/648b357a))
- **mergeWith:** works correctly with an Array ([#7281](https://example.org/issues/7281))

#### Features

* **file-list:**
  * Ensure files are sorted and unique ([9dc5f8bc](https://example.org/commit/9dc5f8bc), closes [#1498](https://example.org/issues/1498))
* tiny

### BREAKING CHANGES

- **share:** The type \`Subscribable\` now only supports valid returns.

### Performance Improvements

- Don't clone observers unless you have to
`;

describe('parseChangelogEntries', () => {
  it('labels entries by their section heading, splits scopes and drops links, breaking notes and repeats', () => {
    expect(parseChangelogEntries(changelog)).toEqual([
      { type: 'fix', scope: 'mergeWith', subject: 'works correctly with an Array', commit: '27855c635ca7' },
      { type: 'fix', scope: '', subject: 'restore backward compatibility for karma@0.13', commit: '648b357a' },
      { type: 'feat', scope: 'file-list', subject: 'Ensure files are sorted and unique', commit: '9dc5f8bc' },
      { type: 'perf', scope: '', subject: "Don't clone observers unless you have to", commit: '' },
    ]);
  });

  it('yields nothing for text without type headings', () => {
    expect(parseChangelogEntries('# Changelog\n\n- something happened here\n')).toEqual([]);
  });
});

describe('the further never-seen repositories (data/changelog-entries.tsv)', () => {
  const rows = loadChangelogEntries();

  it('holds the pinned packages’ repositories, none of them a training repository', () => {
    const repositories = [...new Set(rows.map((row) => row.repository))];
    expect(repositories).toEqual(CHANGELOG_SOURCES.map((source) => source.repository));
    for (const repository of repositories) expect(REPOSITORIES as readonly string[]).not.toContain(repository);
    expect(rows.length).toBeGreaterThan(1_500);
  });

  it('scores the shipped inference above the floors on feature, bugfix and the classes with enough rows', () => {
    const results = evaluateUnseenRepositories(rows);
    for (const result of results) {
      expect(result.model.perClass.feature.count).toBeGreaterThanOrEqual(UNSEEN_MINIMUM_CLASS_ROWS);
      expect(result.model.balanced, result.repository).toBeGreaterThan(0.5);
      expect(result.model.balanced, result.repository).toBeGreaterThan(result.rules.balanced);
    }
  });
});
