import type { Domain, TaskType } from '@orchestra/learning-types';

/**
 * A keyword rule: a pattern over the lower-cased description and the weight of its vote. `leading` rules vote more
 * when they open the description (commit subjects and task titles start with their verb).
 */
export interface KeywordRule<Target extends string> {
  target: Target;
  pattern: RegExp;
  weight: number;
  /** Extra weight when the match is the first word. */
  leadingBonus?: number;
  /** Whether a negation just before the match (no, not, without, sin…) cancels the vote. Default true. */
  negatable?: boolean;
  /**
   * For a pattern whose word prefixes the rule engine cannot read (`requiredWordPrefixes`): texts it can match
   * contain one of these; others skip it. Checked against the pattern in `rule-engine.test.ts`.
   */
  requiredText?: readonly string[];
}

const rule = <Target extends string>(
  target: Target,
  pattern: RegExp,
  weight: number,
  leadingBonus = 0,
  negatable = true,
): KeywordRule<Target> => ({ target, pattern, weight, leadingBonus, negatable });

/**
 * Task-type keyword rules (English and Spanish). Written against the vuejs/core subjects and general usage only;
 * prisma/prisma is held out for evaluation and was not read while writing them.
 */
export const taskTypeRules: ReadonlyArray<KeywordRule<TaskType>> = [
  // feature
  rule('feature', /\b(add|adds|added|adding)\b/gu, 1.2, 0.8),
  rule('feature', /\b(support|supports|implement|implements|implemented|introduce|introduces|new|allow|allows|enable|enables|expose|provide|create|creates)\b/gu, 1.2, 0.6),
  rule('feature', /\b(feature|feat|capability|endpoint for|ability to)\b/gu, 1.5),
  rule('feature', /\b(añadir|añade|agregar|agrega|implementar|implementa|nueva|nuevo|nuevas|nuevos|soporte|permitir|crear|crea)\b/gu, 1.5, 0.6),
  rule('feature', /\b(export|exports|helper|helpers|option|options|promote|compatibility|strategy|strategies|hook|hooks)\b/gu, 0.7, 0.5),
  // bugfix
  rule('bugfix', /\b(fix|fixes|fixed|fixing|bugfix|hotfix)\b/gu, 1.8, 1),
  rule('bugfix', /\b(bug|crash|crashes|broken|regression|incorrect|wrong|leak|leaks|fails|failing|failure|mismatch|exception|error when|issue with)\b/gu, 1.4),
  rule('bugfix', /\b(should|ensure|handle|handles|prevent|avoid|properly|correctly|respect|preserve)\b/gu, 0.9, 0.3),
  rule('bugfix', /\b(corregir|corrige|arreglar|arregla|solucionar|soluciona|fallo|falla|error|errores)\b/gu, 1.6, 0.6),
  rule('bugfix', /\b(warn|warning|skip|restore|normalize|normalise|resolve|resolves|reject|propagate|pause|unwind|don't|do not|not|missing|infinite|duplicate|edge case|when|after)\b/gu, 0.6, 0.4),
  // refactor
  rule('refactor', /\b(refactor|refactors|refactored|refactoring|restructure|reorganize|reorganise|simplify|simplifies|extract|consolidate|dedupe|deduplicate|decouple|rework|rewrite|move|moves|moved|rename|renames|renamed|split|inline|unify|reuse)\b/gu, 1.6, 0.6),
  rule('refactor', /\b(clean ?up|cleanup|tidy)\b/gu, 0.9),
  // Restructuring phrasing (general usage, added with the five-repository data).
  rule('refactor', /\b(convert|converts|switch to|instead of|in favou?r of|migrate \S+ to|centrali[sz]e|modernize|modernise|de-?duplicate|share|shared|abstraction|encapsulate)\b/gu, 0.8),
  rule('refactor', /\b(remove|removes|replace|replaces|use|uses|migrate|improve|improves|unnecessary|redundant|readability|naming|internal|internals|reduce size)\b/gu, 0.7, 0.4),
  { ...rule('refactor', /[\w$]+ ?(->|→) ?[\w$]+/gu, 1.5), requiredText: ['->', '→'] },
  rule('refactor', /\b(no|without) (functional|behaviou?r(al)?) changes?\b/gu, 3, 0, false),
  rule('refactor', /\b(refactorizar|refactoriza|reorganizar|simplificar|simplifica|renombrar|renombra|mover|extraer)\b/gu, 1.8, 0.6),
  // test
  rule('test', /\b(test|tests|testing|spec|specs|e2e|unit tests?|coverage|mock|mocks|fixture|fixtures|snapshot|snapshots|jest|vitest|cypress|playwright|flaky)\b/gu, 2.2, 0.6),
  rule('test', /\b(prueba|pruebas|testear)\b/gu, 2.2, 0.6),
  // Test frameworks and assertion vocabulary (general usage, added with the five-repository data).
  rule('test', /\b(mocha|jasmine|karma|pytest|assert|assertion|assertions|expect|expectations?|test cases?|test suite|test helpers?|test utils?)\b/gu, 1.2),
  // docs
  rule('docs', /\b(docs|doc|documentation|document|documents|readme|readmes|typo|typos|jsdoc|tsdoc|changelog|guide|tutorial|comment|comments|adr|wording|grammar|spelling)\b/gu, 2.2, 0.6),
  // Release notes are documentation, whatever the release they describe (the words around them say "release").
  rule('docs', /\brelease notes?\b/gu, 3.5),
  rule('docs', /\b(documentación|documentacion|documentar|documenta|ortografía)\b/gu, 2.2, 0.6),
  // Writing verbs and documentation artefacts (general usage, added with the five-repository data).
  {
    ...rule('docs', /\b(clarify|clarifies|explain|explains|describe|describes|mention|mentions|notes? (about|on)|add (a )?note|examples?|faq|api reference|docstrings?|[\w-]+\.md|markdown|links?)\b/gu, 1.1, 0.4),
    requiredText: ['clarif', 'explain', 'describ', 'mention', 'note', 'example', 'faq', 'api reference', 'docstring', '.md', 'markdown', 'link'],
  },
  // performance
  rule('performance', /\b(perf|performance|optimi[sz]e|optimi[sz]es|optimi[sz]ation|faster|speed ?up|slow|slowness|latency|throughput|memory usage|overhead|efficient|efficiency|benchmark|cache|caching|memoi[sz]e)\b/gu, 2, 0.6),
  rule('performance', /\b(rendimiento|optimizar|optimiza|lento|lenta|más rápido)\b/gu, 2, 0.6),
  // Performance phrasing (general usage, added with the five-repository data).
  rule('performance', /\b(lazy|lazily|fast path|hot path|allocations?|pre-?allocate|reduce (memory|allocations|bundle size|size|overhead|work)|avoid (re-?render\w*|recomput\w*|allocat\w*|unnecessary \w+)|speed|bitwise|parallel(ize|ise)?|bottleneck)\b/gu, 1.2),
  // security
  rule('security', /\b(security|vulnerability|vulnerabilities|cve-\d+|cve|xss|csrf|ssrf|sql injection|injection|sanitize|sanitise|exploit|rce|secrets?|credentials?|hardening|harden|prototype pollution)\b/gu, 2.6),
  rule('security', /\b(seguridad|vulnerabilidad|inyección)\b/gu, 2.6),
  // dependencies
  rule('dependencies', /\b(bump|bumps|bumped)\b/gu, 2.4, 0.6),
  rule('dependencies', /\b(deps|dependency|dependencies|renovate|dependabot|lockfile|lock file|devdependencies|peerdependencies)\b/gu, 2.2),
  rule('dependencies', /\bfrom vnum to vnum\b/gu, 2.5),
  rule('dependencies', /\b(upgrade|upgrades|update|updates|actualizar|actualiza) [@\w/.-]+ (to|a) vnum\b/gu, 2.2),
  rule('dependencies', /\b(dependencia|dependencias)\b/gu, 2.2),
  // build
  rule('build', /\b(build|builds|bundle|bundler|bundling|rollup|webpack|esbuild|tsup|vite config|packaging|package exports|dts|esm|cjs|umd|tsconfig|compile target|makefile)\b/gu, 1.4),
  rule('build', /\b(compilación|empaquetado)\b/gu, 1.4),
  // ci
  rule('ci', /\b(ci|github actions?|workflow|workflows|pipeline|circleci|travis|gitlab ci|jenkins|actions\/[\w-]+)\b/gu, 2.2),
  // style
  rule('style', /\b(format|formatting|prettier|lint|linting|eslint|whitespace|indentation|code style|semicolons?|trailing spaces?)\b/gu, 1.8, 0.4),
  rule('style', /\b(formato|estilo de código)\b/gu, 1.8),
  // revert
  rule('revert', /\b(revert|reverts|reverted|reverting|undo|roll ?back)\b/gu, 3, 1.5),
  rule('revert', /\b(revertir|revierte|deshacer)\b/gu, 3, 1.5),
  // chore
  rule('chore', /\b(release(?! notes?\b)|releases|vnum|chore|housekeeping|maintenance|bump version|version bump|remove unused|unused)\b/gu, 1.4, 0.4),
  rule('chore', /\b(mantenimiento|limpieza)\b/gu, 1.4),
  rule('chore', /\b(update|updates|config|configuration|settings|sponsor|sponsors|version|playground|snap|scripts?|template|issue template|funding|netlify|vscode|gitignore)\b/gu, 0.6, 0.3),
];

/** Domain keyword rules (English and Spanish). */
export const domainRules: ReadonlyArray<KeywordRule<Domain>> = [
  rule('frontend', /\b(ui|ux|frontend|front-end|component|components|button|buttons|page|pages|layout|css|scss|tailwind|html|dom|browser|react|vue|svelte|angular|jsx|tsx|render|rendering|hydration|transition|modal|dialog|form|forms|responsive|a11y|accessibility|svg|style sheet|stylesheet|navbar|sidebar|login form|slot|slots|directive|v-model|teleport|suspense|keep-alive|custom element)\b/gu, 1.5),
  rule('frontend', /\b(interfaz|componente|componentes|botón|boton|página|pantalla|formulario|vista)\b/gu, 1.5),
  rule('backend', /\b(backend|back-end|server|servers|service|services|worker|workers|queue|queues|cron|job|jobs|microservice|daemon|business logic|handler|handlers|ssr|server-side|node process|memory leak)\b/gu, 1.4),
  rule('backend', /\b(servidor|servicio|servicios)\b/gu, 1.4),
  rule('api', /\b(api|apis|endpoint|endpoints|rest|graphql|grpc|rpc|route|routes|request|requests|response|responses|http|webhook|webhooks|sdk|openapi|swagger|controller|controllers|status code|rate limit)\b/gu, 1.5),
  rule('database', /\b(database|databases|db|sql|query|queries|migration|migrations|schema|schemas|table|tables|index|indexes|postgres|postgresql|mysql|sqlite|mongo|mongodb|redis|orm|prisma|transaction|transactions|column|columns|kysely|pgvector|foreign key|upsert)\b/gu, 1.6),
  rule('database', /\b(base de datos|consulta|consultas|tabla|tablas|migración|migracion|esquema)\b/gu, 1.6),
  rule('devops', /\b(deploy|deploys|deployment|deployments|docker|dockerfile|container|containers|kubernetes|k8s|helm|terraform|infra|infrastructure|aws|gcp|azure|nginx|ci|pipeline|workflow|workflows|github actions?|release workflow|monitoring|observability|cloud)\b/gu, 1.5),
  rule('devops', /\b(despliegue|desplegar|infraestructura|contenedor)\b/gu, 1.5),
  rule('security', /\b(security|auth|authentication|authorization|authorisation|login|logout|password|passwords|token|tokens|jwt|oauth|sso|permission|permissions|rbac|csrf|xss|encryption|encrypt|decrypt|crypto|secret|secrets|vulnerability|cve|sanitize|sanitise|session cookie|2fa|mfa)\b/gu, 1.7),
  rule('security', /\b(seguridad|autenticación|autenticacion|contraseña|permisos|cifrado)\b/gu, 1.7),
  rule('testing', /\b(test|tests|testing|spec|specs|e2e|unit tests?|coverage|mock|mocks|fixture|fixtures|jest|vitest|cypress|playwright|snapshot|snapshots|flaky)\b/gu, 1.6),
  rule('testing', /\b(prueba|pruebas)\b/gu, 1.6),
  rule('documentation', /\b(docs|doc|documentation|readme|guide|guides|tutorial|adr|adrs|changelog|typo|typos|jsdoc|tsdoc|comment|comments|markdown|wording|glossary)\b/gu, 1.7),
  rule('documentation', /\b(documentación|documentacion|documentar|guía)\b/gu, 1.7),
  rule('tooling', /\b(cli|compiler|compile|compiles|build|bundler|rollup|webpack|vite|esbuild|eslint|lint|prettier|tsconfig|script|scripts|tool|tools|tooling|codegen|generator|plugin|plugins|devtools|parser|sfc|ast|typescript|types|type|dts|repl|playground|emitter)\b/gu, 1.1),
];

/** Words that make a task more complex (positive) or simpler (negative). */
export const complexityRules: ReadonlyArray<KeywordRule<'up' | 'down'>> = [
  rule('up', /\b(rewrite|redesign|architecture|architectural|overhaul|migrate|migration|entire|across|whole|all (the )?(services|modules|packages|components)|system|distributed|multiple|several|concurrency|race condition|integration|framework|from scratch|breaking change|monorepo|end-to-end|end to end|large change|big change|existing data|every (service|module|package))\b/gu, 1),
  rule('up', /\b(reescribir|rediseñar|arquitectura|migrar|todo el sistema|múltiples)\b/gu, 1),
  rule('down', /\b(typo|typos|bump|rename|minor|small|tweak|tweaks|format|formatting|comment|comments|readme|one-line|one line|trivial|simple|wording|lint|whitespace|quick|quickly|small change|tiny)\b/gu, 1),
  rule('down', /\b(pequeño|menor|sencillo|simple|errata|rápido)\b/gu, 1),
];

/**
 * What raises (or lowers) the risk of a task. Where the change lands (production, customer data, a live system,
 * money) weighs most; the topic alone (auth, migrations, billing) raises it less; "internal only", a prototype or a
 * local tool lowers it.
 */
export const riskRules: ReadonlyArray<KeywordRule<'risk'>> = [
  rule('risk', /\b(in production|on production|to production|production (database|data|traffic|cluster|system)s?|prod|live (cluster|system|site|database|traffic|environment)|on the live|customer data|user data|personal data|pii|payments? release|money|outage|incident|data loss|drop table|drop column|delete data|truncate)\b/gu, 2.5),
  rule('risk', /\b(production|live)\b/gu, 1.2),
  rule('risk', /\b(security|vulnerability|cve|auth|authentication|authorization|login|password|passwords|credential|credentials|secret|secrets|token|jwt|oauth|encryption|crypto|permission|permissions)\b/gu, 0.8),
  rule('risk', /\b(payment|payments|billing|invoice|invoices|checkout|stripe|paypal|refund|refunds|pricing)\b/gu, 1),
  rule('risk', /\b(migration|migrations|schema change|backfill|database|deploy|deployment|infra|infrastructure|terraform|kubernetes|k8s|rollback|hotfix|breaking change)\b/gu, 0.6),
  rule('risk', /\b(next release|for the release|before the release|shared (library|module|package|code|component)s?|public api|many (callers|consumers|users))\b/gu, 1),
  rule('risk', /\b(seguridad|pago|pagos|facturación|migración|contraseña|autenticación|despliegue)\b/gu, 0.8),
  rule('risk', /\b(en producción|producción|datos de clientes)\b/gu, 2.5),
  rule('risk', /\b(internal only|internal tool|internal use|prototype|spike|experiment|experimental|sandbox|dev only|local only|playground|demo)\b/gu, -1.5),
];

/** Technologies recognised as skills, by word. */
export const skillRules: ReadonlyArray<KeywordRule<string>> = [
  rule('typescript', /\b(typescript|ts|tsx|tsc|tsconfig)\b/gu, 1),
  rule('javascript', /\b(javascript|js|jsx|node|nodejs|node\.js|npm|pnpm|yarn)\b/gu, 1),
  rule('react', /\b(react|jsx|next\.js|nextjs|hooks?)\b/gu, 1),
  rule('vue', /\b(vue|vuex|pinia|nuxt|sfc)\b/gu, 1),
  rule('css', /\b(css|scss|sass|tailwind|styles?heet)\b/gu, 1),
  rule('sql', /\b(sql|postgres|postgresql|mysql|sqlite|query|queries|migration|migrations)\b/gu, 1),
  rule('mongodb', /\b(mongo|mongodb)\b/gu, 1),
  rule('redis', /\b(redis)\b/gu, 1),
  rule('graphql', /\b(graphql)\b/gu, 1),
  rule('docker', /\b(docker|dockerfile|container|containers)\b/gu, 1),
  rule('kubernetes', /\b(kubernetes|k8s|helm)\b/gu, 1),
  rule('terraform', /\b(terraform)\b/gu, 1),
  rule('github-actions', /\b(github actions?|workflow|workflows)\b/gu, 1),
  rule('python', /\b(python|django|flask|fastapi|pip|pytest)\b/gu, 1),
  rule('go', /\b(golang|go module|goroutines?)\b/gu, 1),
  rule('rust', /\b(rust|cargo|crate|crates)\b/gu, 1),
  rule('java', /\b(java|spring|maven|gradle|kotlin)\b/gu, 1),
  rule('security', /\b(security|auth|oauth|jwt|encryption|crypto|xss|csrf)\b/gu, 1),
  rule('testing', /\b(test|tests|jest|vitest|cypress|playwright|e2e|coverage)\b/gu, 1),
  rule('prisma', /\b(prisma)\b/gu, 1),
];

/** Words that cancel the vote of the keyword right after them (within three words). */
export const negationPattern = /^(no|not|without|never|don't|dont|doesn't|doesnt|won't|isn't|non|sin|nunca|ni)$/u;
