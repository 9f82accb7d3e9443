import { Client } from 'pg';
import { DataSource, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import {
  preparingClient,
  type PreparedStatementOptions,
  StatementNames,
} from './prepared-statements';

export interface DataSourceOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
  /**
   * Named prepared statements (`prepared-statements.ts`; default on): `false` for a connection
   * pooler that cannot carry them (`DB_PREPARED_STATEMENTS`).
   */
  preparedStatements?: boolean | PreparedStatementOptions;
}

/** Startup options of every session: READ COMMITTED, whatever the server's default. */
const SESSION_OPTIONS = '-c default_transaction_isolation=read\\ committed';

/** A Postgres data source. Schema changes come from migrations only: never `synchronize`. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? 'emporia',
    // every session starts its transactions READ COMMITTED (inTransaction relies on it: no
    // `SET TRANSACTION ISOLATION LEVEL` round trip per transaction)
    extra: {
      connectionTimeoutMillis: 5000,
      options: SESSION_OPTIONS,
      // named statements (unless turned off) and BEGIN sent with a transaction's first statement
      Client: preparingClient(
        opts.preparedStatements === false
          ? undefined
          : new StatementNames(
              typeof opts.preparedStatements === 'object' ? opts.preparedStatements : {},
            ),
      ),
    },
  });
}

/** Runs pending migrations, each in its own transaction; returns the names applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** Creates the database named in `url` if it does not exist (connects to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/.test(name)) {
    throw new Error(`database name '${name}' in the URL is not a plain identifier`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } catch (e) {
        // another process created it between our check and create
        if ((e as { code?: string }).code !== '42P04') throw e;
      }
    }
  } finally {
    await client.end();
  }
}

export type TransactionWork<T> = (manager: EntityManager) => Promise<T>;

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';

/**
 * Runs `work` in one transaction; retries a bounded number of times when Postgres reports a
 * serialization failure or deadlock (the work must therefore be safe to run again).
 */
export async function inTransaction<T>(
  ds: DataSource,
  work: TransactionWork<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // READ COMMITTED: the session's default (SESSION_OPTIONS), so no SET per transaction
      return await ds.transaction(work);
    } catch (e) {
      const code =
        (e as { code?: string; driverError?: { code?: string } }).driverError?.code ??
        (e as { code?: string }).code;
      if (attempt >= attempts || (code !== SERIALIZATION_FAILURE && code !== DEADLOCK)) throw e;
      await new Promise((r) => setTimeout(r, 10 * attempt));
    }
  }
}

/** Readiness probe for a data source. */
export async function pingDataSource(ds: DataSource): Promise<void> {
  await ds.query('SELECT 1');
}

/**
 * The migration job of a service: creates its database if missing, applies pending migrations
 * (each in its own transaction), and returns their names.
 */
export async function migrateDatabase(
  url: string,
  dataSource: DataSource,
  logger: { info(obj: object, msg: string): void },
  service: string,
): Promise<string[]> {
  await ensureDatabase(url);
  const ds = await dataSource.initialize();
  try {
    const applied = await runMigrations(ds);
    logger.info(
      { applied },
      applied.length ? `${service} migrations applied` : `${service} schema up to date`,
    );
    return applied;
  } finally {
    await ds.destroy();
  }
}

/** Opens a service's data source, refusing a schema with pending migrations (never `synchronize`). */
export async function openMigrated(
  dataSource: DataSource,
  service: string,
  migrateFlag: string,
): Promise<DataSource> {
  const ds = await dataSource.initialize();
  if (await ds.showMigrations()) {
    await ds.destroy();
    throw new Error(
      `${service} database has pending migrations: run the migration job (or set ${migrateFlag}=true)`,
    );
  }
  return ds;
}
