export {
  createDataSource,
  ensureDatabase,
  inTransaction,
  pingDataSource,
  runMigrations,
} from './data-source';
export type { DataSourceOptions, TransactionWork } from './data-source';
