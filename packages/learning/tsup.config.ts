import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// Two entries: the package, and the bulk-inference worker thread (loaded by file next to it; see context-inference-worker.ts).
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/ingest-inference-worker.ts'] });
