import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { grpcLoaderOptions } from './grpc';
import { NestPinoLogger } from './logger';

export interface GrpcServerOptions {
  package: string;
  protoPath: string;
  includeDirs: string[];
  host: string;
  port: number;
}

export interface StartServiceOptions {
  module: Type<unknown> | DynamicModule;
  logger: Logger;
  /** `trustProxy`: the client address comes from X-Forwarded-For (behind a load balancer). */
  http: { host: string; port: number; trustProxy?: boolean };
  grpc?: GrpcServerOptions;
  /** Extra set-up of the HTTP app before it listens (the gateway adds its routes' plumbing). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

export interface RunningService {
  app: NestFastifyApplication;
  httpUrl: string;
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
    new FastifyAdapter({ bodyLimit: 1024 * 1024, trustProxy: opts.http.trustProxy ?? false }),
    { logger: new NestPinoLogger(opts.logger), bufferLogs: false },
  );
  let grpcUrl: string | undefined;
  if (opts.grpc) {
    grpcUrl = `${opts.grpc.host}:${opts.grpc.port}`;
    const ms = app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.GRPC,
        options: {
          package: opts.grpc.package,
          protoPath: opts.grpc.protoPath,
          url: grpcUrl,
          loader: grpcLoaderOptions(opts.grpc.includeDirs),
        },
      },
      { deferInitialization: true },
    );
    // Filters must be registered before the microservice initialises (hence deferInitialization).
    ms.useGlobalFilters(new GrpcExceptionFilter(opts.logger));
  }
  await opts.configure?.(app);
  await app.startAllMicroservices();
  await app.listen(opts.http.port, opts.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : opts.http.port;
  const httpUrl = `http://${opts.http.host}:${port}`;
  opts.logger.info({ httpUrl, grpcUrl }, 'service started');
  return { app, httpUrl, ...(grpcUrl ? { grpcUrl } : {}), close: () => app.close() };
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
        service.close().then(
          () => process.exit(0),
          (e: unknown) => {
            process.stderr.write(
              `error during shutdown: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            process.exit(1);
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
