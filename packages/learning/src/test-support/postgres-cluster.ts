import { afterAll, beforeAll, describe, it } from 'vitest';
import { postgresTestPolicy, startTemporaryPostgres, type TemporaryPostgresCluster } from '@orchestra/learning-store-postgres/testing';

const policy = await postgresTestPolicy();
let databases = 0;

/**
 * `describe` with a throwaway PostgreSQL cluster of its own (started before its tests, removed after them). Without
 * PostgreSQL the suite fails loudly under CI (`CI` set: `.ci/run` installs it) and is skipped, with the reason in
 * its name, elsewhere.
 */
export function describeWithPostgres(name: string, suite: (context: { cluster: () => TemporaryPostgresCluster; freshDatabase: () => Promise<string> }) => void): void {
  if (policy.action !== 'run') {
    const reason = policy.reason;
    if (policy.action === 'fail') {
      describe(name, () => {
        it('needs a PostgreSQL server', () => {
          throw new Error(`PostgreSQL tests cannot run: ${reason}`);
        });
      });
    } else {
      describe.skip(`${name} — skipped: ${reason}`, () => suite({ cluster: () => undefined as never, freshDatabase: async () => '' }));
    }
    return;
  }
  const installation = policy.installation;
  describe(name, () => {
    let cluster: TemporaryPostgresCluster | undefined;
    beforeAll(async () => {
      cluster = await startTemporaryPostgres({ installation });
    }, 120_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);
    suite({
      cluster: () => cluster!,
      freshDatabase: () => cluster!.createDatabase(`test_${process.pid}_${++databases}`),
    });
  });
}
