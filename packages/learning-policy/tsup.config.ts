import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// `./testing`: seeded test layers and a priced prediction head for other packages' tests, off the runtime's entry.
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/testing.ts'] });
