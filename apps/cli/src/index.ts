export { runCli, buildProgram, USAGE_ERROR_EXIT_CODE, FAILURE_EXIT_CODE } from './run-cli';
export { processIo, type CliIo } from './terminal';
