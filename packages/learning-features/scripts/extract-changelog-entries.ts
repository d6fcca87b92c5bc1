/**
 * Builds data/changelog-entries.tsv: labelled change descriptions of public repositories outside the five of
 * data/commits.tsv.gz, taken from the CHANGELOG.md that pinned npm package versions ship (Conventional-Commits
 * changelogs group entries under "### Features", "### Bug Fixes", "### Performance Improvements"…; the heading is
 * the label). Used only as the further never-seen repositories check of `pnpm eval` (never for training or tuning).
 * Run: `node --import tsx scripts/extract-changelog-entries.ts` (needs the npm client and tar; the result is
 * committed, so tests and CI never run this).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANGELOG_SOURCES, parseChangelogEntries } from '../src/evaluation/changelog-entries';

const lines = ['repo\tcommit\ttype\tscope\tsubject'];
const directory = mkdtempSync(join(tmpdir(), 'orchestra-changelogs-'));
try {
  for (const source of CHANGELOG_SOURCES) {
    const spec = `${source.package}@${source.version}`;
    const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', directory], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const text = execFileSync('tar', ['-xzOf', join(directory, tarball), 'package/CHANGELOG.md'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const licence = execFileSync('tar', ['-xzOf', join(directory, tarball), source.licenceFile], { encoding: 'utf8' });
    writeFileSync(fileURLToPath(new URL(`../data/LICENSE-${source.package}`, import.meta.url)), licence);
    const entries = parseChangelogEntries(text);
    for (const entry of entries) lines.push([source.repository, entry.commit, entry.type, entry.scope, entry.subject].join('\t'));
    const counts = new Map<string, number>();
    for (const entry of entries) counts.set(entry.type, (counts.get(entry.type) ?? 0) + 1);
    console.log(`${spec} (${source.repository}): ${entries.length} entries ${JSON.stringify(Object.fromEntries(counts))}`);
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
const output = fileURLToPath(new URL('../data/changelog-entries.tsv', import.meta.url));
writeFileSync(output, `${lines.join('\n')}\n`);
console.log(`wrote ${output}: ${lines.length - 1} entries, ${readFileSync(output).length} bytes`);
