import { main } from './main';

// `node dist/index.js [flags]` (what `pnpm demo` runs).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
