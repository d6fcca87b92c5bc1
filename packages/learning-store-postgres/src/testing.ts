/**
 * A throwaway PostgreSQL cluster for tests and benchmarks (`@orchestra/learning-store-postgres/testing`): `initdb`
 * into a temporary directory, `pg_ctl start` on a free localhost port (Unix socket in the same directory), and
 * `stop()` removes it all. It needs the PostgreSQL server binaries (Debian: `apt-get install postgresql`), found in
 * `/usr/lib/postgresql/<version>/bin`, `$PG_BIN`, or on the `PATH`.
 *
 * PostgreSQL refuses to run as root: as root, the directory is handed to the `postgres` user (created by the
 * Debian package) and every server binary runs through `runuser -u postgres --` (or `su`); as any other user the
 * binaries run directly.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the server binaries are, and how they are run. */
export interface PostgresInstallation {
  /** Directory of `initdb`, `pg_ctl` and `postgres`. */
  binDirectory: string;
  /** Major version, from the directory name or `pg_ctl --version`. */
  version: string;
  /** The user the server runs as when this process is root (`postgres`), else undefined (this process's user). */
  runAs: { user: string; uid: number; gid: number } | undefined;
}

/** Why no installation was found (for the message a test prints). */
export interface MissingPostgres {
  missing: true;
  reason: string;
}

function versionOf(directory: string): string {
  return /postgresql\/(\d+)\/bin/.exec(directory)?.[1] ?? 'unknown';
}

function candidateDirectories(environment: NodeJS.ProcessEnv): string[] {
  const candidates: string[] = [];
  if (environment.PG_BIN !== undefined && environment.PG_BIN !== '') candidates.push(environment.PG_BIN);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+$/.test(name))
      .sort((left, right) => Number(right) - Number(left));
    for (const version of versions) candidates.push(join(debianRoot, version, 'bin'));
  }
  for (const directory of (environment.PATH ?? '').split(':')) if (directory !== '') candidates.push(directory);
  return candidates;
}

