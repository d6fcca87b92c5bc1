#!/usr/bin/env node
// Longer than 400 lines: one dependency-free script the release workflow and `pnpm test` run as is; its sections
// (processes, packing, installs, per-package checks, the table) are marked below.
// Proves the library packages from the outside, the way a stranger installs them:
//   1. `pnpm pack` every non-private package under packages/ (pnpm rewrites `workspace:^` to real ranges);
//   2. install the tarballs with npm into scratch projects in the OS temp dir (outside the workspace): one isolated
//      project per package, and one project with the counted packages together (those declaring tfjs, ~350 MB per
//      install, or the `ai` peer, whose declarations need the DOM library, only in their isolated one); npm `overrides` point every internal dependency at its tarball, so
//      nothing of ours is ever fetched from the registry (they are installed with `--ignore-scripts`);
//   3. per package: `import` and `require` its entry (from its isolated install, so an undeclared dependency that
//      happens to be hoisted elsewhere cannot hide), compare the ESM and CJS export names, type-check a consumer
//      file against the published .d.ts (moduleResolution NodeNext from ESM and CJS, and Bundler), run
//      `publint --strict` and `attw` on the tarball, check the README, and list the production dependency tree
//      (`npm ls --omit=dev --all`), which must not contain tfjs or onnxruntime-node for the lean packages.
//
// Which packages count (so that work in progress next door does not break everyone's `pnpm test`):
//   - skeleton: src/index.ts exports nothing (the `export {};` placeholder). Packed (its dependents need the
//     tarball) and listed, never checked.
//   - in progress: src/index.ts exports something but there is no README.md yet. Every check runs except the
//     type-checks, and the table shows the results, but they do not change the exit code.
//   - ready: exports and a README.md. Every check must pass: a missing dist/ is a failure, not a skip.
//   README sections (purpose, install line, example, API, errors) are reported as "gaps" without failing.
// With --release (the release workflow, before `changeset publish`) every non-private package must be ready, and
// README gaps fail too: nothing half-done is published.
//
// Usage: node scripts/check-packages.mjs [--release] [--keep] [name-filter...]
//        (run after `pnpm build`; exits 1 on any failure; --keep leaves the scratch projects in the temp dir)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argumentsGiven = process.argv.slice(2);
const keepScratch = argumentsGiven.includes('--keep');
const releaseMode = argumentsGiven.includes('--release');
const nameFilters = argumentsGiven.filter((argument) => !argument.startsWith('--'));

/** Packages that must stay installable without tfjs or onnxruntime (production installs, other orchestrators). */
const leanPackages = new Set([
  '@orchestra/learning-types',
  '@orchestra/learning-reward',
  '@orchestra/learning-features',
  '@orchestra/learning-policy',
]);
const isForbiddenInLeanPackage = (name) => name.startsWith('@tensorflow/') || name === 'onnxruntime-node';
/** Only the PostgreSQL store may pull the database driver: the facade reaches it by dynamic import (optional peer). */
const databaseDriverPackages = new Set(['@orchestra/learning-store-postgres']);
const isDatabaseDriver = (name) => name === 'pg' || name === 'pg-pool' || name === 'pg-protocol';

