import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Money } from '@emporia/money';
import { createDataSource } from '@emporia/persistence';
import { createTestDatabase, migrateTestDatabase, testEnv, uniqueSuffix } from '@emporia/testing';
import type { OrderAttempt, ReturnFactStore, SignalStore } from '../src/application/ports';
import { FRAUD_SIGNALS } from '../src/domain/fraud-features';
import type { ReturnFact } from '../src/domain/return-facts';
import { counterSignals, signalKey, signalsOf, type Signal } from '../src/domain/rules';
import { RISK_MIGRATIONS } from '../src/infrastructure/migrations';
import { seededRules } from '../src/infrastructure/migrations/seeded-rules';
import { RedisSignalStore } from '../src/infrastructure/redis-signal.store';
import { SqlReturnFactStore } from '../src/infrastructure/sql-return-facts.store';
import { InMemoryReturnFactStore, InMemorySignalStore } from '../src/testing';

jest.setTimeout(120_000);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * The fraud model is trained on features computed from the in-memory signal and return-history
 * stores (tools/fraud-model/generate.ts) and served from Redis and Postgres: the same sequence
 * of orders, sign-in anomalies and facts must read the same counts and history from both, or
 * the model would be served other numbers than it learnt from.
 */
describe('fraud model signals: the in-memory stores answer as Redis and Postgres do', () => {
  const suffix = uniqueSuffix();
  let redis: Redis;
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    redis = new Redis(testEnv.redisUrl());
    db = await createTestDatabase('risk_fraud_signals');
    await migrateTestDatabase(db.url, RISK_MIGRATIONS);
    ds = createDataSource({ url: db.url, entities: [], migrations: [] });
    await ds.initialize();
  });

  afterAll(async () => {
    redis?.disconnect();
    await ds?.destroy();
    await db?.drop();
  });

  /** Every counter the seeded order rules and the model ask for, each once. */
  const signals: Signal[] = [
    ...new Map(
      [
        ...counterSignals(
          seededRules()
            .filter((r) => r.appliesTo === 'ORDER')
            .flatMap(signalsOf),
        ),
        ...FRAUD_SIGNALS,
      ].map((s) => [signalKey(s), s]),
    ).values(),
  ];

  it('orders, retries, shared devices and addresses, empty values, long gaps: the same answers', async () => {
    const stores: SignalStore[] = [
      new RedisSignalStore(redis, `risk-parity:${suffix}:`),
      new InMemorySignalStore(),
    ];
    const t0 = Date.now() - 8 * DAY;
    let n = 0;
    const order = (at: number, over: Partial<OrderAttempt> = {}): [OrderAttempt, number] => [
      {
        orderId: `o-${++n}`,
        accountId: 'acc-a',
        ip: '203.0.113.7',
        deviceId: 'dev-1',
        addressFingerprint: 'cn|zj|hz|xh|line 1|',
        total: Money.of(5_000, 'CNY'),
        usesCoupons: false,
        ...over,
      },
      t0 + at,
    ];
    const script: ([OrderAttempt, number] | ['anomaly', string, number])[] = [
      order(0),
      order(10 * MIN, { total: Money.of(800, 'CNY') }),
      order(10 * MIN, { orderId: 'o-2', total: Money.of(800, 'CNY') }), // a retry
      order(20 * MIN, { accountId: 'acc-b', usesCoupons: true }),
      order(25 * MIN, { accountId: 'acc-c', usesCoupons: true, deviceId: 'dev-2' }),
      ['anomaly', 'acc-a', t0 + 30 * MIN],
      order(40 * MIN, { deviceId: 'dev-9', ip: '198.51.100.4', total: Money.of(90_000, 'CNY') }),
      order(50 * MIN, { addressFingerprint: '' }),
      order(55 * MIN, { accountId: '' }),
      order(60 * MIN, { deviceId: '', ip: '' }),
      order(2 * HOUR, { total: Money.of(1_200, 'USD') }),
      order(DAY, { addressFingerprint: 'cn|fj|xm|drop|9|' }), // exactly a day after the first
      order(DAY + 1, { accountId: 'acc-b', usesCoupons: true }),
      order(3 * DAY, { deviceId: 'dev-1', accountId: 'acc-d' }),
      order(7 * DAY + 2 * MIN, {}), // the first orders are out of the longest window now
      ...Array.from({ length: 104 }, (_, i) =>
        order(7 * DAY + (i + 3) * MIN, { accountId: 'acc-e' }),
      ),
      order(8 * DAY - MIN, { accountId: 'acc-e', deviceId: 'dev-3' }), // history capped at 100
    ];
    for (const step of script) {
      if (step[0] === 'anomaly') {
        const [, account, at] = step;
        for (const s of stores) await s.recordLoginAnomaly(account, `evt-${at}`, new Date(at));
        continue;
      }
      const [attempt, at] = step;
      const [fromRedis, inMemory] = await Promise.all(
        stores.map((s) => s.recordOrder(attempt, signals, new Date(at), { history: true })),
      );
      expect({ order: attempt.orderId, ...inMemory }).toEqual({
        order: attempt.orderId,
        ...fromRedis,
      });
    }
    // and the last one shows what was compared: a capped history, a device new to the account
    const [last] = script.slice(-1) as [OrderAttempt, number][];
    const { history } = await stores[1].recordOrder(last[0], signals, new Date(last[1]), {
      history: true,
    });
    // the newest 100 orders are kept, this one among them
    expect(history?.priorOrders).toHaveLength(99);
    expect(history?.deviceSeen).toBe(true); // its first scoring recorded the device
  });

  it('without the model neither store keeps or reads a history', async () => {
    const stores = [
      new RedisSignalStore(redis, `risk-parity-off:${suffix}:`),
      new InMemorySignalStore(),
    ];
    const attempt: OrderAttempt = {
      orderId: 'o-1',
      accountId: 'acc-a',
      ip: '203.0.113.7',
      deviceId: 'dev-1',
      addressFingerprint: 'cn|zj|hz|xh|line 1|',
      total: Money.of(5_000, 'CNY'),
      usesCoupons: false,
    };
    const [fromRedis, inMemory] = await Promise.all(
      stores.map((s) => s.recordOrder(attempt, signals, new Date())),
    );
    expect(inMemory).toEqual(fromRedis);
    expect(fromRedis).not.toHaveProperty('history');
    expect(await redis.exists(`risk-parity-off:${suffix}:risk:oh:acc-a`)).toBe(0);
  });

  it('the return history, cancellations included, adds up the same in Postgres and in memory', async () => {
    const stores: ReturnFactStore[] = [new SqlReturnFactStore(ds), new InMemoryReturnFactStore()];
    const now = new Date();
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
    const fact = (id: string, kind: ReturnFact['kind'], lines: number, daysAgo: number) => ({
      id: `${kind}:${id}`,
      accountId: `acc-${suffix}`,
      kind,
      lines,
      occurredAt: at(daysAgo),
    });
    const facts: ReturnFact[] = [
      fact('s-1', 'DELIVERED', 3, 100),
      fact('s-2', 'DELIVERED', 2, 30),
      fact('r-1', 'RETURNED', 1, 20),
      fact('r-1', 'EXCHANGE', 1, 20),
      fact('r-2', 'REFUND_ONLY', 1, 10),
      fact('o-1', 'CANCELLED', 1, 5),
      fact('o-2', 'CANCELLED', 1, 95),
      fact('r-3', 'ITEMS_MISMATCH', 1, 200),
    ];
    for (const s of stores) {
      expect(await s.record(facts)).toBe(facts.length);
      expect(await s.record(facts.slice(0, 2))).toBe(0); // each once
    }
    const windows = [7 * 86_400, 90 * 86_400, 365 * 86_400];
    const [sql, memory] = await Promise.all(
      stores.map((s) => s.stats(`acc-${suffix}`, windows, now)),
    );
    expect(memory).toEqual(sql);
    expect(sql[90 * 86_400]).toMatchObject({ deliveredLines: 2, cancellations: 1 });
    expect(sql[365 * 86_400]).toMatchObject({ cancellations: 2, itemsMismatches: 1 });
  });
});
