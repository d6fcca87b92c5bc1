/** The decide-tracing benchmark alone (`pnpm --filter @orchestra/learning bench:tracing`). */
import { writeBenchModel } from './bench-model';
import { benchmarkDecideTracing, reportDecideTracing } from './decide-tracing';

const { root, modelDirectory } = await writeBenchModel('learning-bench-tracing-');
reportDecideTracing(await benchmarkDecideTracing(root, modelDirectory));
