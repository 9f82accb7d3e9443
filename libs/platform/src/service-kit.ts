import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import type { H2Channel as GrpcChannel } from './h2-channel';
import { Redis, type RedisOptions } from 'ioredis';
import type { DataSource, MigrationInterface } from 'typeorm';
import type { z } from 'zod';
import { GRPC_PACKAGES, grpcService, type ServiceName } from '@emporia/contracts';
import {
  createDataSource,
  migrateDatabase,
  openMigrated,
  pingDataSource,
} from '@emporia/persistence';
import { runMain, startService, type RunningService, type StartServiceOptions } from './bootstrap';
import { loadConfig } from './config';
import { grpcClient } from './grpc-client';
import { HealthRegistry, type ReadinessCheck } from './health';
import { createLogger, type Logger } from './logger';
import { PlatformModule } from './platform.module';
import type { AnyRawUnaryMethod } from './raw-grpc';
import { REDIS_CLIENT_OPTIONS } from './redis';
import { PostgresSweepLock, Sweeper, type Sweep, type SweepLock } from './sweeps';

/** What a resource gets when the kit opens it. */
export interface ResourceContext {
  service: string;
  logger: Logger;
  /** Consumers use it as their probe (is a dependency down?); the kit registers `check` in it. */
  health: HealthRegistry;
}

/** An opened resource: the value the service uses, its readiness check, how to close it. */
export interface OpenedResource<T> {
  value: T;
  /** Registered under the resource's name in the service's `resources` (shown by /readyz). */
  check?: ReadinessCheck;
  close?: () => Promise<void> | void;
  /** A database that can host the locks making sweeps run once across replicas. */
  sweepLock?: () => SweepLock;
}

/** A command of `main.ts` (`migrate`, `replay-dlq ...`) a resource brings along. */
export type ResourceCommand = (
  args: string[],
  ctx: { service: string; logger: Logger },
) => Promise<unknown>;

/**
 * Something a service connects to. `kind: 'database'` closes after every client (the last
 * consumers and relays may still write); clients close in the reverse order of opening.
 */
export interface ResourceSpec<T> {
  kind: 'client' | 'database';
  open(ctx: ResourceContext): Promise<OpenedResource<T>>;
  commands?: Record<string, ResourceCommand>;
}

export type ResourceSpecs = Record<string, ResourceSpec<unknown> | undefined>;

/** The opened values, by the names the service gave its resources (absent ones: undefined). */
export type OpenedResources<R extends ResourceSpecs> = {
  [K in keyof R]: R[K] extends ResourceSpec<infer T>
    ? T
    : R[K] extends ResourceSpec<infer T> | undefined
      ? T | undefined
      : never;
};

/** A background loop (the outbox relay): started once the servers listen, stopped after intake. */
export interface Worker {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** A message consumer: started last, stopped first. */
export interface Consumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Nest's `app.get`: a provider of the running service (a use case for a sweep or a consumer). */
export type Get = <T>(token: Type<T> | string | symbol) => T;

/** What a service builds from its config and opened resources. */
export interface Assembly {
  controllers?: Type<unknown>[];
  providers?: Provider[];
  workers?: Worker[];
  /** After the servers listen and the workers started, before sweeps and consumers start. */
  ready?: (get: Get) => Promise<void>;
  sweeps?: (get: Get) => Sweep[];
  consumers?: (get: Get) => Consumer[];
  /** Extra set-up of the HTTP app before it listens (the gateway's routes' plumbing). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /**
   * Hot unary RPCs answered by raw handlers on the same gRPC server, past Nest's pipeline
   * (`rawUnary(...)`, libs/platform/README.md#raw-grpc-handlers); called as the server starts.
   */
  rawGrpc?: (get: Get) => AnyRawUnaryMethod[];
}

export interface ServiceDefinition<S extends z.ZodTypeAny, R extends ResourceSpecs> {
  /** The service's name: logs, the sweeps' lock keys, Kafka client ids. */
  name: string;
  /** Its environment variables (LOG_LEVEL among them). */
  config: S;
  /** The HTTP server: /healthz, /readyz, /metrics (and the gateway's API). */
  http: (config: z.infer<S>) => StartServiceOptions['http'];
  /** The ops endpoints on a port of their own (the gateway, whose HTTP port is public). */
  ops?: (config: z.infer<S>) => { host: string; port: number };
  grpc?: (config: z.infer<S>) => { service: ServiceName; host: string; port: number };
  /** Opened in this order, closed in the reverse (databases last); each name is a health check. */
  resources?: (config: z.infer<S>) => R;
  assemble: (ctx: {
    config: z.infer<S>;
    logger: Logger;
    health: HealthRegistry;
    resources: OpenedResources<R>;
  }) => Assembly | Promise<Assembly>;
  /** Commands of `main.ts` besides `start` and the resources' (`grant-roles ...`). */
  commands?: Record<
    string,
    (args: string[], ctx: { config: z.infer<S>; logger: Logger }) => Promise<unknown>
  >;
}

/** Declares a service (see apps/README.md); `runService` and `launchService` run it. */
export function defineService<S extends z.ZodTypeAny, R extends ResourceSpecs = ResourceSpecs>(
  definition: ServiceDefinition<S, R>,
): ServiceDefinition<S, R> {
  return definition;
}

@Module({})
class ServiceModule {}

/**
 * Starts a declared service: opens its resources (registering their health checks), builds its
 * Nest module, starts the gRPC and HTTP servers, then its workers, `ready` hook, sweeps (once
 * across replicas) and consumers. `close()` stops them in the order that loses nothing: intake
 * (consumers, sweeps, workers) first, then the servers, then the clients, then the databases.
 * A start that fails closes whatever it opened.
 */
export async function launchService<S extends z.ZodTypeAny, R extends ResourceSpecs>(
  def: ServiceDefinition<S, R>,
  config: z.infer<S>,
  logger: Logger,
): Promise<RunningService> {
  const health = new HealthRegistry();
  const opened: { name: string; kind: 'client' | 'database'; opened: OpenedResource<unknown> }[] =
    [];
  const workers: Worker[] = [];
  const consumers: Consumer[] = [];
  let sweeper: Sweeper | undefined;
  let service: RunningService | undefined;

  const shutdown = async () => {
    health.markShuttingDown();
    const errors: unknown[] = [];
    const attempt = async (what: string, step: () => unknown) => {
      try {
        await step();
      } catch (err) {
        errors.push(err);
        logger.error({ err }, `${def.name}: stopping ${what} failed`);
      }
    };
    for (const c of [...consumers].reverse()) await attempt('a consumer', () => c.stop());
    if (sweeper) await attempt('the sweeps', () => sweeper?.stop());
    for (const w of [...workers].reverse()) await attempt('a worker', () => w.stop());
    if (service) await attempt('the servers', () => service?.close());
    for (const kind of ['client', 'database'] as const)
      for (const r of [...opened].reverse())
        if (r.kind === kind && r.opened.close) await attempt(r.name, r.opened.close);
    logger.info(`${def.name} stopped`);
    if (errors.length > 0) throw errors[0];
  };
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= shutdown());

