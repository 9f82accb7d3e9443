import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { GRPC_SERVER_OPTIONS, grpcLoaderOptions } from './grpc';
import { HandlerErrorReporter, RawGrpcServer, type AnyRawUnaryMethod } from './raw-grpc';
import { HealthRegistry, startOpsServer } from './health';
import { NestPinoLogger } from './logger';
import { flushTracing, traceHttpServer } from './trace-hooks';

export interface GrpcServerOptions {
  package: string;
  protoPath: string;
  includeDirs: string[];
  host: string;
  port: number;
  /**
   * Unary RPCs answered by raw handlers instead of the Nest pipeline (`RawUnaryMethod`, see
   * raw-grpc.ts and the platform README): called once the app's providers exist, as the
   * gRPC server starts.
   */
  raw?: (app: NestFastifyApplication) => AnyRawUnaryMethod[];
}

export interface StartServiceOptions {
  module: Type<unknown> | DynamicModule;
  logger: Logger;
  /**
   * `trustProxy`: the client address comes from X-Forwarded-For (behind a load balancer).
   * `fastify`: how the server answers what never reaches a route (the gateway's problem+json
   * for a bad URL, a path parameter too long, headers too large).
   */
  http: {
    host: string;
    port: number;
    trustProxy?: boolean;
    fastify?: Pick<
      FastifyServerOptions,
      'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'
    >;
  };
  /**
   * Serve /healthz, /readyz and /metrics on this port instead of the HTTP port (whose module
   * then mounts `PlatformModule.forRoot(logger, { opsRoutes: false })`): the gateway's HTTP port
   * is public, its operations endpoints are not.
   */
  ops?: { host: string; port: number };
  grpc?: GrpcServerOptions;
  /** Extra set-up of the HTTP app before it listens (the gateway adds its routes' plumbing). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

export interface RunningService {
  app: NestFastifyApplication;
  httpUrl: string;
  /** Where /healthz, /readyz and /metrics are, when they have a port of their own. */
  opsUrl?: string;
  grpcUrl?: string;
  close(): Promise<void>;
}

/**
 * Starts a service: an HTTP server (ops endpoints, and the gateway's API) and, for backend
 * services, a gRPC server. `close()` shuts down gracefully: intake stops, lifecycle hooks
 * drain relays and consumers, connections close. `runMain` calls it on SIGTERM/SIGINT.
 */
export async function startService(opts: StartServiceOptions): Promise<RunningService> {
  const app = await NestFactory.create<NestFastifyApplication>(
    opts.module,
    new FastifyAdapter({
      bodyLimit: 1024 * 1024,
      trustProxy: opts.http.trustProxy ?? false,
      ...opts.http.fastify,
    }),
    { logger: new NestPinoLogger(opts.logger), bufferLogs: false },
  );
  let grpcUrl: string | undefined;
  if (opts.grpc) {
    grpcUrl = `${opts.grpc.host}:${opts.grpc.port}`;
    const options = {
      package: opts.grpc.package,
      protoPath: opts.grpc.protoPath,
      url: grpcUrl,
      loader: grpcLoaderOptions(opts.grpc.includeDirs),
      channelOptions: GRPC_SERVER_OPTIONS,
    };
    const raw = opts.grpc.raw;
    // every RPC counted and timed; the hot ones the service names answered by raw handlers
    const ms = app.connectMicroservice<MicroserviceOptions>(
      {
        strategy: new RawGrpcServer(
          options,
          () => (raw ? raw(app) : []),
          new HandlerErrorReporter(opts.logger),
        ),
      },
      { deferInitialization: true },
    );
    // Filters must be registered before the microservice initialises (hence deferInitialization).
    ms.useGlobalFilters(new GrpcExceptionFilter(opts.logger));
  }
  // each request a span when tracing is on (and sampled where it enters)
  traceHttpServer(app.getHttpServer());
  try {
    await opts.configure?.(app);
    await app.startAllMicroservices();
    await app.listen(opts.http.port, opts.http.host);
  } catch (e) {
    // a server that did start (the gRPC port bound) closes with the app
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.http.port;
  const httpUrl = `http://${opts.http.host}:${port}`;
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  try {
    if (opts.ops) ops = await startOpsServer(app.get(HealthRegistry), opts.ops.host, opts.ops.port);
  } catch (e) {
    await app.close();
    throw e;
  }
  opts.logger.info({ httpUrl, opsUrl: ops?.url, grpcUrl }, 'service started');
  return {
    app,
    httpUrl,
    ...(ops ? { opsUrl: ops.url } : {}),
    ...(grpcUrl ? { grpcUrl } : {}),
    close: async () => {
      if (!ops) return app.close();
      // /readyz says 503 while the app drains, so no new traffic is sent; then the port closes.
      app.get(HealthRegistry).markShuttingDown();
      try {
        await app.close();
      } finally {
        await ops.close();
      }
    },
  };
}

/**
 * For main.ts: runs `fn`; on failure prints the reason (a config error names the variable) and
 * exits 1. When `fn` returns a running service, SIGTERM/SIGINT close it gracefully (stop intake,
 * drain, close connections) and exit 0; a shutdown that hangs past `graceMs` exits 1.
 */
export function runMain(fn: () => Promise<RunningService | void>, graceMs = 25000): void {
  fn().then(
    (service) => {
      if (!service) return;
      const shutdown = (signal: NodeJS.Signals) => {
        setTimeout(() => {
          process.stderr.write(`shutdown did not finish within ${graceMs} ms after ${signal}\n`);
          process.exit(1);
        }, graceMs).unref();
        // the spans of the last requests are sent before the process ends
        service.close().then(
          () => flushTracing().then(() => process.exit(0)),
          (e: unknown) => {
            process.stderr.write(
              `error during shutdown: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            void flushTracing().then(() => process.exit(1));
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

export type { INestApplication };
