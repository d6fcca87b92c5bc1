import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLabelledCommits, type LabelledCommit } from './commit-dataset';

/** A pinned npm package whose CHANGELOG.md supplies labelled entries of a repository outside the training five. */
export interface ChangelogSource {
  package: string;
  version: string;
  repository: string;
  licence: string;
  /** The licence file inside the tarball, copied beside the data as `data/LICENSE-<package>`. */
  licenceFile: string;
}

/**
 * The further never-seen repositories (see data/CHANGELOG-SOURCE.md): chosen because their npm tarballs ship a
 * Conventional-Commits CHANGELOG.md and neither repository is one of the five of data/commits.tsv.gz.
 */
export const CHANGELOG_SOURCES: readonly ChangelogSource[] = [
  { package: 'rxjs', version: '7.8.2', repository: 'ReactiveX/rxjs', licence: 'Apache-2.0', licenceFile: 'package/LICENSE.txt' },
  { package: 'karma', version: '6.4.4', repository: 'karma-runner/karma', licence: 'MIT', licenceFile: 'package/LICENSE' },
];

/** One labelled changelog entry (conventional type from its section heading). */
export interface ChangelogEntry {
  type: string;
  scope: string;
  subject: string;
  /** First 12 hex digits of the commit the entry links to, or '' when it links none. */
  commit: string;
}

/** Section headings of Conventional-Commits changelogs → conventional type; other headings end a section. */
const headingTypes: ReadonlyArray<readonly [RegExp, string]> = [
  [/^features?$/iu, 'feat'],
  [/^bug ?fixes$/iu, 'fix'],
  [/^performance( improvements)?$/iu, 'perf'],
  [/^(code )?refactor(ing|s)?$/iu, 'refactor'],
  [/^documentation$/iu, 'docs'],
  [/^tests?$/iu, 'test'],
  [/^reverts?$/iu, 'revert'],
  [/^(miscellaneous )?chores?$/iu, 'chore'],
  [/^build system$/iu, 'build'],
  [/^continuous integration$/iu, 'ci'],
  [/^styles?$/iu, 'style'],
];

/** A changelog entry's text without its trailing link group (`([#12](…)) ([abc123](…)), closes …`) and markdown. */
function cleanSubject(text: string): string {
  const linkGroup = text.indexOf(' ([');
  const withoutLinks = linkGroup >= 0 ? text.slice(0, linkGroup) : text;
  return withoutLinks.replace(/\[([^\]]*)\]\([^)]*\)/gu, '$1').replace(/\t/gu, ' ').replace(/\s+/gu, ' ').trim();
}

/**
 * The labelled entries of a Conventional-Commits CHANGELOG.md: every first-level bullet (`- ` or `* `) under a
 * type heading (`### Bug Fixes`, `#### Features`…), its `**scope:**` split off; bullets nested under a scope-only
 * bullet take that scope. Entries under BREAKING CHANGES, version headings or unknown headings are skipped; an entry
 * repeated under the same type (back-ported releases) is kept once; subjects shorter than 6 characters are dropped.
 */
export function parseChangelogEntries(markdown: string): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  const seen = new Set<string>();
  let type: string | undefined;
  let parentScope = '';
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*$/u.exec(line);
    if (heading !== null) {
      const title = heading[1]!.replace(/[^\p{L}\p{N} ]/gu, '').trim();
      type = headingTypes.find(([pattern]) => pattern.test(title))?.[1];
      parentScope = '';
      continue;
    }
    const bullet = /^(\s*)[-*]\s+(.*)$/u.exec(line);
    if (bullet === null || type === undefined) continue;
    const nested = bullet[1]!.length > 0;
    let content = bullet[2]!;
    const scopeOnly = /^\*\*([^*]+?):?\*\*:?\s*$/u.exec(content);
    if (scopeOnly !== null) {
      parentScope = scopeOnly[1]!.trim();
      continue;
    }
    if (!nested) parentScope = '';
    let scope = nested ? parentScope : '';
    const scoped = /^\*\*([^*]+?):\*\*\s*(.*)$/u.exec(content);
    if (scoped !== null) {
      scope = scoped[1]!.trim();
      content = scoped[2]!;
    }
    const subject = cleanSubject(content);
    if (subject.length < 6) continue;
    const key = `${type}\t${subject}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ type, scope, subject, commit: /\/commit\/([0-9a-f]{7,40})/u.exec(content)?.[1]?.slice(0, 12) ?? '' });
  }
  return entries;
}

let cache: LabelledCommit[] | undefined;

/** Reads `data/changelog-entries.tsv` (the further never-seen repositories' entries) once. Evaluation only. */
export function loadChangelogEntries(): LabelledCommit[] {
  if (cache !== undefined) return cache;
  cache = parseLabelledCommits(readFileSync(fileURLToPath(new URL('../../data/changelog-entries.tsv', import.meta.url)), 'utf8'));
  return cache;
}
