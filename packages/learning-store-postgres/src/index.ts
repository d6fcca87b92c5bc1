export {
  PostgresExperienceStore,
  postgresStoreConfigSchema,
  isUnavailableError,
  SCHEMA_VERSION,
  FAILOVER_DIRECTORY,
  type PostgresStoreConfig,
  type PostgresStoreConfigInput,
  type PostgresStoreOptions,
} from './postgres-experience-store';
export { FailoverSpool } from './failover-spool';
export { migrations, tableNames, quoteIdentifier, type Migration, type TableNames } from './schema';
export { exactDecimal } from './exact-decimal';
export { isPostgresUrl, redactUrl } from './store-url';
export { sqlFilter, type SqlFilter } from './sql-filter';
