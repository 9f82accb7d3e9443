import { ConfigError } from './config';
import { contextFromTraceparent, toTraceparent } from './context';
import {
  activeSpan,
  flushTracing,
  inLinkedSpan,
  nameHttpRoute,
  setActiveSpanSource,
  setRootSampler,
  setSpanFlush,
  tracingEnabled,
  UNSAMPLED,
} from './trace-hooks';
import { appOfMain, headSampled, startTracing, tracesUrl } from './tracing';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('tracing', () => {
  afterEach(() => {
    setRootSampler(undefined);
    setActiveSpanSource(undefined);
    setSpanFlush(undefined);
  });

  it('names the service after the app whose main file runs (sources or dist)', () => {
    expect(appOfMain('/srv/emporia/apps/order/src/main.ts')).toBe('order');
    expect(appOfMain('/app/dist/apps/gateway/src/main.js')).toBe('gateway');
  });

  it('is off without an endpoint; the traces URL is the base URL with /v1/traces, or the full one given', () => {
    const base = {
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      OTEL_TRACES_SAMPLER_ARG: 1,
      OTEL_SERVICE_NAME: '',
      SERVICE_VERSION: '',
      POD_NAME: '',
      POD_NAMESPACE: '',
    };
    expect(tracesUrl(base)).toBe('');
    expect(tracesUrl({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/' })).toBe(
      'http://otel:4318/v1/traces',
    );
    expect(
      tracesUrl({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      }),
    ).toBe('http://tempo:4318/v1/traces');
    // off: nothing started, nothing hooked
    expect(startTracing('order', {})).toBe(false);
    expect(tracingEnabled()).toBe(false);
  });

  it('refuses a bad setting, naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        startTracing('order', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', ...env });
      } catch (e) {
        return (e as ConfigError).problems.map((p) => p.variable);
      }
      return [];
    };
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toEqual(['OTEL_TRACES_SAMPLER_ARG']);
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: 'half' })).toEqual(['OTEL_TRACES_SAMPLER_ARG']);
    expect(bad({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4318' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ]);
  });

  it('untraced: a context continues the caller`s trace with a span of its own; the hooks do nothing', async () => {
    const ctx = contextFromTraceparent(`00-${CALLER_TRACE}-b7ad6b7169203331-01`);
    expect(ctx.traceId).toBe(CALLER_TRACE);
    expect(ctx.spanId).not.toBe('b7ad6b7169203331');
    // sampled only as the caller said: this process decided nothing
    expect(toTraceparent(ctx)).toMatch(/-01$/);
    expect(toTraceparent(contextFromTraceparent(`00-${CALLER_TRACE}-b7ad6b7169203331-00`))).toMatch(
      /-00$/,
    );
    expect(toTraceparent(contextFromTraceparent(undefined))).toMatch(/-00$/);
    expect(activeSpan()).toBeUndefined();
    nameHttpRoute('/v1/checkout');
    await expect(inLinkedSpan('batch', ctx, [ctx], async () => 42)).resolves.toBe(42);
    await expect(flushTracing()).resolves.toBeUndefined();
  });

  it('traced: the context takes the ids of the span the instrumentation opened', () => {
    setActiveSpanSource(() => ({ traceId: CALLER_TRACE, spanId: '00f067aa0ba902b7' }));
    const ctx = contextFromTraceparent(`00-${CALLER_TRACE}-b7ad6b7169203331-01`, {
      id: 'a',
      roles: [],
    });
    expect(ctx).toEqual({
      traceId: CALLER_TRACE,
      spanId: '00f067aa0ba902b7',
      caller: { id: 'a', roles: [] },
    });
  });

  it('traced: a span the sampler did not record says so in the traceparent passed on, so nothing downstream records its trace', () => {
    setActiveSpanSource(() => ({
      traceId: CALLER_TRACE,
      spanId: '00f067aa0ba902b7',
      sampled: false,
    }));
    const ctx = contextFromTraceparent(undefined);
    expect(toTraceparent(ctx)).toBe(`00-${CALLER_TRACE}-00f067aa0ba902b7-00`);
    setActiveSpanSource(() => ({
      traceId: CALLER_TRACE,
      spanId: '00f067aa0ba902b7',
      sampled: true,
    }));
    expect(toTraceparent(contextFromTraceparent(undefined))).toBe(
      `00-${CALLER_TRACE}-00f067aa0ba902b7-01`,
    );
  });

  it("samples a request where it enters: as its caller's traceparent says, else by ratio", () => {
    const sampled = `00-${CALLER_TRACE}-b7ad6b7169203331-01`;
    const unsampled = `00-${CALLER_TRACE}-b7ad6b7169203331-00`;
    expect(headSampled(sampled, 0)).toBe(true);
    expect(headSampled([sampled], 0)).toBe(true);
    expect(headSampled(unsampled, 1)).toBe(false);
    // none, or one that is not a traceparent (an all-zero trace id is invalid): the ratio decides
    expect(headSampled(undefined, 1)).toBe(true);
    expect(headSampled(undefined, 0)).toBe(false);
    expect(headSampled('garbage', 0.5, () => 0.49)).toBe(true);
    expect(headSampled('garbage', 0.5, () => 0.5)).toBe(false);
    expect(headSampled(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`, 0)).toBe(false);
  });

  it('traced: in a request the ingress chose not to record, the context says so and passes it on', () => {
    setActiveSpanSource(() => UNSAMPLED);
    const ctx = contextFromTraceparent(`00-${CALLER_TRACE}-b7ad6b7169203331-00`);
    expect(ctx.traceId).toBe(CALLER_TRACE);
    expect(toTraceparent(ctx)).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-00$`));
  });

  it('a trace begun here (no caller`s) is sampled by the process`s ratio when it traces', () => {
    setRootSampler(() => true);
    expect(toTraceparent(contextFromTraceparent(undefined))).toMatch(/-01$/);
    // a caller's decision still wins
    expect(toTraceparent(contextFromTraceparent(`00-${CALLER_TRACE}-b7ad6b7169203331-00`))).toMatch(
      /-00$/,
    );
    setRootSampler(() => false);
    expect(toTraceparent(contextFromTraceparent(undefined))).toMatch(/-00$/);
  });

  it('a flush that hangs does not hold the shutdown past its bound', async () => {
    setSpanFlush(() => new Promise<void>(() => undefined));
    const started = Date.now();
    await flushTracing(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
