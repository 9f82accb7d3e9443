export {
  createDataSource,
  ensureDatabase,
  inTransaction,
  migrateDatabase,
  openMigrated,
  pingDataSource,
  runMigrations,
} from './data-source';
export type { DataSourceOptions, TransactionWork } from './data-source';
export { isUniqueViolation, UNIQUE_VIOLATION } from './errors';
export { holdable, preparable, preparingClient, StatementNames } from './prepared-statements';
export type { HoldingClient, PreparedStatementOptions } from './prepared-statements';
export { anyOf, qualified, Sql, unprefixed } from './sql';
export type { SqlRunner } from './sql';