const binary = (name) => join(root, 'node_modules', '.bin', name);
const typescriptCompiler = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** Runs a command without a shell; resolves with its exit code and combined output (never rejects). */
function run(command, commandArguments, { cwd = root, env = process.env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArguments, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** Maps `worker` over `items` with at most `limit` running at once (2 shared cores: keep it small). */
async function pool(items, limit, worker) {
  const results = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** The pnpm that runs us (`npm_execpath` under `pnpm test`), else the one on PATH, else the pinned one via npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath ?? '';
  if (/pnpm(\.c?js)?$/.test(basename(execPath)) && existsSync(execPath)) {
    return execPath.endsWith('js') ? [process.execPath, [execPath]] : [execPath, []];
  }
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager ?? 'pnpm';
  const onPath = (process.env.PATH ?? '').split(':').some((directory) => existsSync(join(directory, 'pnpm')));
  return onPath ? ['pnpm', []] : ['npx', ['--yes', pinned]];
}

/** npm must not inherit the `npm_config_*` settings pnpm exports to scripts (they target the workspace). */
function cleanNpmEnvironment() {
  const environment = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && lower !== 'npm_config_registry' && lower !== 'npm_config_cache') continue;
    environment[key] = value;
  }
  return { ...environment, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery

/** True when the source entry exports something beyond the `export {};` skeleton. */
function hasRealExports(sourceEntry) {
  if (!existsSync(sourceEntry)) return false;
  const code = readFileSync(sourceEntry, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/export\s*\{\s*\}\s*;?/g, '');
  return /\bexport\b/.test(code);
}

function discoverPackages() {
  const packagesDirectory = join(root, 'packages');
  const found = [];
  for (const entry of readdirSync(packagesDirectory).sort()) {
    const directory = join(packagesDirectory, entry);
    const manifestPath = join(directory, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    found.push({
      name: manifest.name,
      short: entry,
      directory,
      manifest,
      stage: !hasRealExports(join(directory, 'src', 'index.ts'))
        ? 'skeleton'
        : existsSync(join(directory, 'README.md'))
          ? 'ready'
          : 'in progress',
      checks: {},
      notes: [],
      failed: false,
    });
  }
  return found;
}

/** Whether tfjs is in a package's production tree by declaration (own or internal dependencies, transitively). */
function declaresTensorflow(pkg, byName, seen = new Set()) {
  if (seen.has(pkg.name)) return false;
  seen.add(pkg.name);
  return Object.keys(pkg.manifest.dependencies ?? {}).some((name) =>
    name.startsWith('@tensorflow/') || (byName.has(name) && declaresTensorflow(byName.get(name), byName, seen)),
  );
}

/**
 * Peer dependencies whose own declarations need the DOM library (and @types they do not declare): the Vercel AI SDK
 * (`ai`: `HeadersInit`, `RequestCredentials`, `FileList`, `MediaStream`; `json-schema` types). A package with such a
 * peer is type-checked like a tfjs one: alone, in its isolated project, with skipLibCheck.
 */
const domTypedPeers = new Set(['ai']);
const declaresDomTypedPeer = (pkg) => Object.keys(pkg.manifest.peerDependencies ?? {}).some((name) => domTypedPeers.has(name));

function fail(pkg, check, note) {
  pkg.checks[check] = 'FAIL';
  pkg.failed = true;
  if (note) pkg.notes.push(`${check}: ${note}`);
}
const pass = (pkg, check) => (pkg.checks[check] = 'ok');
const lastLines = (text, count = 12) => text.trim().split('\n').slice(-count).join('\n');
/** The line of a Node crash that says what went wrong (the stack under it says little here). */
const errorLine = (text) =>
  text.split('\n').find((line) => /^\w*Error\b|Error \[|^Error:|Cannot find/.test(line.trim()))?.trim() ?? lastLines(text, 6);

// ---------------------------------------------------------------------------------------------------------------
// Checks

/** Files the manifest points at that must exist in dist before packing. */
function checkBuilt(pkg) {
  const distDirectory = join(pkg.directory, 'dist');
  if (!existsSync(distDirectory) || readdirSync(distDirectory).length === 0) {
    fail(pkg, 'built', 'dist/ is missing or empty: run `pnpm build` first');
    return;
  }
  const targets = new Set([pkg.manifest.main, pkg.manifest.module, pkg.manifest.types].filter(Boolean));
  const collect = (value) => {
    if (typeof value === 'string') {
      if (!value.includes('*')) targets.add(value);
    } else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(pkg.manifest.exports);
  const missing = [...targets].filter((target) => !existsSync(join(pkg.directory, target)));
  if (missing.length > 0) fail(pkg, 'built', `missing ${missing.join(', ')}`);
  else pass(pkg, 'built');
}

/** README: purpose paragraph, install line, a code example, an API section, an errors section. */
function checkReadme(pkg) {
  const readmePath = join(pkg.directory, 'README.md');
  if (!existsSync(readmePath)) return fail(pkg, 'readme', 'README.md is missing');
  const text = readFileSync(readmePath, 'utf8');
  const beforeFirstSection = text.split(/^##\s/m)[0] ?? '';
  const gaps = [];
  if (!/^[A-Za-z`*[(].{40,}/m.test(beforeFirstSection.replace(/^#.*$/m, ''))) gaps.push('purpose paragraph');
  if (!new RegExp(`(npm install|npm i|pnpm add|yarn add) ${pkg.name.replace('/', '\\/')}(?![\\w-])`).test(text)) gaps.push(`an install line ("npm install ${pkg.name}")`);
  if (!/```(ts|typescript|js|javascript|mjs)\n/.test(text)) gaps.push('code example');
  if (!/^#{2,3}\s.*\b(API|Exports)\b/im.test(text)) gaps.push('API section');
  if (!/^#{2,3}\s.*\bErrors?\b/im.test(text)) gaps.push('Errors section');
  if (gaps.length === 0) return pass(pkg, 'readme');
  if (releaseMode) return fail(pkg, 'readme', `missing ${gaps.join(', ')}`);
  pkg.checks.readme = 'gaps';
  pkg.notes.push(`readme: missing ${gaps.join(', ')} (not a failure outside --release)`);
}

/** One recursive `pnpm pack` for all packages (one pnpm start-up instead of one per package). */
async function packAll(pkgs, destination) {
  const [command, prefix] = pnpmCommand();
  const filters = pkgs.flatMap((pkg) => ['--filter', pkg.name]);
  const result = await run(command, [...prefix, '--recursive', ...filters, 'pack', '--pack-destination', destination]);
  const created = new Set(readdirSync(destination));
  for (const pkg of pkgs) {
    const expected = `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.manifest.version}.tgz`;
    if (!created.has(expected)) {
      fail(pkg, 'pack', `no ${expected} after \`pnpm pack\`: ${lastLines(result.output, 5)}`);
      continue;
    }
    pkg.tarball = join(destination, expected);
    pass(pkg, 'pack');
  }
}

/** Reads package/package.json out of the tarball (via tar, present wherever npm is) and checks the rewrite. */
async function checkPackedManifest(pkg, scratch) {
  const extractTo = join(scratch, 'extracted', pkg.short);
  mkdirSync(extractTo, { recursive: true });
  const result = await run('tar', ['-xzf', pkg.tarball, '-C', extractTo, 'package/package.json']);
  if (result.code !== 0) return fail(pkg, 'pack', `cannot read the packed package.json: ${lastLines(result.output, 3)}`);
  const packed = readFileSync(join(extractTo, 'package', 'package.json'), 'utf8');
  if (packed.includes('workspace:')) fail(pkg, 'pack', 'the packed package.json still contains `workspace:` ranges');
  pkg.packedManifest = JSON.parse(packed);
}

function writeScratchProject(directory, dependencies, overrides) {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'package.json'),
    JSON.stringify({ name: `scratch-${basename(directory)}`, private: true, type: 'module', dependencies, overrides }, null, 2),
  );
}

async function npmInstall(directory) {
  return run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], {
    cwd: directory,
    env: cleanNpmEnvironment(),
    timeoutMs: 180_000,
  });
}

/** Import and require the entry from the isolated install; the two module systems must agree on the names. */
async function checkEntryPoints(pkg) {
  const directory = pkg.isolatedDirectory;
  const listNames = (names) => `JSON.stringify(Object.keys(${names}).filter((n) => n !== 'default' && n !== '__esModule').sort())`;
  const esm = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pkg.name)}); console.log(${listNames('m')});`], { cwd: directory });
  const cjs = await run(process.execPath, ['--input-type=commonjs', '-e', `const m = require(${JSON.stringify(pkg.name)}); console.log(${listNames('m')});`], { cwd: directory });
  const parse = (result) => {
    try {
      return result.code === 0 ? JSON.parse(result.output.trim().split('\n').at(-1)) : null;
    } catch {
      return null;
    }
  };
  const esmNames = parse(esm);
  const cjsNames = parse(cjs);
  if (!esmNames) fail(pkg, 'import', errorLine(esm.output));
  else if (esmNames.length === 0) fail(pkg, 'import', 'the ESM entry exports nothing');
  else pass(pkg, 'import');
  if (!cjsNames) fail(pkg, 'require', errorLine(cjs.output));
  else if (esmNames && esmNames.join() !== cjsNames.join()) {
    const onlyEsm = esmNames.filter((name) => !cjsNames.includes(name));
    const onlyCjs = cjsNames.filter((name) => !esmNames.includes(name));
    fail(pkg, 'require', `ESM and CJS export different names (ESM only: ${onlyEsm.join(', ') || '-'}; CJS only: ${onlyCjs.join(', ') || '-'})`);
  } else pass(pkg, 'require');
  pkg.runtimeNames = esmNames ?? [];

  // Wildcard subpaths (e.g. "./json-schema/*.json"): one matching file must resolve through the exports map.
  for (const [subpath, target] of Object.entries(pkg.packedManifest?.exports ?? {})) {
    if (!subpath.includes('*') || typeof target !== 'string') continue;
    const [targetPrefix, targetSuffix] = target.split('*');
    const installed = join(directory, 'node_modules', pkg.name);
    const folder = join(installed, targetPrefix.slice(0, targetPrefix.lastIndexOf('/') + 1));
    const file = existsSync(folder) ? readdirSync(folder).find((candidate) => `./${relative(installed, join(folder, candidate))}`.endsWith(targetSuffix)) : undefined;
    if (!file) {
      fail(pkg, 'require', `nothing in the tarball matches the export ${subpath}`);
      continue;
    }
    const relativeFile = `./${relative(installed, join(folder, file))}`;
    const stem = relativeFile.slice(targetPrefix.length, relativeFile.length - targetSuffix.length);
    const specifier = `${pkg.name}/${subpath.slice(2).replace('*', stem)}`;
    const result = await run(process.execPath, ['-e', `require(${JSON.stringify(specifier)})`], { cwd: directory });
    if (result.code !== 0) fail(pkg, 'require', `${specifier}: ${errorLine(result.output)}`);
  }
}

/** Production dependency tree of the isolated install; lean packages must not pull tfjs or onnxruntime-node. */
async function checkDependencyTree(pkg) {
  const result = await run('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: pkg.isolatedDirectory, env: cleanNpmEnvironment() });
  let tree;
  try {
    tree = JSON.parse(result.output.slice(result.output.indexOf('{')));
  } catch {
    return fail(pkg, 'deps', `npm ls printed no JSON: ${lastLines(result.output, 4)}`);
  }
  const seen = new Set();
  const forbidden = new Set();
  const drivers = new Set();
  const walk = (node, trail) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (child.missing || !child.version) continue; // an unmet optional peer is not installed
      seen.add(`${name}@${child.version}`);
      if (isForbiddenInLeanPackage(name)) forbidden.add(`${[...trail, name].join(' > ')}`);
      if (isDatabaseDriver(name)) drivers.add(`${[...trail, name].join(' > ')}`);
      walk(child, [...trail, name]);
    }
  };
  walk(tree, []);
  // Belt and braces: whatever npm ls shows, nothing forbidden may sit on disk in the isolated install either.
  const scan = (directory, depth) => {
    if (depth > 8 || !existsSync(directory)) return;
    for (const entry of readdirSync(directory)) {
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(directory, entry))) {
          if (isForbiddenInLeanPackage(`${entry}/${scoped}`)) forbidden.add(`${entry}/${scoped} (on disk)`);
          scan(join(directory, entry, scoped, 'node_modules'), depth + 1);
        }
      } else {
        if (isForbiddenInLeanPackage(entry)) forbidden.add(`${entry} (on disk)`);
        scan(join(directory, entry, 'node_modules'), depth + 1);
      }
    }
  };
  scan(join(pkg.isolatedDirectory, 'node_modules'), 0);
  pkg.notes.push(`deps: ${seen.size} packages in the production tree`);
  if (tree.problems?.length) return fail(pkg, 'deps', `npm ls: ${tree.problems.slice(0, 3).join('; ')}`);
  if (leanPackages.has(pkg.name) && forbidden.size > 0) {
    return fail(pkg, 'deps', `pulls ${[...forbidden].slice(0, 3).join(', ')} (not allowed for ${pkg.name})`);
  }
  if (!databaseDriverPackages.has(pkg.name) && drivers.size > 0) {
    return fail(pkg, 'deps', `pulls the database driver ${[...drivers].slice(0, 3).join(', ')} (only @orchestra/learning-store-postgres may: a JSONL-only install never loads pg)`);
  }
  pass(pkg, 'deps');
}

async function checkPublint(pkg) {
  const result = await run(binary('publint'), ['run', '--strict', pkg.tarball]);
  if (result.code !== 0) fail(pkg, 'publint', lastLines(result.output.replace(/^.*(Running publint|Unpacking|Linting).*$/gm, ''), 8));
  else pass(pkg, 'publint');
}

async function checkAreTheTypesWrong(pkg) {
  // --no-definitely-typed: do not look for @types/* on the registry (ours ship their own types).
  const result = await run(binary('attw'), [pkg.tarball, '--format', 'ascii', '--no-color', '--no-emoji', '--no-definitely-typed']);
  if (result.code !== 0) fail(pkg, 'attw', lastLines(result.output, 10));
  else pass(pkg, 'attw');
}

/**
 * One consumer file per package and module kind: imports every runtime export by name and asserts that none of
 * them is typed `any` (an export missing from the declarations, or typed from an unresolved import, is `any`).
 * `libraryCheck` turns skipLibCheck off, so the published .d.ts / .d.cts are checked in full as a strict consumer
 * would; it is off where tfjs is in the tree, whose own declarations need the DOM library.
 */
function writeConsumerFiles(pkgs, directory, { libraryCheck }) {
  for (const pkg of pkgs) {
    const names = pkg.runtimeNames;
    const lines = [
      `import { ${names.map((name, index) => `${name} as export${index}`).join(', ')} } from '${pkg.name}';`,
      `type NotAny<T> = 0 extends 1 & T ? 'any' : 'typed';`,
      ...names.map((name, index) => `export const check${index}: NotAny<typeof export${index}> = 'typed'; // ${name}`),
      '',
    ].join('\n');
    for (const extension of ['mts', 'cts', 'ts']) writeFileSync(join(directory, `consumer-${pkg.short}.${extension}`), lines);
  }
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  };
  const projects = [
    // NodeNext as an ESM (.mts, reads the .d.ts) and a CJS (.cts, reads the .d.cts) consumer.
    {
      check: 'types:node',
      file: 'tsconfig.node.json',
      compilerOptions: { ...compilerOptions, skipLibCheck: !libraryCheck, module: 'NodeNext', moduleResolution: 'NodeNext' },
      files: pkgs.flatMap((pkg) => [`consumer-${pkg.short}.mts`, `consumer-${pkg.short}.cts`]),
    },
    // Bundler resolution reads the same .d.ts again: resolution and typing only.
    {
      check: 'types:bundler',
      file: 'tsconfig.bundler.json',
      compilerOptions: { ...compilerOptions, module: 'ESNext', moduleResolution: 'Bundler' },
      files: pkgs.map((pkg) => `consumer-${pkg.short}.ts`),
    },
  ];
  for (const project of projects) {
    writeFileSync(join(directory, project.file), JSON.stringify({ compilerOptions: project.compilerOptions, files: project.files }, null, 2));
  }
  return projects.map((project) => ({ ...project, pkgs, directory }));
}

