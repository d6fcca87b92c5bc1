/**
 * Test support shared by the workspace's tests (`@orchestra/test-utils`, private, never published): one way to hold
 * temporary directories, to catch what an action throws, and to run a script in its own Node process.
 */
export { caughtError } from './caught-error';
export { runNodeScript, type ScriptRun } from './run-node-script';
export { useTemporaryDirectories, useTemporaryDirectory } from './temporary-directories';
