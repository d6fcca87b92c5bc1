import { afterAll, beforeAll, describe, it } from 'vitest';
import { findPostgres, isMissingPostgres, startTemporaryPostgres, type TemporaryPostgresCluster } from '../testing';

const found = await findPostgres();
/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresMissing = isMissingPostgres(found) ? found.reason : undefined;

let databases = 0;

/**
 * `describe` with a throwaway PostgreSQL cluster of its own (started before its tests, removed after them). Without
 * PostgreSQL the suite fails loudly under CI (`CI` set: `.ci/run` installs it) and is skipped, with the reason in
 * its name, elsewhere.
 */
export function describeWithPostgres(name: string, suite: (context: { cluster: () => TemporaryPostgresCluster; freshDatabase: () => Promise<string> }) => void): void {
  if (postgresMissing !== undefined) {
    if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
      describe(name, () => {
        it('needs a PostgreSQL server', () => {
          throw new Error(`PostgreSQL tests cannot run: ${postgresMissing}. CI must install it (.ci/run: apt-get install -y postgresql).`);
        });
      });
    } else {
      describe.skip(`${name} — skipped: ${postgresMissing}`, () => suite({ cluster: () => undefined as never, freshDatabase: async () => '' }));
    }
    return;
  }
  describe(name, () => {
    let cluster: TemporaryPostgresCluster | undefined;
    beforeAll(async () => {
      cluster = await startTemporaryPostgres({ installation: found as Exclude<typeof found, { missing: true }> });
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
