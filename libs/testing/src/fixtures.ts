import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createLogger, type Logger } from '@emporia/platform';
import type { DataSource } from 'typeorm';

/** A short random suffix for names that must not collide between test runs and workers. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: integration tests run under the 'integration' jest project`,
    );
  return v;
}

export const testEnv = {
  postgresUrl: () => requireEnv('POSTGRES_URL'),
  redisUrl: () => requireEnv('REDIS_URL'),
  kafkaBrokers: () => requireEnv('KAFKA_BROKERS'),
  elasticsearchUrl: () => requireEnv('ELASTICSEARCH_URL'),
};

/** A fresh, empty database for one suite; `drop()` removes it. */
export async function createTestDatabase(
  prefix: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${uniqueSuffix()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: testEnv.postgresUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(testEnv.postgresUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: testEnv.postgresUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Runs `migrations` (a service's list, or the first ones of it) on the database at `url`, each in
 * its own transaction, as the service's migrate step would: the names applied. For migration
 * tests that load rows between two steps.
 */
export async function migrateTestDatabase(
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[],
): Promise<string[]> {
  const ds = createDataSource({ url, entities: [], migrations });
  await ds.initialize();
  try {
    return await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * A data source of one pooled connection on the database at `url`, `migrations` run on it: every
 * statement of a suite meets the statements the connection prepared before (a round trip counted
 * on it is a warmed one). The caller destroys it.
 */
export async function oneConnectionDataSource(
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[] = [],
): Promise<DataSource> {
  const ds = await createDataSource({ url, entities: [], migrations, poolSize: 1 }).initialize();
  if (migrations.length > 0) await runMigrations(ds);
  return ds;
}

/**
 * What `work` answers, and the round trips to Postgres made while it ran: calls of pg's own
 * `Client.query` (the services' client sends a statement with the `BEGIN` and held writes that go
 * with it in one call, one round trip). `work` may read the count so far (`trips`). Counts every
 * client of the process meanwhile: run nothing else at the same time.
 */
export async function withRoundTrips<T>(
  work: (trips: () => number) => Promise<T>,
): Promise<[T, number]> {
  const query = Client.prototype.query;
  let calls = 0;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    calls++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    const result = await work(() => calls);
    return [result, calls];
  } finally {
    Client.prototype.query = query;
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 20000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A logger for tests: quiet unless TEST_LOG_LEVEL is set. */
export function testLogger(service: string): Logger {
  return createLogger(service, process.env.TEST_LOG_LEVEL ?? 'silent');
}

/** Ports this process has handed out: never handed out twice, even before their server binds. */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 right now (for servers that cannot report an ephemeral port),
 * chosen below Linux's ephemeral range (32768-60999): a port from that range can be taken, before
 * the server binds it, as the local port of an outgoing connection, even one to itself (a client
 * dialling a server that is not listening yet). Each jest worker draws from a slice of
 * 20000-31999 of its own (JEST_WORKER_ID), so two suites running at once never pick the same
 * port between the check and the bind; within a worker a port is handed out once.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  const SLICES = 4;
  const size = 12_000 / SLICES;
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const base = 20_000 + ((Number.isInteger(worker) && worker > 0 ? worker - 1 : 0) % SLICES) * size;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = base + Math.floor(Math.random() * size);
    if (handedOut.has(port)) continue;
    if (await tryPort(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port in ${base}-${base + size - 1} after 100 tries`);
}