  try {
    const values: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(def.resources?.(config) ?? {})) {
      if (!spec) continue;
      const r = await spec.open({ service: def.name, logger, health });
      opened.push({ name, kind: spec.kind, opened: r });
      if (r.check) health.register(name, r.check);
      values[name] = r.value;
    }
    const assembly = await def.assemble({
      config,
      logger,
      health,
      resources: values as OpenedResources<R>,
    });
    const grpc = def.grpc?.(config);
    const ops = def.ops?.(config);
    service = await startService({
      module: {
        module: ServiceModule,
        imports: [PlatformModule.forRoot(logger, { opsRoutes: !ops, health })],
        controllers: assembly.controllers ?? [],
        providers: assembly.providers ?? [],
      } satisfies DynamicModule,
      logger,
      http: def.http(config),
      ...(ops ? { ops } : {}),
      ...(grpc
        ? {
            grpc: {
              package: GRPC_PACKAGES[grpc.service],
              protoPath: grpcService(grpc.service).protoFile,
              includeDirs: grpcService(grpc.service).includeDirs,
              host: grpc.host,
              port: grpc.port,
              ...(assembly.rawGrpc
                ? {
                    raw: (app: NestFastifyApplication) =>
                      assembly.rawGrpc?.((token) => app.get(token)) ?? [],
                  }
                : {}),
            },
          }
        : {}),
      ...(assembly.configure ? { configure: assembly.configure } : {}),
    });
    const app = service.app;
    const get: Get = (token) => app.get(token);
    for (const w of assembly.workers ?? []) {
      await w.start();
      workers.push(w);
    }
    await assembly.ready?.(get);
    const sweeps = assembly.sweeps?.(get) ?? [];
    if (sweeps.length > 0) {
      const lock = opened.find((r) => r.opened.sweepLock)?.opened.sweepLock?.();
      if (!lock)
        throw new Error(
          `${def.name}: sweeps run once across replicas: declare a postgres resource`,
        );
      sweeper = new Sweeper(def.name, sweeps, lock, logger);
      sweeper.start();
    }
    for (const c of assembly.consumers?.(get) ?? []) {
      await c.start();
      consumers.push(c);
    }
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  return { ...service, close };
}

/**
 * The whole `main.ts`: loads the config (a bad variable stops start-up, named), then runs the
 * command: `start` (the default; SIGTERM/SIGINT stop it gracefully), a resource's (`migrate`,
 * `replay-dlq --topic <t> [--group <g>] [--dry-run] [--limit <n>]`) or the service's own.
 */
export function runService<S extends z.ZodTypeAny, R extends ResourceSpecs>(
  def: ServiceDefinition<S, R>,
  argv: string[] = process.argv.slice(2),
): void {
  runMain(() => runCommand(def, argv));
}

