/**
 * What `action` threw (or the promise it returned rejected with), or `undefined` when it completed: the value a test
 * then asserts on, instead of a `try`/`catch` of its own.
 */
export function caughtError(action: () => Promise<unknown>): Promise<unknown>;
export function caughtError(action: () => unknown): unknown;
export function caughtError(action: () => unknown): unknown {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    return error;
  }
  if (result instanceof Promise) return result.then(() => undefined, (error: unknown) => error);
  return undefined;
}
