/**
 * OpenTelemetry tracing for a service process: HTTP (server and client), gRPC (server and
 * client), Postgres and Redis spans from the OpenTelemetry instrumentations, CLIENT spans for calls
 * no instrumentation sees (`inClientSpan`: search's Elasticsearch searches), and the Kafka spans
 * of libs/messaging (an outbox row's publish as a child of the request that wrote it, each event's
 * handling as a child of that publish), exported over OTLP/HTTP (protobuf).
 *
 * Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: then
 * nothing of the SDK is loaded and no code path changes. Every service's main.ts imports this
 * module first, so the instrumented modules (node:http, @grpc/grpc-js, pg, ioredis) are patched
 * before anything loads them. Only `start` (the default command) traces; `migrate` and the other
 * one-shot commands do not.
 *
 * Variables (the OpenTelemetry names; a bad value stops start-up naming it):
 * - `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's OTLP/HTTP base URL (spans go to `/v1/traces`);
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the full traces URL instead.
 * - `OTEL_TRACES_SAMPLER_ARG`: the share of new traces recorded, 0..1 (default 1); a request that
 *   arrives with a sampled `traceparent` is always recorded (parent-based sampling).
 * - `OTEL_SERVICE_NAME`: the service name (default: the app, from `apps/<app>/src/main`).
 * - `SERVICE_VERSION` (default: the repository's package.json version), `POD_NAME` (default: the
 *   host name) and `POD_NAMESPACE`: resource attributes `service.version`, `k8s.pod.name` and
 *   `k8s.namespace.name` (the Helm chart sets them from the pod).
 */
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from './config';
import {
  UNSAMPLED,
  setActiveSpanSource,
  setHttpRouteNamer,
  setHttpServerTracer,
  setUntracedRunner,
  setClientSpanRunner,
  setGrpcClientSpanRunner,
  setLinkedSpanRunner,
  setRootSampler,
  setSpanFlush,
} from './trace-hooks';

/** An http(s) URL, or empty (off). */
const httpUrl = () =>
  z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })])
    .default('');

/** The platform's tracing variables, read by every service (tools/deploy.spec.ts checks the chart's). */
export const tracingConfigSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  OTEL_SERVICE_NAME: z.string().default(''),
  SERVICE_VERSION: z.string().default(''),
  POD_NAME: z.string().default(''),
  POD_NAMESPACE: z.string().default(''),
});
export type TracingConfig = z.infer<typeof tracingConfigSchema>;

/** Paths that are probes and scrapes, not traffic: never traced. */
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Whether a request is recorded, decided where it enters: as its caller's `traceparent` says
 * (sampled bit), else `ratio` of them.
 */
export function headSampled(
  traceparent: string | string[] | undefined,
  ratio: number,
  random: () => number = Math.random,
): boolean {
  const header = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  const m = header
    ? /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(header.trim())
    : null;
  if (m && !/^0+$/.test(header!.trim().slice(3, 35))) return (parseInt(m[1], 16) & 1) === 1;
  return ratio >= 1 || (ratio > 0 && random() < ratio);
}

/** The app a main file belongs to: `apps/<app>/src/main.(ts|js)`. */
export function appOfMain(mainFile: string): string {
  const src = dirname(mainFile);
  return basename(src) === 'src' ? basename(dirname(src)) : basename(mainFile).replace(/\..*$/, '');
}

function repositoryVersion(): string {
  // libs/platform/src (or dist/libs/platform/src) → the repository's package.json
  for (const up of ['../../..', '../../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'emporia' && pkg.version) return pkg.version;
    } catch {
      // not there: the next candidate
    }
  }
  return '0.0.0';
}

