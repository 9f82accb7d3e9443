import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from './fixtures';
import { REPO_ROOT } from './infrastructure';

/** Where tools/go-tools.sh builds Jaeger (v2, all in one). */
export const JAEGER_BIN = join(REPO_ROOT, '.local', 'bin', 'jaeger');

/** A span as Jaeger's query API returns it (the fields the tests read). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; type: string; value: unknown }[];
  processID: string;
  startTime: number;
  duration: number;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

/** A Jaeger of one test's own: OTLP/HTTP in, its query API out, spans kept in memory. */
export interface OwnJaeger {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
  /** One trace by id, or undefined while Jaeger has none of its spans. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** The services that sent spans. */
  services(): Promise<string[]>;
  close(): Promise<void>;
}

/** Jaeger v2's configuration (an OpenTelemetry Collector's): only what the tests use, on loopback. */
const config = (ports: { otlp: number; query: number; queryGrpc: number; health: number }) => `
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;

/**
 * Starts Jaeger for one test (building it first with tools/go-tools.sh when it is missing): a
 * child of the test on 127.0.0.1 with ports of its own, gone with it.
 */
export async function startOwnJaeger(): Promise<OwnJaeger> {
  if (!existsSync(JAEGER_BIN))
    execFileSync('bash', [join(REPO_ROOT, 'tools', 'go-tools.sh'), 'jaeger'], {
      stdio: 'inherit',
    });
  const ports = {
    otlp: await freePort(),
    query: await freePort(),
    queryGrpc: await freePort(),
    health: await freePort(),
  };
  const dir = mkdtempSync(join(tmpdir(), 'emporia-jaeger-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(ports));
  const child: ChildProcess = spawn(JAEGER_BIN, ['--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`jaeger exited:\n${out}`);
        const health = await fetch(`http://127.0.0.1:${ports.health}/status`).catch(
          () => undefined,
        );
        const query = await fetch(`${queryUrl}/api/services`).catch(() => undefined);
        return health?.ok && query?.ok ? true : undefined;
      },
      { what: 'jaeger', timeoutMs: 30000, intervalMs: 100 },
    );
  } catch (e) {
    await close();
    throw e;
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlp}`,
    queryUrl,
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`jaeger: GET /api/traces/${traceId} answered ${res.status}`);
      const body = (await res.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    async services() {
      const res = await fetch(`${queryUrl}/api/services`);
      return ((await res.json()) as { data: string[] | null }).data ?? [];
    },
    close,
  };
}
