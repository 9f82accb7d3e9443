import type { Server as HttpServer } from 'node:http';

/**
 * What the rest of the kit needs from tracing, without loading OpenTelemetry's SDK: `tracing.ts`
 * (imported first by a service's main.ts) fills these in when it starts exporting spans; in a
 * process that does not trace they stay empty and cost one branch.
 */
export interface SpanIds {
  traceId: string;
  spanId: string;
  /** Whether the span is recorded (its trace flags' sampled bit); absent: recorded. */
  sampled?: boolean;
}

/** What the active span source says of a context whose tracing is suppressed: not recorded. */
export const UNSAMPLED = { unsampled: true } as const;

let activeSpanIds: (() => SpanIds | typeof UNSAMPLED | undefined) | undefined;
let flushSpans: (() => Promise<void>) | undefined;
let routeNamer: ((route: string) => void) | undefined;
let rootSampler: (() => boolean) | undefined;
let serverTracer: ((server: HttpServer) => void) | undefined;
let untraced: (<T>(fn: () => T) => T) | undefined;
let grpcClientSpan:
  | (<T>(path: string, fn: (headers: Record<string, string>) => Promise<T>) => Promise<T>)
  | undefined;
let clientSpan:
  | (<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>) => Promise<T>)
  | undefined;
let linkedSpan:
  | (<T>(name: string, parent: SpanIds, links: SpanIds[], fn: () => Promise<T>) => Promise<T>)
  | undefined;

/** Set by tracing.ts: the ids of the span active in the current async context, if any. */
export function setActiveSpanSource(
  source: (() => SpanIds | typeof UNSAMPLED | undefined) | undefined,
): void {
  activeSpanIds = source;
}

/** Set by tracing.ts: sends the spans still buffered (at shutdown). */
export function setSpanFlush(flush: (() => Promise<void>) | undefined): void {
  flushSpans = flush;
}

/** Set by tracing.ts: traces the requests an HTTP server answers. */
export function setHttpServerTracer(tracer: typeof serverTracer): void {
  serverTracer = tracer;
}

/**
 * Traces the requests `server` answers (a span each, for those sampled where they enter); called
 * by `startService` on every service's HTTP server before it listens. No-op untraced.
 */
export function traceHttpServer(server: HttpServer): void {
  serverTracer?.(server);
}

/** Set by tracing.ts: runs work with tracing suppressed. */
export function setUntracedRunner(runner: typeof untraced): void {
  untraced = runner;
}

/**
 * Runs `fn` with tracing suppressed when `ctx` is not sampled: the calls it makes record no span
 * and pass on `ctx`'s own `traceparent` (its trace id, "not sampled"), so logs still correlate.
 */
export function inContextTrace<T>(ctx: { sampled?: boolean }, fn: () => T): T {
  return untraced && ctx.sampled === false ? untraced(fn) : fn();
}

/** Set by tracing.ts: names the current HTTP server span by its route template. */
export function setHttpRouteNamer(namer: ((route: string) => void) | undefined): void {
  routeNamer = namer;
}

/**
 * The route template (`/v1/orders/:id`) of the HTTP request being answered, for its span's name
 * and `http.route` (the HTTP instrumentation alone only knows the method). No-op untraced.
 */
export function nameHttpRoute(route: string): void {
  routeNamer?.(route);
}

/** Set by tracing.ts: runs a gRPC call in a client span. */
export function setGrpcClientSpanRunner(runner: typeof grpcClientSpan): void {
  grpcClientSpan = runner;
}

/**
 * Runs the gRPC call to `path` (`/package.Service/Method`) made on behalf of `ctx` in a CLIENT
 * span when this process traces and `ctx` is recorded: `fn` gets the span's propagation headers
 * (`traceparent`, …) to send. Otherwise `fn` gets none and sends `ctx`'s own.
 */
export function inGrpcClientSpan<T>(
  ctx: { sampled?: boolean },
  path: string,
  fn: (headers: Record<string, string> | undefined) => Promise<T>,
): Promise<T> {
  return grpcClientSpan && ctx.sampled !== false
    ? grpcClientSpan(path, fn)
    : inContextTrace(ctx, () => fn(undefined));
}

/** Set by tracing.ts: runs a call to a server no instrumentation sees in a client span. */
export function setClientSpanRunner(runner: typeof clientSpan): void {
  clientSpan = runner;
}

/**
 * Runs a call to a server that no OpenTelemetry instrumentation sees (an HTTP request sent with
 * undici, e.g. search's Elasticsearch searches) in a CLIENT span `name` with `attributes`, when
 * this process traces and the current context is recorded. Otherwise runs `fn` as it is.
 */
export function inClientSpan<T>(
  name: string,
  attributes: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  return clientSpan ? clientSpan(name, attributes, fn) : fn();
}

/** Set by tracing.ts: runs work in a span linked to other traces' spans. */
export function setLinkedSpanRunner(runner: typeof linkedSpan): void {
  linkedSpan = runner;
}

/**
 * Runs `fn` in an internal span `name` under `parent` (a recorded one among `links`), linked to
 * each of `links` (the spans of requests whose work is done together, e.g. flash-sale attempts
 * sent to marketing in one call): each request's trace then leads to the shared call. Untraced,
 * or when `parent` is not recorded, runs `fn` as it is.
 */
export function inLinkedSpan<T>(
  name: string,
  parent: SpanIds,
  links: SpanIds[],
  fn: () => Promise<T>,
): Promise<T> {
  return linkedSpan && parent.sampled !== false ? linkedSpan(name, parent, links, fn) : fn();
}

/** Set by tracing.ts: whether a trace begun here (no caller's) is recorded. */
export function setRootSampler(sampler: typeof rootSampler): void {
  rootSampler = sampler;
}

/** Whether a trace begun in this process is recorded: by its ratio when it traces, else not. */
export function sampleRoot(): boolean {
  return rootSampler?.() ?? false;
}

/** Whether spans are being recorded and exported by this process. */
export function tracingEnabled(): boolean {
  return activeSpanIds !== undefined;
}

/**
 * The active span's ids when this process traces and a span is active; `UNSAMPLED` in a request
 * the ingress chose not to record.
 */
export function activeSpan(): SpanIds | typeof UNSAMPLED | undefined {
  return activeSpanIds?.();
}

/** Sends buffered spans, waiting at most `timeoutMs`; never throws. */
export async function flushTracing(timeoutMs = 2000): Promise<void> {
  if (!flushSpans) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    flushSpans().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
