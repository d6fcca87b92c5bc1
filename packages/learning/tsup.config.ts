import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// Three entries: the package, and its two worker threads (loaded by file next to it): bulk inference
// (context-inference-worker.ts) and session-file ingest (ingest-worker-pool.ts).
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/ingest-inference-worker.ts', 'src/ingest-build-worker.ts'] });