/** Attributes tsc errors to packages by file name (consumer file or the package's own .d.ts). */
async function checkTypes(pkgs, directory, check, project) {
  const result = await run(process.execPath, [typescriptCompiler, '-p', project, '--pretty', 'false'], { cwd: directory });
  if (result.code === 0) {
    pkgs.forEach((pkg) => pkg.checks[check] !== 'FAIL' && pass(pkg, check));
    return [];
  }
  const errorLines = result.output.split('\n').filter((line) => /error TS\d+/.test(line));
  const unattributed = [];
  for (const line of errorLines) {
    const owner = pkgs.find((pkg) => line.includes(`consumer-${pkg.short}.`) || line.includes(`node_modules/${pkg.name}/`));
    if (owner) {
      if (owner.checks[check] !== 'FAIL') fail(owner, check, line.slice(0, 300));
    } else unattributed.push(line);
  }
  pkgs.filter((pkg) => pkg.checks[check] !== 'FAIL').forEach((pkg) => pass(pkg, check));
  if (errorLines.length === 0) unattributed.push(lastLines(result.output, 6));
  return unattributed;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

const columns = ['built', 'readme', 'pack', 'import', 'require', 'types:node', 'types:bundler', 'publint', 'attw', 'deps'];

async function main() {
  const started = Date.now();
  const allPackages = discoverPackages();
  const selected = (pkg) => nameFilters.length === 0 || nameFilters.some((filter) => pkg.name.includes(filter));
  const checked = allPackages.filter((pkg) => pkg.stage !== 'skeleton' && selected(pkg));
  const counts = (pkg) => releaseMode || pkg.stage === 'ready';
  const scratch = mkdtempSync(join(tmpdir(), 'orchestra-check-packages-'));
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  const globalProblems = [];
  const timings = [];
  let phaseStarted = Date.now();
  const phaseDone = (label) => {
    timings.push(`${label} ${((Date.now() - phaseStarted) / 1000).toFixed(1)} s`);
    phaseStarted = Date.now();
  };

  try {
    for (const pkg of checked) {
      checkBuilt(pkg);
      checkReadme(pkg);
    }
    // Every non-private package is packed, skeletons included, so that dependents resolve to our tarballs.
    await packAll(allPackages, tarballs);
    for (const pkg of allPackages.filter((candidate) => !candidate.tarball && !checked.includes(candidate))) {
      globalProblems.push(`could not pack ${pkg.name}, which others depend on: ${pkg.notes.join(' ')}`);
    }
    // A package that is not built is packed for its dependents, but checking its tarball would only repeat that.
    const packed = checked.filter((pkg) => pkg.tarball && pkg.checks.built === 'ok');
    await pool(packed, 3, (pkg) => checkPackedManifest(pkg, scratch));
    phaseDone('pack');

    const overrides = Object.fromEntries(allPackages.filter((pkg) => pkg.tarball).map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
    // Isolated: one project per package (a stranger installing just that one). Together: every package that counts
    // in one project, as an orchestrator installing several would; the type-checks run there.
    // tfjs is ~350 MB on disk per install: a package that declares it is installed (and type-checked) only once, in
    // its isolated project, and stays out of the together project.
    const byName = new Map(allPackages.map((pkg) => [pkg.name, pkg]));
    for (const pkg of allPackages) {
      pkg.hasTensorflow = declaresTensorflow(pkg, byName);
      pkg.needsDomTypes = pkg.hasTensorflow || declaresDomTypedPeer(pkg);
    }
    const together = packed.filter((pkg) => counts(pkg) && !pkg.needsDomTypes);
    const togetherDirectory = join(scratch, 'together');
    writeScratchProject(togetherDirectory, Object.fromEntries(together.map((pkg) => [pkg.name, overrides[pkg.name]])), overrides);
    for (const pkg of packed) {
      pkg.isolatedDirectory = join(scratch, `isolated-${pkg.short}`);
      writeScratchProject(pkg.isolatedDirectory, { [pkg.name]: overrides[pkg.name] }, overrides);
    }
    const installs = [...packed.map((pkg) => ({ directory: pkg.isolatedDirectory, pkg }))];
    if (together.length > 0) installs.unshift({ directory: togetherDirectory });
    await pool(installs, 3, async ({ directory, pkg }) => {
      const result = await npmInstall(directory);
      if (result.code === 0) return;
      if (pkg) fail(pkg, 'import', `npm install failed: ${lastLines(result.output, 6)}`);
      else globalProblems.push(`npm install of all tarballs together failed:\n${lastLines(result.output, 10)}`);
    });
    const installed = packed.filter((pkg) => pkg.checks.import !== 'FAIL');
    phaseDone('npm install');

    await pool(installed, 3, async (pkg) => {
      await checkEntryPoints(pkg);
      await checkDependencyTree(pkg);
    });
    phaseDone('import/require/deps');
    await pool(packed, 2, async (pkg) => {
      await checkPublint(pkg);
      await checkAreTheTypesWrong(pkg);
    });
    phaseDone('publint/attw');

    const typeCheckable = installed.filter((pkg) => counts(pkg) && pkg.runtimeNames?.length > 0);
    const projects = [];
    const togetherInstalled = existsSync(join(togetherDirectory, 'node_modules'));
    const inTogether = typeCheckable.filter((pkg) => !pkg.needsDomTypes && togetherInstalled);
    if (inTogether.length > 0) projects.push(...writeConsumerFiles(inTogether, togetherDirectory, { libraryCheck: true }));
    for (const pkg of typeCheckable.filter((candidate) => candidate.needsDomTypes)) {
      projects.push(...writeConsumerFiles([pkg], pkg.isolatedDirectory, { libraryCheck: false }));
      pkg.notes.push(`types: checked with skipLibCheck (${pkg.hasTensorflow ? 'tfjs' : 'the `ai` peer\'s'} declarations need the DOM library)`);
    }
    if (projects.length > 0) {
      const problems = await pool(projects, 2, (project) => checkTypes(project.pkgs, project.directory, project.check, project.file));
      for (const line of problems.flat()) globalProblems.push(`tsc: ${line}`);
      phaseDone('tsc');
    }
  } finally {
    if (keepScratch) console.log(`scratch projects kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
    phaseDone('clean-up');
  }

  // Table: one row per package; "-" = not run for this stage.
  const shown = allPackages.filter(selected);
  for (const pkg of shown) {
    if (pkg.stage === 'skeleton') {
      if (releaseMode) fail(pkg, 'built', 'a skeleton (src/index.ts exports nothing) cannot be released');
      continue;
    }
    const skippedForStage = counts(pkg) ? [] : ['types:node', 'types:bundler'];
    for (const column of columns) {
      if (pkg.checks[column] || skippedForStage.includes(column)) continue;
      pkg.checks[column] = pkg.failed ? 'not run' : 'FAIL'; // a check that should have run and did not is a failure
      if (!pkg.failed) pkg.notes.push(`${column}: did not run`);
    }
    if (columns.some((column) => pkg.checks[column] === 'FAIL')) pkg.failed = true;
  }
  const result = (pkg) => (pkg.failed ? (counts(pkg) ? 'FAIL' : 'fail (not counted)') : pkg.stage === 'skeleton' ? 'skeleton' : counts(pkg) ? 'ok' : 'ok (not counted)');
  const rows = shown.map((pkg) => [pkg.name, pkg.stage, result(pkg), ...columns.map((column) => pkg.checks[column] ?? '-')]);
  const header = ['package', 'stage', 'result', ...columns];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index].length)));
  const format = (row) => row.map((cell, index) => cell.padEnd(widths[index])).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  rows.forEach((row) => console.log(format(row)));
  console.log('');
  for (const pkg of shown) {
    if (pkg.stage === 'skeleton') console.log(`${pkg.name}: skeleton (src/index.ts exports nothing yet): packed for its dependents, not checked`);
    if (pkg.stage === 'in progress') console.log(`${pkg.name}: in progress (no README.md yet): checked, but does not count`);
    for (const note of pkg.notes) console.log(`${pkg.name}: ${note}`);
  }
  for (const problem of globalProblems) console.log(`FAIL ${problem}`);

  const counted = shown.filter(counts).filter((pkg) => releaseMode || pkg.stage !== 'skeleton');
  const failed = counted.filter((pkg) => pkg.failed).length;
  const passed = counted.length - failed;
  console.log(`\nchecked in ${((Date.now() - started) / 1000).toFixed(1)} s (${timings.join(', ')})${releaseMode ? ', release mode' : ''}`);
  console.log(`packages: ${passed} passed, ${failed} failed, ${shown.length - counted.length} skipped`);
  if (failed > 0 || globalProblems.length > 0 || counted.length === 0) process.exitCode = 1;
}

await main();
