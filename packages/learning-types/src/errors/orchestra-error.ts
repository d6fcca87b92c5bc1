const marker = 'orchestra.learning.error';
const symbol = Symbol.for(marker);

/**
 * Base class of every error thrown by Orchestra Learning packages.
 *
 * Use `OrchestraError.isInstance(error)` rather than `instanceof`: it also recognises errors created by a second
 * copy of this package (two versions installed side by side), where `instanceof` fails.
 */
export class OrchestraError extends Error {
  private readonly [symbol] = true;

  /** Stable machine-readable code, e.g. `ORCHESTRA_VALIDATION`. */
  readonly code: string;

  constructor({ name, code, message, cause }: { name: string; code: string; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
  }

  /** True for any error created by any copy of the Orchestra Learning packages. */
  static isInstance(error: unknown): error is OrchestraError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
