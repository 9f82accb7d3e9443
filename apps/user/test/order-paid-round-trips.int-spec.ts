import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Money } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import { createDataSource } from '@emporia/persistence';
import { newContext } from '@emporia/platform';
import { createTestDatabase, testLogger, withRoundTrips } from '@emporia/testing';
import { OrderEventsUseCase } from '../src/application/order-events.use-case';
import { ProfileUseCase } from '../src/application/profile.use-case';
import type { SecretBox } from '../src/application/ports';
import { USER_MIGRATIONS } from '../src/infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from '../src/infrastructure/typeorm-unit-of-work';
import { migrateUser } from '../src/user.app';

jest.setTimeout(120_000);

/**
 * Round trips to Postgres of a paid order's membership effects and of checkout's frozen check,
 * counted as pg's own `Client.query` calls under the service's preparing client (a statement sent
 * with the writes held before it is one call). One pooled connection, warmed up first, so every
 * statement is named and parsed as in steady state.
 */
describe('user: round trips of a paid order and of the frozen check (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let orderEvents: OrderEventsUseCase;
  let profiles: ProfileUseCase;
  const ctx = newContext();
  const noBox: SecretBox = {
    seal: () => {
      throw new Error('not used');
    },
    open: () => {
      throw new Error('not used');
    },
  };
  const delivery = (): ReceivedEvent => ({
    topic: 'it.order.order',
    key: 'k',
    value: Buffer.alloc(0),
    headers: {},
    eventId: randomUUID(),
    eventType: 'emporia.order.v1.OrderPaid',
    occurredAt: new Date().toISOString(),
    partition: 0,
    offset: '0',
  });
  const pay = (accountId: string, amountMinor = 12_990) =>
    orderEvents.onOrderPaid(ctx, delivery(), {
      orderId: randomUUID(),
      accountId,
      amountPaid: Money.of(amountMinor, 'CNY'),
      paidAt: new Date(),
    });
  const newAccount = async () => {
    const id = randomUUID();
    await ds.query(
      `INSERT INTO accounts (id, email, phone, password_hash, roles, status, created_at)
       VALUES ($1, $2, NULL, 'x', '{customer}', 'ACTIVE', now())`,
      [id, `${id}@example.cn`],
    );
    return id;
  };
  /** pg calls made by `work` (its round trips). */
  const roundTrips = async (work: () => Promise<unknown>) => (await withRoundTrips(work))[1];

  beforeAll(async () => {
    db = await createTestDatabase('user_round_trips');
    await migrateUser({ USER_DATABASE_URL: db.url, DB_POOL_SIZE: 1 }, testLogger('user'));
    ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: USER_MIGRATIONS,
      poolSize: 1,
    }).initialize();
    const uow = new TypeormUnitOfWork(ds, 'it.user.account', noBox);
    orderEvents = new OrderEventsUseCase(uow, systemClock, uuidV7Generator, {
      perMajorUnit: 1,
      ttlMs: 365 * 24 * 3600_000,
      reviewPhotoPoints: 0,
    });
    profiles = new ProfileUseCase(uow, systemClock, uuidV7Generator);
    // warm-up: every statement named and parsed on the one connection
    const warm = await newAccount();
    for (let i = 0; i < 3; i++) {
      await pay(warm);
      await pay(randomUUID());
      await profiles.account(ctx, warm);
    }
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('a paid order: inbox, membership lock with the account check, one read, COMMIT', async () => {
    const accountId = await newAccount();
    await pay(accountId); // the membership exists from here on
    expect(await roundTrips(() => pay(accountId, 150_000))).toBe(4);
    // the order was applied whole: spend, points, tier
    const [m] = await ds.query(
      `SELECT m.tier_code, (SELECT sum(amount_minor)::int FROM member_spend s WHERE s.account_id = m.account_id) AS spend,
              (SELECT sum(remaining)::int FROM points_lots l WHERE l.account_id = m.account_id) AS points
         FROM memberships m WHERE m.account_id = $1`,
      [accountId],
    );
    expect(m).toEqual({ tier_code: 'SILVER', spend: 162_990, points: 1629 });
  });

  it("a guest's paid order: inbox, the account check, COMMIT", async () => {
    const guest = randomUUID();
    expect(await roundTrips(() => pay(guest))).toBe(3);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM member_spend WHERE account_id = $1`,
      [guest],
    );
    expect(n).toBe(0);
  });

  it("checkout's frozen check (GetAccount, account only) is one statement", async () => {
    const accountId = await newAccount();
    let status = '';
    expect(
      await roundTrips(async () => {
        status = (await profiles.account(ctx, accountId)).status;
      }),
    ).toBe(1);
    expect(status).toBe('ACTIVE');
  });
});
