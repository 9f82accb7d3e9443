import { AsyncLocalStorage } from 'node:async_hooks';
import { pooledRandom } from './random-pool';
import { activeSpan, sampleRoot, UNSAMPLED } from './trace-hooks';

/** Who is calling; filled by the gateway's auth once it exists (issue: user service). */
export interface Caller {
  id: string;
  roles: string[];
}

/**
 * Request context, the first argument of every use case (Vendure's RequestContext): the caller
 * and the W3C trace it belongs to. Transactions travel separately, through the unit of work.
 */
export interface RequestContext {
  traceId: string;
  spanId: string;
  /**
   * False when the span is not recorded (a traced process's sampler said no): the `traceparent`
   * passed on says so, and nothing downstream records that trace. Absent: recorded.
   */
  sampled?: boolean;
  caller?: Caller;
}

const storage = new AsyncLocalStorage<RequestContext>();

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const hex = (bytes: number) => pooledRandom(bytes, 'hex');

/**
 * A context continuing the trace in `traceparent` (if valid), with a new span. In a process that
 * records spans (tracing.ts), the span the instrumentation opened for this request or event (which
 * continues the same `traceparent`) is the context's span: logs, outbox rows and answers then
 * name the span the trace store holds.
 */
export function contextFromTraceparent(
  traceparent?: string | null,
  caller?: Caller,
): RequestContext {
  const span = activeSpan();
  if (span === UNSAMPLED) return { ...fromHeader(traceparent, caller), sampled: false };
  if (span && 'traceId' in span)
    return {
      traceId: span.traceId,
      spanId: span.spanId,
      ...(span.sampled === false ? { sampled: false } : {}),
      ...(caller ? { caller } : {}),
    };
  return fromHeader(traceparent, caller);
}

/**
 * The trace of `traceparent` (if valid, else a new one) with a new span, in a process that records
 * no span of it: sampled as the caller said, since this process did not decide it (a traced
 * service behind it then records only what a caller asked for, not everything); a trace begun
 * here (a sweep's, a worker's) by the process's ratio when it traces, else not sampled.
 */
function fromHeader(traceparent: string | null | undefined, caller?: Caller): RequestContext {
  const m = traceparent ? TRACEPARENT_RE.exec(traceparent.trim()) : null;
  const valid = m !== null && !/^0+$/.test(m[1]);
  // a trace begun here (no caller's): a traced process samples it by its ratio, else not sampled
  const sampled = valid ? (parseInt(m[3], 16) & 1) === 1 : sampleRoot();
  return {
    traceId: valid ? m[1] : hex(16),
    spanId: hex(8),
    ...(sampled ? {} : { sampled: false }),
    ...(caller ? { caller } : {}),
  };
}

export function newContext(caller?: Caller): RequestContext {
  return contextFromTraceparent(undefined, caller);
}

/** The W3C `traceparent` header value for calls made on behalf of `ctx`. */
export function toTraceparent(ctx: RequestContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled === false ? '00' : '01'}`;
}

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
