import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Domain, TaskType } from '@orchestra/learning-types';
import { taskTypeOfConventionalCommit } from '../inference/conventional-commit';

/**
 * One labelled commit subject from `data/commits.tsv.gz` (five public repositories, see data/SOURCE.md): the author's
 * conventional type mapped to our task type, and — where the scope says so — a derived primary domain.
 */
export interface LabelledCommit {
  repository: string;
  commit: string;
  conventionalType: string;
  scope: string;
  /** The subject without its `type(scope):` prefix. */
  subject: string;
  taskType: TaskType;
  /** Derived from the scope (see `domainOfScope`), else from the type for docs/test/ci; `undefined` when unclear. */
  primaryDomain: Domain | undefined;
  /** How `primaryDomain` was derived. */
  domainSource: 'scope' | 'type' | undefined;
  /** Position in its repository's history: 0 = newest commit of the snapshot, 1 = oldest. */
  age: number;
}

/**
 * Scope → primary domain, per the domain definitions in `@orchestra/learning-types`. Written once from the scope
 * names (not from the subjects or from any classifier output); scopes not matched are left unlabelled.
 */
const scopeDomainRules: ReadonlyArray<readonly [RegExp, Domain]> = [
  [/^(e2e|test|tests|testing|coverage|fixtures|qa|integration(-tests)?|test\/.*|integration\/.*)$/iu, 'testing'],
  [/^(docs?|readme|contributing|changelog|adrs?|adr-\d+|architecture|glossary|roadmap|spec|design|patterns)$/iu, 'documentation'],
  [/^(ci|release|publish|pkg-pr-new|github|workflows?|oss-setup|docker)$/iu, 'devops'],
  [/(cipherstash|security|auth|crypto|postgres-rls)/iu, 'security'],
  [/^(ssr|server-renderer|telemetry-backend|server)$/iu, 'backend'],
  [
    /(sql|postgres|mongo|sqlite|migration|kysely|pgvector|postgis|psl|db-init|orm|adapter-|driver-|target-|contract|schema-verify|relational|query-builder|query-ast|supabase|planner|prisma)/iu,
    'database',
  ],
  [/^(compiler.*|compile-sfc|sfc|sfc\/.*|parser|template-explorer|build|hmr|devtools|dx|cli|cli\/.*|cli-.*|vite-plugin|emitter|emit|emission|ts-render|lint|config|upgrade|init|codec|ast|sfc-playground|playground|scripts|types\/jsx)$/iu, 'tooling'],
  [
    /^(runtime-core|runtime-dom|runtime-core\/.*|reactivity|reactivity\/.*|reactive|effect|watch|transition|transition-group|transitiongroup|custom-elements?|hydration|v-model|v-on|v-show|v-for|v-if|suspense|teleport|portal|keep-alive|keepalive|slots|scheduler|core|directives|definemodel|templateref|vnode|runtime|compat|expose|examples\/react-router-demo)$/iu,
    'frontend',
  ],
];

/** The domain a scope names, if any (see `scopeDomainRules`). */
export function domainOfScope(scope: string): Domain | undefined {
  if (scope === '') return undefined;
  for (const [pattern, domain] of scopeDomainRules) if (pattern.test(scope)) return domain;
  return undefined;
}

const typeDomains: Readonly<Partial<Record<string, Domain>>> = { docs: 'documentation', test: 'testing', ci: 'devops' };

let cache: LabelledCommit[] | undefined;

/** A TSV field written with CSV-style quoting (`"say ""hi"""`) unquoted. */
function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}

/**
 * Parses labelled subjects in the format of `data/commits.tsv.gz` (header row; `repo`, `commit`, `type`, `scope`,
 * `subject`, tab-separated): rows whose conventional type maps to no task type are left out.
 */
export function parseLabelledCommits(text: string): LabelledCommit[] {
  const lines = text.split('\n');
  const rows: LabelledCommit[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [repository = '', commit = '', conventionalType = '', scope = '', rawSubject = ''] = line.split('\t');
    const subject = unquote(rawSubject);
    const taskType = taskTypeOfConventionalCommit(conventionalType, scope);
    if (taskType === undefined) continue;
    const fromScope = domainOfScope(scope);
    const fromType = typeDomains[conventionalType];
    rows.push({
      repository,
      commit,
      conventionalType,
      scope,
      subject,
      taskType,
      primaryDomain: fromScope ?? fromType,
      domainSource: fromScope !== undefined ? 'scope' : fromType !== undefined ? 'type' : undefined,
      age: 0,
    });
  }
  for (const repository of new Set(rows.map((row) => row.repository))) {
    const own = rows.filter((row) => row.repository === repository);
    own.forEach((row, index) => {
      row.age = own.length <= 1 ? 0 : index / (own.length - 1);
    });
  }
  return rows;
}

/**
 * Reads `data/commits.tsv.gz` (40,000 subjects of five repositories) once. For tests, benchmarks and training
 * scripts only; not part of the package's exports.
 */
export function loadLabelledCommits(): LabelledCommit[] {
  if (cache !== undefined) return cache;
  const path = fileURLToPath(new URL('../../data/commits.tsv.gz', import.meta.url));
  cache = parseLabelledCommits(gunzipSync(readFileSync(path)).toString('utf8'));
  return cache;
}

/** The five repositories of the data set, in the order of `SOURCE.md`. */
export const REPOSITORIES = ['vuejs/core', 'prisma/prisma', 'electron/electron', 'typeorm/typeorm', 'angular/angular-cli'] as const;
