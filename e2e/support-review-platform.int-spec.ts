import { Client as GrpcClient, credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import { startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(180_000);

/** Resolves once an HTTP/2 (gRPC) connection to `url` is up, or rejects after `ms`. */
function grpcReachable(url: string, ms = 10_000): Promise<void> {
  const client = new GrpcClient(url, credentials.createInsecure());
  return new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + ms, (err) => (err ? reject(err) : resolve())),
  ).finally(() => client.close());
}

/**
 * startPlatform runs the support and review services as `npm start` does: separate processes,
 * each on its own migrated database, with the backends they call (order, user, risk) and the
 * gateway pointed at them.
 */
describe('startPlatform with support and review', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      user: true,
      order: true,
      risk: true,
      support: true,
      review: true,
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it.each(['support', 'review'] as const)(
    '%s is ready: its database and Kafka answer on /readyz',
    async (app) => {
      const { readyUrl } = platform.processes[app]!;
      const res = await fetch(readyUrl);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ok',
        checks: expect.objectContaining({ postgres: 'ok', kafka: 'ok' }),
      });
      // the metrics endpoint the chart's metricsFrom scrapes is on the same (http) port
      const metrics = await fetch(readyUrl.replace('/readyz', '/metrics'));
      expect(metrics.status).toBe(200);
    },
  );

  it.each(['support', 'review'] as const)(
    "%s runs on its own database, migrated (the outbox and inbox tables), not another service's",
    async (app) => {
      const url = platform.databases[app]!;
      expect(url).toBeDefined();
      expect(Object.values(platform.databases).filter((u) => u === url)).toHaveLength(1);
      const pg = new Client({ connectionString: url });
      await pg.connect();
      try {
        const tables = await pg.query<{ outbox: string | null; inbox: string | null }>(
          `SELECT to_regclass('outbox')::text AS outbox, to_regclass('inbox')::text AS inbox`,
        );
        expect(tables.rows[0]).toEqual({ outbox: 'outbox', inbox: 'inbox' });
      } finally {
        await pg.end();
      }
    },
  );

  it('support calls order and user, review calls order, user and risk, at the ports they listen on', async () => {
    const grpcOf = (app: string) =>
      `127.0.0.1:${platform.processes[app]!.env[`${app.toUpperCase()}_GRPC_PORT`]}`;
    const support = platform.processes.support!.env;
    const review = platform.processes.review!.env;
    expect([support.ORDER_GRPC_URL, support.USER_GRPC_URL]).toEqual([
      grpcOf('order'),
      grpcOf('user'),
    ]);
    expect([review.ORDER_GRPC_URL, review.USER_GRPC_URL, review.RISK_GRPC_URL]).toEqual([
      grpcOf('order'),
      grpcOf('user'),
      grpcOf('risk'),
    ]);
    for (const url of new Set([
      support.ORDER_GRPC_URL!,
      support.USER_GRPC_URL!,
      review.RISK_GRPC_URL!,
    ]))
      await grpcReachable(url);
  });

  it("the gateway's SUPPORT_GRPC_URL and REVIEW_GRPC_URL reach the two gRPC servers", async () => {
    const gateway = platform.processes.gateway!.env;
    expect(gateway.SUPPORT_GRPC_URL).toBe(
      `127.0.0.1:${platform.processes.support!.env.SUPPORT_GRPC_PORT}`,
    );
    expect(gateway.REVIEW_GRPC_URL).toBe(
      `127.0.0.1:${platform.processes.review!.env.REVIEW_GRPC_PORT}`,
    );
    await grpcReachable(gateway.SUPPORT_GRPC_URL!);
    await grpcReachable(gateway.REVIEW_GRPC_URL!);
    expect((await fetch(`${platform.gatewayOpsUrl}/healthz`)).status).toBe(200);
  });

  it('SIGTERM stops both cleanly (exit 0), as a pod or Ctrl-C stops them', async () => {
    for (const app of ['support', 'review']) {
      const svc = platform.services.find((s) => s.name === app)!;
      expect({ app, code: await svc.stop() }).toEqual({ app, code: 0 });
    }
  });
});
