import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// Two entries: the command, and the oracle's worker thread (loaded by file next to it).
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/oracle-worker.ts'] });