/** The uid/gid of a user from `/etc/passwd` (no dependency on `id`). */
async function userIds(user: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', user]);
    const fields = stdout.trim().split(':');
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the PostgreSQL server binaries, or says why there are none. */
export async function findPostgres(environment: NodeJS.ProcessEnv = process.env): Promise<PostgresInstallation | MissingPostgres> {
  const binDirectory = candidateDirectories(environment).find((directory) => existsSync(join(directory, 'initdb')) && existsSync(join(directory, 'pg_ctl')));
  if (binDirectory === undefined) {
    return { missing: true, reason: 'PostgreSQL server binaries (initdb, pg_ctl) not found in $PG_BIN, /usr/lib/postgresql/*/bin or the PATH — install them (Debian: apt-get install -y postgresql)' };
  }
  let runAs: PostgresInstallation['runAs'];
  if (userInfo().uid === 0) {
    const user = environment.ORCHESTRA_PG_USER ?? 'postgres';
    const ids = await userIds(user);
    if (ids === undefined) return { missing: true, reason: `running as root, and PostgreSQL refuses root: no user "${user}" to run it as (the Debian package creates "postgres"; or set ORCHESTRA_PG_USER)` };
    runAs = { user, ...ids };
  }
  return { binDirectory, version: versionOf(binDirectory), runAs };
}

/** Whether `value` is a `MissingPostgres`. */
export function isMissingPostgres(value: PostgresInstallation | MissingPostgres): value is MissingPostgres {
  return 'missing' in value;
}

/** Runs a server binary as the right user; rejects with its output on failure. */
async function runServerBinary(installation: PostgresInstallation, binary: string, parameters: readonly string[], timeoutMs = 60_000): Promise<string> {
  const path = join(installation.binDirectory, binary);
  const [command, commandArguments] = installation.runAs === undefined ? [path, [...parameters]] : ['runuser', ['-u', installation.runAs.user, '--', path, ...parameters]];
  return new Promise((resolve, reject) => {
    // Started in a directory every user may enter (the caller's may be private to root).
    const child = spawn(command, commandArguments, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${binary} ${parameters.join(' ')} exited with ${code}:\n${output.trim()}`));
    });
  });
}

/** A free TCP port on 127.0.0.1 (bound once, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running throwaway cluster. */
export interface TemporaryPostgresCluster {
  /** `postgres://orchestra@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding the data directory and the socket. */
  readonly directory: string;
  readonly installation: PostgresInstallation;
  /** A URL of another database of the cluster (created by `createDatabase`). */
  urlOf(database: string): string;
  /** Creates a database (a fresh one per test keeps tests apart) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (`fast`: disconnects clients, a clean shutdown; `immediate`: as a crash would). */
  stopServer(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the server again on the same port (after `stopServer`). */
  startServer(): Promise<void>;
  /** Stops the server and removes the directory. */
  stop(): Promise<void>;
}

/** Options of `startTemporaryPostgres`. */
export interface StartTemporaryPostgresOptions {
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
  /** An installation from `findPostgres` (default: found now). */
  installation?: PostgresInstallation;
}

/**
 * Creates and starts a throwaway cluster: `initdb` (trust authentication, superuser `orchestra`, no fsync — a test
 * cluster needs no durability across power loss), `pg_ctl start -w` on a free port of 127.0.0.1 only. Throws when
 * PostgreSQL is not installed (see `findPostgres`).
 */
export async function startTemporaryPostgres(options: StartTemporaryPostgresOptions = {}): Promise<TemporaryPostgresCluster> {
  const found = options.installation ?? (await findPostgres());
  if (isMissingPostgres(found)) throw new Error(found.reason);
  const installation = found;
  const directory = mkdtempSync(join(tmpdir(), 'orchestra-pg-'));
  const dataDirectory = join(directory, 'data');
  if (installation.runAs !== undefined) {
    chownSync(directory, installation.runAs.uid, installation.runAs.gid);
    chmodSync(directory, 0o700);
  }
  await runServerBinary(installation, 'initdb', ['-D', dataDirectory, '-U', 'orchestra', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  let port = await freePort();
  const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200', ...options.settings };
  const serverOptions = () =>
    [`-p ${port}`, `-k ${directory}`, "-c listen_addresses='127.0.0.1'", ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)].join(' ');
  const start = async () => {
    await runServerBinary(installation, 'pg_ctl', ['-D', dataDirectory, '-l', join(directory, 'server.log'), '-o', serverOptions(), '-w', '-t', '60', 'start']);
  };
  for (let attempt = 0; ; attempt += 1) {
    try {
      await start();
      break;
    } catch (error) {
      // Another process took the port between the probe and the start: take another one.
      if (attempt >= 3) {
        rmSync(directory, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }
  const urlOf = (database: string) => `postgres://orchestra@127.0.0.1:${port}/${database}`;
  let running = true;
  const stopServer = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await runServerBinary(installation, 'pg_ctl', ['-D', dataDirectory, '-m', mode, '-w', 'stop']);
    running = false;
  };
  return {
    get url() {
      return urlOf('postgres');
    },
    get port() {
      return port;
    },
    directory,
    installation,
    urlOf,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`createDatabase: "${name}" is not a plain lower-case identifier`);
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    stopServer,
    async startServer() {
      if (running) return;
      await start();
      running = true;
    },
    async stop() {
      try {
        await stopServer('immediate');
      } catch {
        // Already stopped, or the directory is gone: removing it is what matters.
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * What a test suite that needs PostgreSQL should do here: `run` (installed), `fail` (missing under CI — `CI` set:
 * a CI that silently skips the database tests proves nothing) or `skip` (missing on a developer's machine; the
 * reason belongs in the skipped suite's name).
 */
export async function postgresTestPolicy(environment: NodeJS.ProcessEnv = process.env): Promise<{ action: 'run'; installation: PostgresInstallation } | { action: 'fail' | 'skip'; reason: string }> {
  const found = await findPostgres(environment);
  if (!isMissingPostgres(found)) return { action: 'run', installation: found };
  const ci = environment.CI !== undefined && environment.CI !== '' && environment.CI !== 'false' && environment.CI !== '0';
  return { action: ci ? 'fail' : 'skip', reason: `${found.reason}. CI installs it (.ci/run: apt-get install -y postgresql)` };
}

/** The test runner's suite functions `describeWithPostgres` needs (vitest's or jest's, passed in). */
export interface TestRunner {
  describe: ((name: string, body: () => void) => void) & { skip: (name: string, body: () => void) => void };
  it: (name: string, body: () => void | Promise<void>) => void;
  beforeAll: (body: () => Promise<void>, timeoutMs?: number) => void;
  afterAll: (body: () => Promise<void>, timeoutMs?: number) => void;
}

/** What a suite of `describeWithPostgres` gets: its cluster, and a fresh database (connection URL) per call. */
export interface PostgresSuiteContext {
  cluster: () => TemporaryPostgresCluster;
  freshDatabase: () => Promise<string>;
}

let databases = 0;

/**
 * `describe` with a throwaway PostgreSQL cluster of its own (started before its tests, removed after them). Without
 * PostgreSQL the suite fails loudly under CI (`CI` set: `.ci/run` installs it) and is skipped, with the reason in
 * its name, elsewhere. Call it at the top level of a test file: `await describeWithPostgres(vitest, name, suite)`.
 */
export async function describeWithPostgres(runner: TestRunner, name: string, suite: (context: PostgresSuiteContext) => void): Promise<void> {
  const policy = await postgresTestPolicy();
  if (policy.action !== 'run') {
    const reason = policy.reason;
    if (policy.action === 'fail') {
      runner.describe(name, () => {
        runner.it('needs a PostgreSQL server', () => {
          throw new Error(`PostgreSQL tests cannot run: ${reason}`);
        });
      });
    } else {
      runner.describe.skip(`${name} — skipped: ${reason}`, () => suite({ cluster: () => undefined as never, freshDatabase: async () => '' }));
    }
    return;
  }
  const installation = policy.installation;
  runner.describe(name, () => {
    let cluster: TemporaryPostgresCluster | undefined;
    runner.beforeAll(async () => {
      cluster = await startTemporaryPostgres({ installation });
    }, 120_000);
    runner.afterAll(async () => {
      await cluster?.stop();
    }, 60_000);
    suite({
      cluster: () => cluster!,
      freshDatabase: () => cluster!.createDatabase(`test_${process.pid}_${++databases}`),
    });
  });
}
