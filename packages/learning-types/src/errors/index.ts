export { OrchestraError } from './orchestra-error';
export { ValidationError, type ValidationIssue } from './validation-error';
export { SchemaVersionError } from './schema-version-error';