/** What `runService` runs: the command `argv` names, with the config from `env`. */
export async function runCommand<S extends z.ZodTypeAny, R extends ResourceSpecs>(
  def: ServiceDefinition<S, R>,
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService | void> {
  const config = loadConfig(def.config, env);
  const logger = createLogger(def.name, (config as { LOG_LEVEL?: string }).LOG_LEVEL);
  const [command = 'start', ...args] = argv;
  if (command === 'start') return launchService(def, config, logger);
  const own = def.commands?.[command];
  if (own) {
    await own(args, { config, logger });
    return;
  }
  const specs = Object.values(def.resources?.(config) ?? {});
  const bundled = specs.map((s) => s?.commands?.[command]).find((c) => c !== undefined);
  if (bundled) {
    await bundled(args, { service: def.name, logger });
    return;
  }
  const known = [
    'start',
    ...Object.keys(def.commands ?? {}),
    ...specs.flatMap((s) => Object.keys(s?.commands ?? {})),
  ];
  throw new Error(`${def.name}: unknown command '${command}' (commands: ${known.join(', ')})`);
}

/** A Postgres resource's declaration. */
export interface PostgresOptions {
  url: string;
  migrations: (new () => MigrationInterface)[];
  /** TypeORM entities, for a service that uses the ORM's repositories. */
  entities?: Parameters<typeof createDataSource>[0]['entities'];
  poolSize?: number;
  /** Named prepared statements (default on; `DB_PREPARED_STATEMENTS`). */
  preparedStatements?: boolean;
  /** Apply pending migrations at start (development); else a pending one stops the start. */
  migrateOnStart?: { enabled: boolean; variable: string };
}

export interface PostgresSpec extends ResourceSpec<DataSource> {
  /** A data source not yet initialised (a one-off command's own connection). */
  dataSource(service: string): DataSource;
  /** Creates the database if missing and applies pending migrations (the migration job). */
  migrate(service: string, logger: Logger): Promise<string[]>;
}

/**
 * The service's database: refuses a schema with pending migrations (never `synchronize`), hosts
 * the sweeps' locks, and brings the `migrate` command.
 */
export function postgresResource(opts: PostgresOptions): PostgresSpec {
  const dataSource = (service: string) =>
    createDataSource({
      url: opts.url,
      entities: opts.entities ?? [],
      migrations: opts.migrations,
      poolSize: opts.poolSize,
      preparedStatements: opts.preparedStatements,
      applicationName: `emporia-${service}`,
    });
  const migrate = (service: string, logger: Logger) =>
    migrateDatabase(opts.url, dataSource(service), logger, service);
  return {
    kind: 'database',
    dataSource,
    migrate,
    commands: { migrate: (_args, { service, logger }) => migrate(service, logger) },
    async open({ service, logger }) {
      const flag = opts.migrateOnStart;
      if (flag?.enabled) await migrate(service, logger);
      const ds = await openMigrated(dataSource(service), service, flag?.variable ?? 'migrate');
      return {
        value: ds,
        check: () => pingDataSource(ds),
        close: async () => {
          if (ds.isInitialized) await ds.destroy();
        },
        sweepLock: () => new PostgresSweepLock(opts.url, `emporia-${service}-sweeps`),
      };
    },
  };
}

/** Redis (ioredis), checked with PING. */
export function redisResource(url: string, options: RedisOptions = {}): ResourceSpec<Redis> {
  return {
    kind: 'client',
    async open() {
      const redis = new Redis(url, { ...REDIS_CLIENT_OPTIONS, ...options });
      return {
        value: redis,
        check: async () => void (await redis.ping()),
        close: () => redis.disconnect(),
      };
    },
  };
}

/** Elasticsearch, checked by the cluster's health (red fails). */
export function elasticsearchResource(url: string): ResourceSpec<ElasticsearchClient> {
  return {
    kind: 'client',
    async open() {
      const { Client } = await import('@elastic/elasticsearch');
      const client = new Client({ node: url, requestTimeout: 10000, maxRetries: 2 });
      return {
        value: client,
        check: async () => {
          const health = await client.cluster.health({ timeout: '2s' });
          if (health.status === 'red') throw new Error('cluster status red');
        },
        close: () => client.close(),
      };
    },
  };
}

/**
 * A gRPC client of another service of the platform. `readiness: true` makes its channel a
 * readiness check (the service cannot work without it); otherwise it fails open.
 */
export function grpcBackend<T extends object>(
  name: ServiceName,
  opts: { url: string; deadlineMs: number; readiness: boolean },
): ResourceSpec<{ api: T; client: GrpcChannel }> {
  return {
    kind: 'client',
    async open() {
      const backend = grpcClient<T>({
        name,
        ...grpcService(name),
        url: opts.url,
        deadlineMs: opts.deadlineMs,
      });
      return {
        value: backend,
        ...(opts.readiness ? { check: () => backend.client.waitForReady(1000) } : {}),
        close: () => backend.client.close(),
      };
    },
  };
}
