import { createServer, type Server } from 'node:http';
import { Controller, Get, Header, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { metricsRegistry } from './metrics';

export type ReadinessCheck = () => Promise<void>;

/** Readiness checks registered by adapters (database, Kafka, Elasticsearch ...). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** After this, /readyz answers 503 so load balancers stop sending traffic. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async check(timeoutMs = 2000): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    if (this.shuttingDown) return { ok: false, checks: { shutdown: 'shutting down' } };
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
        } catch (e) {
          results[name] = e instanceof Error ? e.message : String(e);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok: Object.values(results).every((r) => r === 'ok'), checks: results };
  }
}

/** The /readyz answer: 200 when every check passes, else 503 with what failed. */
async function readiness(
  health: HealthRegistry,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const result = await health.check();
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
