import { createServer, type Server } from 'node:http';
import { Controller, Get, Header, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { metricsRegistry } from './metrics';

export type ReadinessCheck = () => Promise<void>;

/**
 * How long a readiness check that passed before may fail before /readyz says 503: one failed
 * probe right after a dependency restart (a pooled connection the restart closed, a channel
 * between reconnection attempts) does not take the service out of rotation, while a real outage
 * does at the next probe (Kubernetes probes every 10 s).
 */
export const READINESS_GRACE_MS = 5000;

/** Readiness checks registered by adapters (database, Kafka, Elasticsearch ...). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  /** Per check: when it first failed since it last passed (absent: passing, or never passed). */
  private readonly failingSince = new Map<string, number>();
  private readonly passedOnce = new Set<string>();
  private shuttingDown = false;
  /** The clock (tests replace it). */
  now: () => number = Date.now;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** After this, /readyz answers 503 so load balancers stop sending traffic. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /**
   * Runs every check now. By default a failure counts at once (what the consumers' probe wants:
   * is the dependency down right now?). With `graceMs` (the /readyz answer), a check that passed
   * before counts as passing until it has failed for longer than that, reported as
   * `degraded (failing for N ms): <reason>`; one that never passed fails at once.
   */
  async check(
    timeoutMs = 2000,
    { graceMs = 0 }: { graceMs?: number } = {},
  ): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    if (this.shuttingDown) return { ok: false, checks: { shutdown: 'shutting down' } };
    let ok = true;
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`timed out after ${timeoutMs} ms`)),
                timeoutMs,
              );
            }),
          ]);
          results[name] = 'ok';
          this.failingSince.delete(name);
          this.passedOnce.add(name);
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          const now = this.now();
          const since = this.failingSince.get(name) ?? now;
          if (this.passedOnce.has(name)) this.failingSince.set(name, since);
          const tolerated = graceMs > 0 && this.passedOnce.has(name) && now - since <= graceMs;
          results[name] = tolerated
            ? `degraded (failing for ${now - since} ms): ${reason}`
            : reason;
          if (!tolerated) ok = false;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok, checks: results };
  }
}

/** The /readyz answer: 200 when every check passes, else 503 with what failed. */
async function readiness(
  health: HealthRegistry,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const result = await health.check(2000, { graceMs: READINESS_GRACE_MS });
  return {
    status: result.ok ? 200 : 503,
    body: { status: result.ok ? 'ok' : 'unavailable', checks: result.checks },
  };
}

/** /healthz (the process is alive), /readyz (its dependencies answer), /metrics (Prometheus). */
@ApiExcludeController()
@Controller()
export class OpsController {
  constructor(private readonly health: HealthRegistry) {}

  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const { status, body } = await readiness(this.health);
    await reply.status(status).send(body);
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

/**
 * The same three endpoints on a port of their own, for a service whose HTTP port is public (the
 * gateway): probes and Prometheus reach them, the Internet does not. Anything else is a 404.
 */
export async function startOpsServer(
  health: HealthRegistry,
  host: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown) =>
      send(status, 'application/json; charset=utf-8', JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { status: 'GET only' });
    const answer = async () => {
      if (path === '/healthz') return json(200, { status: 'ok' });
      if (path === '/readyz') {
        const { status, body } = await readiness(health);
        return json(status, body);
      }
      if (path === '/metrics')
        return send(200, metricsRegistry.contentType, await metricsRegistry.metrics());
      return json(404, { status: 'not found' });
    };
    answer().catch(() => json(500, { status: 'error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
