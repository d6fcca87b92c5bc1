import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base';

// Two entries: the root (state encoding, action space, history…) and `./inference` (inferTaskContext and its
// classifiers). Splitting shares the inference code between them instead of copying it into both files.
export default defineConfig({ ...libraryBuild, entry: { index: 'src/index.ts', inference: 'src/inference/index.ts' }, splitting: true });