/** The traces URL the exporter posts to, or '' when tracing is off. */
export function tracesUrl(config: TracingConfig): string {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return '';
  return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts the SDK when the config asks for it; returns whether it did. Loads OpenTelemetry only
 * then (require, not import: a process that does not trace never loads it).
 */
export function startTracing(
  service: string,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const config = loadConfig(tracingConfigSchema, env);
  const url = tracesUrl(config);
  if (!url) return false;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { isTracingSuppressed, suppressTracing } =
    require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GrpcInstrumentation } =
    require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const pod = config.POD_NAME || hostname();
  const ratio = config.OTEL_TRACES_SAMPLER_ARG;
  const ratioSampler = new TraceIdRatioBasedSampler(ratio);
  const tracer = api.trace.getTracer('@emporia/platform');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.OTEL_SERVICE_NAME || service,
      'service.namespace': 'emporia',
      'service.version': config.SERVICE_VERSION || repositoryVersion(),
      'service.instance.id': `${pod}:${process.pid}`,
      'k8s.pod.name': pod,
      ...(config.POD_NAMESPACE ? { 'k8s.namespace.name': config.POD_NAMESPACE } : {}),
    }),
    sampler: new ParentBasedSampler({
      // a request's HTTP span was sampled at the ingress already (below); other roots by ratio
      root: {
        shouldSample: (ctx, traceId, _name, kind, attributes) =>
          kind === api.SpanKind.SERVER && attributes['http.request.method'] !== undefined
            ? { decision: SamplingDecision.RECORD_AND_SAMPLED }
            : ratioSampler.shouldSample(ctx, traceId),
        toString: () => `HttpIngressOr${ratioSampler.toString()}`,
      },
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  // the W3C trace-context propagator and the AsyncLocalStorage context manager
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // outgoing requests only: the servers' own requests are traced by `traceServer` below
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      new GrpcInstrumentation(),
      // statements and commands only inside a traced request or event, never a poll's
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  setActiveSpanSource(() => {
    const active = api.context.active();
    // an unsampled request's context (the ingress suppressed tracing): "not recorded" goes on
    if (isTracingSuppressed(active)) return UNSAMPLED;
    const span = api.trace.getSpan(active);
    if (!span) return undefined;
    const { traceId, spanId, traceFlags } = span.spanContext();
    return { traceId, spanId, sampled: (traceFlags & api.TraceFlags.SAMPLED) !== 0 };
  });
  setHttpRouteNamer((route) => {
    const span = api.trace.getSpan(api.context.active());
    if (!span?.isRecording()) return;
    span.setAttribute('http.route', route);
    span.updateName(`${SERVER_METHOD.get(span) ?? 'HTTP'} ${route}`);
  });
  setRootSampler(() => headSampled(undefined, ratio));
  setHttpServerTracer((server) => traceServer(server, api, tracer, suppressTracing, ratio));
  setUntracedRunner((fn) => api.context.with(suppressTracing(api.context.active()), fn));
  const spanContext = (s: { traceId: string; spanId: string; sampled?: boolean }) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    traceFlags: s.sampled === false ? api.TraceFlags.NONE : api.TraceFlags.SAMPLED,
  });
  // under the recorded attempt given as parent, whatever context the batch was flushed in
  setLinkedSpanRunner((name, parent, links, fn) =>
    tracer.startActiveSpan(
      name,
      {
        kind: api.SpanKind.INTERNAL,
        links: links.map((l) => ({ context: spanContext(l) })),
        attributes: { 'emporia.batch.size': links.length },
      },
      api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext(parent)),
      async (span) => {
        try {
          return await fn();
        } catch (e) {
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: String(e) });
          throw e;
        } finally {
          span.end();
        }
      },
    ),
  );
  // calls sent with undici (no instrumentation here sees them): a CLIENT span each, in a
  // recorded context only (an unsampled request's context suppresses tracing)
  setClientSpanRunner((name, attributes, fn) => {
    if (isTracingSuppressed(api.context.active())) return fn();
    return tracer.startActiveSpan(name, { kind: api.SpanKind.CLIENT, attributes }, async (span) => {
      try {
        return await fn();
      } catch (e) {
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: (e as Error).message });
        throw e;
      } finally {
        span.end();
      }
    });
  });
  // gRPC calls (grpcClient sends them over node:http2, which no instrumentation sees): a CLIENT
  // span each, named and tagged as OpenTelemetry's gRPC instrumentation names its own
  setGrpcClientSpanRunner((path, fn) => {
    if (isTracingSuppressed(api.context.active())) return fn({});
    const [service, method] = path.slice(1).split('/');
    return tracer.startActiveSpan(
      `grpc.${path.slice(1)}`,
      {
        kind: api.SpanKind.CLIENT,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
      },
      async (span) => {
        const headers: Record<string, string> = {};
        api.propagation.inject(api.context.active(), headers);
        try {
          const res = await fn(headers);
          span.setAttribute('rpc.grpc.status_code', 0);
          return res;
        } catch (e) {
          const code = (e as { remote?: { status?: number } }).remote?.status;
          span.setAttribute('rpc.grpc.status_code', typeof code === 'number' ? code : 2);
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: (e as Error).message });
          throw e;
        } finally {
          span.end();
        }
      },
    );
  });
  setSpanFlush(() => provider.forceFlush());
  return true;
}

