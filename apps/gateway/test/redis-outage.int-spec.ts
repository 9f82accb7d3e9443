import type { RunningService } from '@emporia/platform';
import { freePort, startOwnRedis, testLogger, type OwnRedis } from '@emporia/testing';
import { gatewayConfigSchema } from '../src/config';
import { startGateway } from '../src/gateway.app';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

/**
 * Issue 14 item 5 at the gateway: its Redis stopped for real (a Redis of this test's own; the
 * backends are absent). Every use of Redis answers 503 with a stable code and Retry-After — the
 * idempotency records, the sign-up limiter, the revocation list of operator routes — never 500;
 * and once Redis is back, the same requests get through to the (absent) backends again.
 */
describe('gateway: its Redis stopped (503 with a code and Retry-After, never 500)', () => {
  let redis: OwnRedis;
  let gateway: RunningService;
  let customer: string;
  let admin: string;

  beforeAll(async () => {
    const keys = await signer();
    customer = await keys.sign(['customer']);
    admin = await keys.sign(['admin']);
    redis = await startOwnRedis();
    const config = gatewayConfigSchema.parse({
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_OPS_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_GRPC_URL: `127.0.0.1:${await freePort()}`,
      SEARCH_GRPC_URL: `127.0.0.1:${await freePort()}`,
      ORDER_GRPC_URL: `127.0.0.1:${await freePort()}`,
      USER_GRPC_URL: `127.0.0.1:${await freePort()}`,
      MARKETING_GRPC_URL: `127.0.0.1:${await freePort()}`,
      RISK_GRPC_URL: `127.0.0.1:${await freePort()}`,
      REDIS_URL: redis.url,
      GRPC_DEADLINE_MS: '1000',
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await redis?.close();
  });

  const send = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${gateway.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const checkout = (key: string) =>
    send(
      '/v1/checkout',
      { addressId: '0190a000-0000-7000-8000-000000000001' },
      { authorization: `Bearer ${customer}`, 'idempotency-key': key },
    );
  const answer = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    code: ((await res.json()) as { code: string }).code,
  });
  const problem503 = (code: string, retryAfter: string) => ({
    status: 503,
    type: expect.stringMatching(/^application\/problem\+json/),
    retryAfter,
    code,
  });

  it('while Redis is down: each use of it answers 503 with its code and Retry-After; back, they pass', async () => {
    const key = `k-${Date.now()}-redis-down`;
    // Redis up: the keyed request passes the records and meets the absent backend
    expect(await answer(await checkout(key))).toEqual(problem503('BACKEND_UNAVAILABLE', '2'));

    await redis.stop('SIGKILL');
    // the idempotency records (was 500 INTERNAL)
    expect(await answer(await checkout(key))).toEqual(
      problem503('IDEMPOTENCY_STORE_UNAVAILABLE', '5'),
    );
    // the sign-up limiter (fails closed)
    expect(
      await answer(
        await send('/v1/auth/register', { email: 'a@example.com', password: 'x'.repeat(12) }, {}),
      ),
    ).toEqual(problem503('RATE_LIMIT_UNAVAILABLE', '5'));
    // the revocation list of an admin route (fails closed)
    expect(
      await answer(
        await fetch(`${gateway.httpUrl}/v1/admin/tiers`, {
          headers: { authorization: `Bearer ${admin}` },
        }),
      ),
    ).toEqual(problem503('REVOCATION_LIST_UNAVAILABLE', '5'));
    // and the gateway is not ready
    expect((await fetch(`${gateway.opsUrl}/readyz`)).status).toBe(503);

    await redis.start();
    // back: the same key goes through to the backend again (ioredis reconnects within ~2 s)
    let last: Awaited<ReturnType<typeof answer>> | undefined;
    for (let i = 0; i < 50; i++) {
      last = await answer(await checkout(key));
      if (last.code !== 'IDEMPOTENCY_STORE_UNAVAILABLE') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last).toEqual(problem503('BACKEND_UNAVAILABLE', '2'));
  });
});
