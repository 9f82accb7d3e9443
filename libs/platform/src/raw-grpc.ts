import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { contextFromTraceparent, runWithContext, type RequestContext } from './context';
import { inContextTrace } from './trace-hooks';
import { isCodedError, isUnavailableFailure, toGrpcError } from './errors';
import { ThrottledWarning } from './fail-open';
import { counter, histogram } from './metrics';

/**
 * A unary RPC answered by a plain function on the service's gRPC server, without Nest's
 * pipeline (no router proxy, observables, processing hooks or exception filters): for hot RPCs
 * whose cost per call matters. The server keeps what a Nest handler gets from the platform:
 *
 * - the request context from the caller's `traceparent` (a new span), passed as `ctx` and
 *   current (`currentContext()`, so log lines carry the trace id) while `handle` runs;
 * - errors mapped to gRPC statuses as `GrpcExceptionFilter` maps them (`toGrpcError`: a coded
 *   error keeps its kind and code, an unavailable dependency is UNAVAILABLE and one throttled
 *   warning, anything else INTERNAL and logged with its stack);
 * - metrics: `emporia_grpc_server_handled_total{service,method,code}` and
 *   `emporia_grpc_server_handling_seconds{service,method}`.
 *
 * The request is the object proto-loader decoded (the shapes of the ts-proto interfaces, as a
 * Nest handler receives it); the answer is encoded the same way.
 */
export interface RawUnaryMethod<Req = never, Res = unknown> {
  /** The service's name inside its proto package: `MarketingService`. */
  service: string;
  /** The RPC as the proto names it (`TryFlashPurchases`) or camelCased (`tryFlashPurchases`). */
  method: string;
  handle(req: Req, ctx: RequestContext, call: ServerUnaryCall<Req, Res>): Promise<Res> | Res;
}

/** A `RawUnaryMethod`, typed by the request and answer of the RPC (ts-proto's interfaces). */
export function rawUnary<Req, Res>(
  service: string,
  method: string,
  handle: RawUnaryMethod<Req, Res>['handle'],
): RawUnaryMethod<Req, Res> {
  return { service, method, handle };
}

/** Any raw method, whatever its request and answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRawUnaryMethod = RawUnaryMethod<any, any>;

const handled = counter(
  'emporia_grpc_server_handled_total',
  'RPCs answered by the gRPC server, by service, method and status code (0: OK)',
  ['service', 'method', 'code'],
);
const handlingSeconds = histogram(
  'emporia_grpc_server_handling_seconds',
  'Time the gRPC server took to answer an RPC',
  ['service', 'method'],
  [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
);

/** Records one RPC's answers (label sets bound once: recording costs no label hashing per call). */
function rpcMeter(service: string, method: string) {
  const timer = handlingSeconds.labels(service, method);
  const byCode = new Map<number, { inc(): void }>();
  return (started: bigint, code: number) => {
    timer.observe(Number(process.hrtime.bigint() - started) / 1e9);
    let c = byCode.get(code);
    if (!c) byCode.set(code, (c = handled.labels(service, method, String(code))));
    c.inc();
  };
}

/** Logs a failed handler's error as `GrpcExceptionFilter` does: coded errors are answers, not logs. */
export class HandlerErrorReporter {
  private readonly unavailable: ThrottledWarning;

  constructor(private readonly logger: Logger) {
    this.unavailable = new ThrottledWarning(logger, 10_000);
  }

  report(e: unknown): void {
    if (isCodedError(e)) return;
    if (isUnavailableFailure(e))
      this.unavailable.warn(
        { err: e },
        'gRPC handler failed: a dependency is unavailable (answered UNAVAILABLE)',
      );
    else this.logger.error({ err: e }, 'unhandled error in gRPC handler');
  }
}

/**
 * The grpc-js handler answering `m`'s calls (exported for tests; `startService` binds it).
 * `labels`: the service and method as the metrics name them (the service's short name, the RPC
 * as the proto names it: what Nest's handlers are counted under), whatever spelling `m` used.
 */
