import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraSegmentReadError';

/**
 * A segment of the buffer could not be read to its end (a corrupt or truncated gzip stream, an I/O error). The
 * store's reader catches it, quarantines the segment as `corrupt-segment` and goes on with the others.
 */
export class SegmentReadError extends OrchestraError {
  /** File name of the segment, e.g. `experiences.000003.jsonl.gz`. */
  readonly segment: string;
  /** Lines read from it before the failure. */
  readonly line: number;
  /** The segment's fingerprint (hash of its first bytes), when any were read. */
  readonly fingerprint: string | undefined;

  constructor({ segment, line, fingerprint, cause }: { segment: string; line: number; fingerprint: string | undefined; cause: unknown }) {
    super({
      name,
      code: 'ORCHESTRA_SEGMENT_READ',
      message: `Segment ${segment} is unreadable after line ${line}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
    this.segment = segment;
    this.line = line;
    this.fingerprint = fingerprint;
  }

  static override isInstance(error: unknown): error is SegmentReadError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
