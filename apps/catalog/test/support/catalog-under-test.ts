import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { catalogV1, PROTO_FILES } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { startCatalog } from '../../src/catalog.app';
import { catalogConfigSchema } from '../../src/config';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;
type CatalogClient = ReturnType<typeof grpcTestClient>;

/** One catalog process and the gRPC client that talks to it. */
export interface CatalogReplica {
  service: RunningService;
  client: CatalogClient;
}

/** A catalog on a database of its own, over real Postgres and Kafka, for one test file. */
export interface CatalogUnderTest {
  db: TestDatabase;
  /** The first (or only) replica's process and client. */
  service: RunningService;
  client: CatalogClient;
  /** Every replica, in start order, all on `db`. */
  replicas: CatalogReplica[];
  /** Calls a CatalogService method on the first replica. */
  call<T>(method: string, req: unknown): Promise<T>;
  /** A plain connection to the catalog's database, for looking behind the API. */
  pg: Client;
  /** KAFKA_TOPIC_PREFIX as configured. */
  prefix: string;
  /** Closes clients, the connection and the processes, then drops the database. */
  close(): Promise<void>;
}

/**
 * Creates a database named after `name`, starts the catalog on it (migrations on start, gRPC
 * on a free port) and connects a gRPC client and a pg client. `env` adds or overrides
 * variables of the catalog's config; `replicas` starts that many processes on the one
 * database (each with its own port, all in one consumer group). Meant for `beforeAll`, with
 * `close()` in `afterAll`; if start-up fails half-way, what was started is closed again.
 */
export async function startTestCatalog(
  name: string,
  env: Record<string, string> = {},
  { replicas = 1 }: { replicas?: number } = {},
): Promise<CatalogUnderTest> {
  const db = await createTestDatabase(name);
  const started: CatalogReplica[] = [];
  let pg: Client | undefined;
  const close = async () => {
    for (const r of started) r.client.close();
    await pg?.end();
    for (const r of started) await r.service.close();
    await db.drop();
  };
  try {
    const base = {
      CATALOG_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `t${uniqueSuffix()}.`,
      CATALOG_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_MIGRATE_ON_START: 'true',
      // a group of its own: the default 'catalog' is shared with every other catalog on this
      // Kafka (the replicas of this one share it, as replicas do)
      CATALOG_CONSUMER_GROUP: `catalog-it${uniqueSuffix()}`,
      ...env,
    };
    for (let i = 0; i < replicas; i++) {
      const config = catalogConfigSchema.parse({
        ...base,
        CATALOG_GRPC_PORT: String(await freePort()),
      });
      const service = await startCatalog(
        config,
        testLogger(replicas === 1 ? 'catalog' : `catalog-${i}`),
      );
      started.push({
        service,
        client: grpcTestClient(
          PROTO_FILES.catalog,
          'emporia.catalog.v1.CatalogService',
          service.grpcUrl!,
        ),
      });
    }
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const [first] = started;
    return {
      db,
      service: first.service,
      client: first.client,
      replicas: started,
      call: <T>(method: string, req: unknown) => first.client.call<T>(method, req),
      pg,
      prefix: base.KAFKA_TOPIC_PREFIX,
      close,
    };
  } catch (e) {
    await close().catch(() => undefined); // the start-up error is the one to see
    throw e;
  }
}

/** Expects a gRPC call to fail; resolves with its error as the service sent it. */
export const failure = grpcFailure;

/** A product's ProductUpdated events in the outbox, decoded, in commit order. */
export const productUpdates = async (pg: Client, productId: string) =>
  (
    await pg.query<{ payload: Buffer }>(
      `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductUpdated' ORDER BY seq`,
      [productId],
    )
  ).rows.map((r) => catalogV1.ProductUpdated.decode(r.payload));

/** Runs a migration down and up again over `pg`, as TypeORM would. */
export async function rerunMigration(migration: MigrationInterface, pg: Client): Promise<void> {
  const runner = { query: (sql: string) => pg.query(sql) } as unknown as QueryRunner;
  await migration.down(runner);
  await migration.up(runner);
}
