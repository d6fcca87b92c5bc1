export { FeatureSchemaMismatchError } from './feature-schema-mismatch-error';
