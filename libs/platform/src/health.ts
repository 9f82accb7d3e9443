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
    const result = await this.health.check();
    await reply
      .status(result.ok ? 200 : 503)
      .send({ status: result.ok ? 'ok' : 'unavailable', checks: result.checks });
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
