export { ExperienceStoreError } from './experience-store-error';
export { LockTimeoutError } from './lock-timeout-error';
export { ExperienceTooLargeError } from './experience-too-large-error';
export { LockLostError } from './lock-lost-error';
export { SegmentReadError } from './segment-read-error';
export { ExportError, type ExportErrorReason } from './export-error';
