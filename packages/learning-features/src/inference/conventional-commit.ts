import type { TaskType } from '@orchestra/learning-types';

/**
 * How Conventional Commits types map to our task types. `chore`/`build` with a `deps`/`deps-dev` scope are
 * dependency bumps (`dependencies`); there is no conventional type for `security`.
 */
export const conventionalTypeToTaskType: Readonly<Record<string, TaskType>> = Object.freeze({
  feat: 'feature',
  feature: 'feature',
  fix: 'bugfix',
  bugfix: 'bugfix',
  hotfix: 'bugfix',
  refactor: 'refactor',
  test: 'test',
  tests: 'test',
  docs: 'docs',
  doc: 'docs',
  perf: 'performance',
  security: 'security',
  sec: 'security',
  deps: 'dependencies',
  build: 'build',
  ci: 'ci',
  style: 'style',
  revert: 'revert',
  chore: 'chore',
});

const dependencyScope = /^(deps|deps-dev|dependencies|dependabot|renovate|lockfile)$/iu;

/** Maps a conventional type and scope to a task type (`undefined` for an unknown type). */
export function taskTypeOfConventionalCommit(type: string, scope = ''): TaskType | undefined {
  const mapped = conventionalTypeToTaskType[type.toLowerCase()];
  if (mapped === undefined) return undefined;
  if ((mapped === 'chore' || mapped === 'build' || mapped === 'ci' || mapped === 'bugfix') && dependencyScope.test(scope.trim())) {
    return 'dependencies';
  }
  return mapped;
}

/** A parsed `type(scope)!: subject` prefix. */
export interface ConventionalPrefix {
  type: string;
  scope: string;
  breaking: boolean;
  subject: string;
  /** The prefix as written, e.g. `chore(deps):`. */
  prefix: string;
}

const prefixPattern = /^\s*([a-z]+)(?:\(([^)]{0,80})\))?(!)?:\s*(.*)$/isu;

/** Parses a Conventional Commits prefix; `undefined` when there is none or the type is unknown. */
export function parseConventionalPrefix(text: string): ConventionalPrefix | undefined {
  const match = prefixPattern.exec(text);
  if (match === null) return undefined;
  const type = match[1]!.toLowerCase();
  if (conventionalTypeToTaskType[type] === undefined) return undefined;
  const prefixLength = text.length - match[4]!.length;
  return {
    type,
    scope: (match[2] ?? '').trim(),
    breaking: match[3] === '!',
    subject: match[4]!.trim(),
    prefix: text.slice(0, prefixLength).trim(),
  };
}