/** The method of each HTTP server span (its name becomes `<method> <route>` once routed). */
const SERVER_METHOD = new WeakMap<object, string>();

type Api = typeof import('@opentelemetry/api');

/**
 * Traces the requests `server` answers, sampled where they enter (`headSampled`): a request
 * recorded gets a SERVER span (method, path, then route and status) that its listeners and every
 * event of its request and response run in; one not recorded runs with tracing suppressed, and
 * nothing more is done for it (no span, no wrapping of its streams: the OpenTelemetry HTTP
 * instrumentation wraps every request, recorded or not, which doubled the cost of the cheapest
 * answers, bench/results/flash-sale-observability.md). Its handlers' later calls stay unrecorded
 * through the request context's "not sampled" (`inContextTrace`). Probes and scrapes never.
 */
function traceServer(
  server: import('node:http').Server,
  api: Api,
  tracer: import('@opentelemetry/api').Tracer,
  suppress: (ctx: import('@opentelemetry/api').Context) => import('@opentelemetry/api').Context,
  ratio: number,
): void {
  const emit = server.emit as (
    this: unknown,
    event: string | symbol,
    ...args: unknown[]
  ) => boolean;
  const unsampled = suppress(api.ROOT_CONTEXT);
  server.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const req = args[0] as import('node:http').IncomingMessage;
    const res = args[1] as import('node:http').ServerResponse;
    const path = (req.url ?? '').split('?')[0];
    if (OPS_PATHS.has(path) || !headSampled(req.headers.traceparent, ratio))
      return api.context.with(unsampled, () => emit.call(this, event, ...args));
    const method = req.method ?? 'GET';
    const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      method,
      {
        kind: api.SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': path,
          'url.scheme': 'http',
          'network.protocol.version': req.httpVersion,
          ...(req.headers['user-agent']
            ? { 'user_agent.original': req.headers['user-agent'] }
            : {}),
        },
      },
      parent,
    );
    SERVER_METHOD.set(span, method);
    const ctx = api.trace.setSpan(parent, span);
    return api.context.with(ctx, () => {
      api.context.bind(ctx, req);
      api.context.bind(ctx, res);
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        // a 4xx is the caller's; a 5xx, or an answer never finished, is the server's
        if (res.statusCode >= 500 || !res.writableFinished)
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      });
      return emit.call(this, event, ...args);
    });
  } as typeof server.emit;
}

/**
 * Started on import, for the `start` command of the process's main file: every service's main.ts
 * imports this module before anything else.
 */
function startForMain(): void {
  const main = process.argv[1] ?? '';
  const command = process.argv[2] ?? 'start';
  if (command !== 'start' || !/[/\\]main\.[jt]s$/.test(main)) return;
  try {
    startTracing(appOfMain(main));
  } catch (e) {
    // a bad variable stops start-up, naming it (as the service's own config does)
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

startForMain();