export function rawUnaryHandler(
  m: AnyRawUnaryMethod,
  reporter: HandlerErrorReporter,
  labels: { service: string; method: string } = m,
): (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void {
  const record = rpcMeter(labels.service, labels.method);
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const raw = call.metadata.get('traceparent')[0];
    const ctx = contextFromTraceparent(typeof raw === 'string' ? raw : undefined);
    const fail = (e: unknown) => {
      runWithContext(ctx, () => reporter.report(e));
      const err = toGrpcError(e);
      record(started, err.code);
      callback(err);
    };
    let answer: Promise<unknown> | unknown;
    try {
      // a call not sampled: its statements and calls make no span (tracing suppressed)
      answer = runWithContext(ctx, () =>
        inContextTrace(ctx, () => m.handle(call.request as never, ctx, call as never)),
      );
    } catch (e) {
      fail(e);
      return;
    }
    Promise.resolve(answer).then((res) => {
      record(started, 0);
      callback(null, res);
    }, fail);
  };
}

type UnaryImplementation = (
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
) => void;

/** A Nest handler's unary implementation, counted and timed as raw handlers are. */
function measuredUnary(
  service: string,
  method: string,
  implementation: UnaryImplementation,
): UnaryImplementation {
  const record = rpcMeter(service, method);
  return (call, callback) => {
    const started = process.hrtime.bigint();
    implementation(call, (err, ...rest) => {
      record(started, err ? (err.code ?? GRPC_UNKNOWN) : 0);
      callback(err, ...rest);
    });
  };
}

const GRPC_UNKNOWN = 2;

/** How long a stopping gRPC server waits for its calls in flight (under runMain's 25 s grace). */
export const GRPC_DRAIN_MS = 10_000;

type ServiceDefinition = Record<
  string,
  { originalName?: string; requestStream?: boolean; responseStream?: boolean; path?: string }
>;

/**
 * Nest's gRPC server with some unary RPCs answered by raw handlers instead of the Nest handlers
 * (or instead of UNIMPLEMENTED when no controller has them). `methods` is read when the server
 * starts, after dependency injection (handlers may use the app's providers). A raw method that
 * names no unary RPC of the served package stops the start.
 */
export class RawGrpcServer extends ServerGrpc {
  private readonly bound = new Set<AnyRawUnaryMethod>();
  private methods: AnyRawUnaryMethod[] | undefined;

  constructor(
    options: GrpcOptions['options'],
    private readonly rawMethods: () => AnyRawUnaryMethod[],
    private readonly reporter: HandlerErrorReporter,
  ) {
    super(options);
  }

  /**
   * Stops taking calls and lets those in flight finish (grpc-js `tryShutdown`: its connections
   * get GOAWAY, so callers send new calls to other replicas or see UNAVAILABLE, a 503 with
   * Retry-After at the gateway), for at most `GRPC_DRAIN_MS`; then ends what is left. Nest's own
   * close would cancel the calls in flight (CANCELLED: a 502 at the gateway, seen by the chaos
   * suite's SIGTERM of order under load).
   */
  override async close(): Promise<void> {
    const server = this.grpcClient;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, GRPC_DRAIN_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.grpcClient = null as unknown as typeof server;
  }

  override async bindEvents(): Promise<void> {
    this.methods = this.rawMethods();
    this.bound.clear();
    await super.bindEvents();
    const missing = this.methods.filter((m) => !this.bound.has(m));
    if (missing.length > 0)
      throw new Error(
        `raw gRPC handlers for RPCs the server does not serve: ${missing
          .map((m) => `${m.service}.${m.method}`)
          .join(', ')}`,
      );
  }

  override async createService(
    grpcService: { service: ServiceDefinition },
    name: string,
  ): Promise<Record<string, unknown>> {
    const implementation = (await super.createService(grpcService, name)) as Record<
      string,
      unknown
    >;
    const service = name.slice(name.lastIndexOf('.') + 1);
    for (const [key, def] of Object.entries(grpcService.service)) {
      if (def.requestStream || def.responseStream) continue;
      // Nest implements the camelCased name; the metrics name the RPC as the proto does
      for (const k of new Set([key, def.originalName ?? key])) {
        const implemented = implementation[k];
        if (typeof implemented === 'function')
          implementation[k] = measuredUnary(service, key, implemented as UnaryImplementation);
      }
    }
    for (const m of this.methods ?? []) {
      if (m.service !== name && !name.endsWith(`.${m.service}`)) continue;
      const key = Object.keys(grpcService.service).find(
        (k) => k === m.method || grpcService.service[k].originalName === m.method,
      );
      const def = key ? grpcService.service[key] : undefined;
      if (!key || !def || def.requestStream || def.responseStream) continue;
      // grpc-js takes the proto name's implementation first, then the camelCased one (Nest's)
      if (def.originalName) delete implementation[def.originalName];
      implementation[key] = rawUnaryHandler(m, this.reporter, { service, method: key });
      this.bound.add(m);
    }
    return implementation;
  }
}
