import type { Domain, TaskType } from '@orchestra/learning-types';

/** What a file path says about a task: domains it belongs to, a task type it suggests, skills it implies. */
export interface PathRule {
  pattern: RegExp;
  domains: readonly Domain[];
  /** Suggested task type — counted only when every file suggests one (a lone test file in a feature is no test task). */
  taskType?: TaskType;
  skills?: readonly string[];
  /** Extra risk of touching such a file. */
  risk?: number;
  /** Short description for the evidence list. */
  reason: string;
}

/** Path rules, most specific first; a path takes the first rule that matches for each of domains / type / skills. */
export const pathRules: readonly PathRule[] = [
  { pattern: /(^|\/)\.github\/workflows\/|(^|\/)\.gitlab-ci\.ya?ml$|(^|\/)jenkinsfile$|(^|\/)\.circleci\/|(^|\/)azure-pipelines\.ya?ml$/iu, domains: ['devops'], taskType: 'ci', skills: ['github-actions'], risk: 0.5, reason: 'CI configuration' },
  { pattern: /(^|\/)(dockerfile|docker-compose[\w.-]*\.ya?ml|\.dockerignore)$/iu, domains: ['devops'], skills: ['docker'], risk: 0.5, reason: 'container configuration' },
  { pattern: /(^|\/)(k8s|kubernetes|helm|charts|deploy|deployment|infra|infrastructure|terraform)\/|\.tf$|\.tfvars$/iu, domains: ['devops'], skills: ['kubernetes'], risk: 1, reason: 'infrastructure' },
  { pattern: /(^|\/)migrations?\/|\.sql$|(^|\/)schema\.prisma$|(^|\/)(db|database|seeds?)\//iu, domains: ['database'], skills: ['sql'], risk: 1.2, reason: 'database schema or migration' },
  { pattern: /(^|\/)(auth|authentication|security|crypto|permissions?|oauth|sessions?)\/|\.(pem|key|crt)$|(^|\/)[\w-]*(auth|password|jwt|crypto)[\w-]*\.(ts|js|py|go|rb|java|rs)$/iu, domains: ['security'], skills: ['security'], risk: 1.5, reason: 'authentication / security code' },
  { pattern: /(^|\/)(payments?|billing|checkout|invoices?)\/|(^|\/)[\w-]*(payment|billing|stripe|checkout)[\w-]*\.\w+$/iu, domains: ['backend'], risk: 2, reason: 'payments code' },
  { pattern: /(^|\/)(__tests__|tests?|spec|specs|e2e|cypress|playwright|__snapshots__|__fixtures__|fixtures)\/|\.(test|spec|e2e)\.[cm]?[jt]sx?$|_test\.(go|py)$|(^|\/)test_[\w-]+\.py$/iu, domains: ['testing'], taskType: 'test', skills: ['testing'], reason: 'test file' },
  { pattern: /(^|\/)(docs?|documentation|guides?|adrs?)\/|\.(md|mdx|rst|adoc)$|(^|\/)(readme|changelog|contributing|license)(\.\w+)?$/iu, domains: ['documentation'], taskType: 'docs', reason: 'documentation file' },
  { pattern: /(^|\/)(package\.json|pnpm-lock\.yaml|package-lock\.json|yarn\.lock|bun\.lockb|cargo\.lock|go\.sum|poetry\.lock|requirements[\w-]*\.txt|gemfile\.lock|composer\.lock)$/iu, domains: ['tooling'], taskType: 'dependencies', reason: 'dependency manifest or lockfile' },
  { pattern: /(^|\/)(tsconfig[\w.-]*\.json|(webpack|rollup|vite|esbuild|tsup|babel|turbo)\.config\.[cm]?[jt]s|turbo\.json|makefile|\.babelrc|cmakelists\.txt|build\.gradle|pom\.xml)$/iu, domains: ['tooling'], taskType: 'build', skills: ['typescript'], reason: 'build configuration' },
  { pattern: /(^|\/)(\.eslintrc[\w.]*|eslint\.config\.[cm]?[jt]s|\.prettierrc[\w.]*|prettier\.config\.[cm]?[jt]s|\.editorconfig|biome\.json|\.stylelintrc[\w.]*)$/iu, domains: ['tooling'], taskType: 'style', reason: 'lint / format configuration' },
  { pattern: /(^|\/)(api|routes?|controllers?|endpoints?|handlers?|graphql|resolvers?)\/|\.(graphql|gql|proto)$|(^|\/)(openapi|swagger)[\w.-]*\.(ya?ml|json)$/iu, domains: ['api'], reason: 'API surface' },
  { pattern: /\.(tsx|jsx|vue|svelte|css|scss|sass|less|html)$|(^|\/)(components?|pages|views|styles|public|assets|ui|frontend|client|app\/routes)\//iu, domains: ['frontend'], reason: 'UI code' },
  { pattern: /(^|\/)(server|services?|workers?|jobs|queues?|backend|lib\/server|internal)\//iu, domains: ['backend'], reason: 'server code' },
  { pattern: /(^|\/)(scripts|tools|bin|cli|packages\/cli)\/|(^|\/)compiler[\w-]*\//iu, domains: ['tooling'], reason: 'developer tooling' },
];

/** Skills implied by file extensions. */
export const extensionSkills: Readonly<Record<string, string>> = {
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript', js: 'javascript', jsx: 'javascript',
  mjs: 'javascript', cjs: 'javascript', vue: 'vue', svelte: 'svelte', py: 'python', go: 'go', rs: 'rust',
  java: 'java', kt: 'kotlin', rb: 'ruby', php: 'php', cs: 'csharp', swift: 'swift', sql: 'sql', css: 'css',
  scss: 'css', sass: 'css', less: 'css', html: 'html', graphql: 'graphql', gql: 'graphql', prisma: 'prisma',
  tf: 'terraform', sh: 'shell', yml: 'yaml', yaml: 'yaml',
};
