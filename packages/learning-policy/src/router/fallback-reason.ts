/**
 * Why the router used the rules instead of the learned policy:
 *
 * | reason | when |
 * |---|---|
 * | `no-model` | no learned policy is loaded |
 * | `corrupt-artifact` | the last model artifact offered was missing files, corrupt, or failed its checksum |
 * | `schema-mismatch` | the model was trained on another feature schema (or action space) |
 * | `non-finite-output` | the network produced NaN or ±Infinity |
 * | `latency-budget` | the learned decision took longer than the latency budget |
 * | `constraint-violation` | the learned action broke a hard safety constraint |
 * | `policy-error` | the learned policy threw anything else or returned an invalid decision |
 */
export const fallbackReasons = [
  'no-model',
  'corrupt-artifact',
  'schema-mismatch',
  'non-finite-output',
  'latency-budget',
  'constraint-violation',
  'policy-error',
] as const;
export type FallbackReason = (typeof fallbackReasons)[number];
