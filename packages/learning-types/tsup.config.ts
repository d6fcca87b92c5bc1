import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// `./files`: the one atomic file writer (Node only), kept off the root entry of the data contracts.
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/files.ts'] });
