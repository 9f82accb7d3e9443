import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { PROTO_FILES, type marketingV1 } from '@emporia/contracts';
import { encodeCursor, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { marketingConfigSchema } from '../src/config';
import type { FlashSaleStatus } from '../src/domain/flash-sale';
import { SqlFlashRepository } from '../src/infrastructure/sql-marketing.repositories';
import { startMarketing } from '../src/marketing.app';

jest.setTimeout(120_000);

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * What the operators' console reads from marketing, on real Postgres and Redis over gRPC:
 * ListFlashSales (newest first, by status, in pages, each sale's units as GetFlashSale reports
 * them, from an index) and PreviewPromotion (a draft priced as PriceCart prices it once saved,
 * refused as UpsertPromotion refuses it, nothing stored).
 */
describe('marketing: the flash-sale list and the promotion preview (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;

  beforeAll(async () => {
    db = await createTestDatabase('marketing_console_it');
    const config = marketingConfigSchema.parse({
      MARKETING_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `mktc:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `mktc${suffix}.`,
      MARKETING_GRPC_PORT: String(await freePort()),
      MARKETING_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      MARKETING_MIGRATE_ON_START: 'true',
      MARKETING_CONSUMER_GROUP: `marketing-console-it${suffix}`,
    });
    service = await startMarketing(config, testLogger('marketing'));
    client = grpcTestClient(
      PROTO_FILES.marketing,
      'emporia.marketing.v1.MarketingService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    client?.close();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  describe('ListFlashSales', () => {
    const created: Record<string, string> = {};
    const list = (req: Partial<marketingV1.ListFlashSalesRequest>) =>
      call<marketingV1.ListFlashSalesResponse>('listFlashSales', {
        status: '',
        pageSize: 0,
        pageToken: '',
        ...req,
      });
    const ids = async (s: FlashSaleStatus | '') =>
      (await list({ status: s })).sales.map((d) => d.sale!.id);

    beforeAll(async () => {
      const now = Date.now();
      const create = async (name: string, startsIn: number, endsIn: number) => {
        const { sale } = await call<marketingV1.CreateFlashSaleResponse>('createFlashSale', {
          sale: {
            id: '',
            skuId: randomUUID(),
            price: cny(9900),
            stock: 10,
            perUserLimit: 3,
            startsAt: new Date(now + startsIn).toISOString(),
            endsAt: new Date(now + endsIn).toISOString(),
          },
        });
        created[name] = sale!.id;
        await sleep(5); // distinct creation times
      };
      await create('live', -60_000, 3_600_000);
      await create('scheduled', 3_600_000, 7_200_000);
      await create('ending', -60_000, 1_500);
      await create('live2', -1_000, 3_600_000);
      const won = await call<marketingV1.AttemptFlashPurchaseResponse>('attemptFlashPurchase', {
        saleId: created.live,
        accountId: randomUUID(),
        quantity: 3,
      });
      expect(won.result).toBe('WON');
      await sleep(Math.max(0, now + 1_600 - Date.now()));
    });

    it('lists newest first, and by status at the service clock', async () => {
      const { live, scheduled, ending, live2 } = created;
      expect(await ids('')).toEqual([live2, ending, scheduled, live]);
      expect(await ids('LIVE')).toEqual([live2, live]);
      expect(await ids('SCHEDULED')).toEqual([scheduled]);
      expect(await ids('ENDED')).toEqual([ending]);
    });

    it("gives each sale as GetFlashSale does, its pool's units included", async () => {
      const { sales } = await list({});
      for (const d of sales) {
        const one = await call<marketingV1.GetFlashSaleResponse>('getFlashSale', {
          saleId: d.sale!.id,
        });
        expect(d).toEqual({ sale: one.sale, reconciliation: one.reconciliation });
      }
      expect(sales.find((d) => d.sale!.id === created.live)!.reconciliation).toEqual({
        redisRemaining: 7,
        held: 3,
        paid: 0,
        drift: 0,
      });
    });

    it('pages with an opaque token, and refuses a bad status or token', async () => {
      const seen: string[] = [];
      let pageToken = '';
      do {
        const r = await list({ pageSize: 3, pageToken });
        seen.push(...r.sales.map((d) => d.sale!.id));
        pageToken = r.nextPageToken;
      } while (pageToken);
      expect(seen).toEqual(await ids(''));
      expect(await failure(list({ status: 'SOLD_OUT' }))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code: 'FLASH_SALE_STATUS_INVALID',
      });
      for (const bad of ['%%%', encodeCursor({ c: 'soon', i: randomUUID() })])
        expect(await failure(list({ pageToken: bad }))).toMatchObject({
          status: status.INVALID_ARGUMENT,
          code: 'INVALID_CURSOR',
        });
    });

    it('reads a page from an index, not the table, whatever the status', async () => {
      // two years of past sales, one an hour, each created half a day before it started
      await pg.query(
        `INSERT INTO flash_sales (id, sku_id, price_minor, currency, stock, per_user_limit, starts_at, ends_at, created_at)
         SELECT gen_random_uuid(), gen_random_uuid(), 100, 'CNY', 10, 1, t + interval '12 hours',
                t + interval '14 hours', t
           FROM generate_series(1, 20000) AS n,
                LATERAL (SELECT now() - interval '1 day' - n * interval '1 hour' AS t) AS x`,
      );
      await pg.query('ANALYZE flash_sales');
      const sent: [string, unknown[]][] = [];
      const repo = new SqlFlashRepository({
        query: (sql: string, params: unknown[]) => {
          sent.push([sql, params]);
          return pg.query(sql, params).then((r) => r.rows);
        },
      } as unknown as EntityManager);
      const cursor = { createdAt: new Date(Date.now() - 365 * 86_400_000), id: randomUUID() };
      for (const [filterStatus, after] of [
        [null, null],
        [null, cursor],
        ['ENDED', null],
        ['ENDED', cursor],
        ['LIVE', null],
        ['SCHEDULED', null],
      ] as const) {
        sent.length = 0;
        await repo.listSales({ status: filterStatus, now: new Date() }, 21, after);
        const [sql, params] = sent[0];
        const plan = (
          (await pg.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params)).rows[0][
            'QUERY PLAN'
          ] as { Plan: PlanNode & { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }[]
        )[0].Plan;
        const report = {
          filterStatus,
          after: Boolean(after),
          scans: nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan').length,
          fewBlocks: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'] <= 40,
          indexes: nodes(plan).flatMap((n) => n['Index Name'] ?? []),
        };
        expect(report).toEqual({
          ...report,
          scans: 0,
          fewBlocks: true,
          indexes: [
            filterStatus === 'LIVE' || filterStatus === 'SCHEDULED'
              ? 'flash_sales_ends_idx'
              : 'flash_sales_created_idx',
          ],
        });
      }
    });
  });

  describe('PreviewPromotion', () => {
    const action = (over: Partial<marketingV1.PromotionAction>): marketingV1.PromotionAction => ({
      kind: '',
      amount: undefined,
      basisPoints: 0,
      cap: undefined,
      tiers: [],
      every: undefined,
      buy: 0,
      free: 0,
      skuId: '',
      quantity: 0,
      ...over,
    });
    const draft = (over: Partial<marketingV1.Promotion> = {}): marketingV1.Promotion => ({
      id: '',
      name: '满300减50',
      priority: 0,
      exclusive: false,
      scopeKind: 'CART',
      scopeIds: [],
      conditions: [],
      action: action({
        kind: 'TIERED_REDUCTION',
        tiers: [{ threshold: cny(30000), off: cny(5000) }],
      }),
      campaignId: '',
      startsAt: '',
      endsAt: '',
      active: true,
      couponOnly: false,
      ...over,
    });
    const line = (unit: number, quantity = 1, skuId = '') => ({
      skuId,
      productId: '',
      categoryPathIds: [],
      quantity,
      unitPrice: cny(unit),
    });
    const preview = (
      promotion: marketingV1.Promotion,
      lines: ReturnType<typeof line>[],
      over: Partial<marketingV1.PreviewPromotionRequest> = {},
    ) =>
      call<marketingV1.PreviewPromotionResponse>('previewPromotion', {
        promotion,
        lines,
        memberTier: '',
        firstOrder: false,
        channel: '',
        at: '',
        ...over,
      });
    const promotions = async () =>
      Number((await pg.query(`SELECT count(*) FROM promotions`)).rows[0].count);

    it('满300减50: 320.00 pays 270.00, 280.00 gets nothing off; with 满500减100 the right tier', async () => {
      const r = await preview(draft(), [line(20000), line(12000)]);
      expect(r).toMatchObject({
        subtotal: cny(32000),
        discount: cny(5000),
        total: cny(27000),
        applied: [
          { promotionName: '满300减50', discount: cny(5000), explanation: expect.any(String) },
        ],
        inForce: true,
      });
      expect(r.lines.map((l) => l.discount!.amountMinor)).toEqual([3125, 1875]);
      expect(await preview(draft(), [line(14000, 2)])).toMatchObject({
        discount: cny(0),
        total: cny(28000),
        applied: [],
      });
      const tiers = draft({
        name: '满300减50 满500减100',
        action: action({
          kind: 'TIERED_REDUCTION',
          tiers: [
            { threshold: cny(30000), off: cny(5000) },
            { threshold: cny(50000), off: cny(10000) },
          ],
        }),
      });
      const totals = [];
      for (const yuan of [29999, 30000, 49999, 50000, 88800])
        totals.push((await preview(tiers, [line(yuan)])).total!.amountMinor);
      expect(totals).toEqual([29999, 25000, 44999, 40000, 78800]);
      expect(await promotions()).toBe(0);
    });

    it('prices a draft as PriceCart prices it once saved and in force', async () => {
      const sku = [randomUUID(), randomUUID()];
      const promo = draft({
        name: 'tea 10%',
        scopeKind: 'SKUS',
        scopeIds: [sku[0]],
        action: action({ kind: 'PERCENT_OFF', basisPoints: 1000, cap: cny(1500) }),
      });
      const lines = [line(9990, 2, sku[0]), line(4500, 1, sku[1])];
      const before = await preview(promo, lines);
      expect(before.inForce).toBe(true);
      await call('upsertPromotion', { promotion: { ...promo, id: randomUUID() } });
      const checkout = await call<marketingV1.PriceCartResponse>('priceCart', {
        orderId: randomUUID(),
        accountId: randomUUID(),
        lines,
        couponCodes: [],
        channel: '',
        memberTier: '',
        firstOrder: false,
        flashToken: '',
        groupDealId: '',
        groupId: '',
      });
      expect({
        lines: before.lines,
        subtotal: before.subtotal,
        discount: before.discount,
        total: before.total,
        explanation: before.applied.map((a) => a.explanation),
      }).toEqual({
        lines: checkout.lines,
        subtotal: checkout.subtotal,
        discount: checkout.discount,
        total: checkout.total,
        explanation: checkout.explanation,
      });
      await pg.query(`DELETE FROM promotions`);
    });

    it('refuses a draft as UpsertPromotion refuses it, and a bad sample cart', async () => {
      const bad = draft({
        action: action({
          kind: 'TIERED_REDUCTION',
          tiers: [{ threshold: cny(100), off: cny(200) }],
        }),
      });
      const saving = await failure(
        call('upsertPromotion', { promotion: { ...bad, id: randomUUID() } }),
      );
      const previewing = await failure(preview(bad, [line(100)]));
      expect(previewing).toMatchObject({ status: saving.status, code: saving.code });
      expect(previewing).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code: 'PROMOTION_INVALID',
        message: expect.stringContaining('draft: '),
      });
      for (const [promotion, code] of [
        [draft({ scopeKind: 'BRANDS' }), 'PROMOTION_INVALID'],
        [draft({ action: undefined }), 'PROMOTION_INVALID'],
        [draft({ startsAt: 'soon' }), 'TIME_INVALID'],
      ] as const)
        expect(await failure(preview(promotion, [line(100)]))).toMatchObject({
          status: status.INVALID_ARGUMENT,
          code,
        });
      expect(
        await failure(preview(draft({ campaignId: randomUUID() }), [line(100)])),
      ).toMatchObject({ status: status.NOT_FOUND, code: 'CAMPAIGN_NOT_FOUND' });
      for (const [lines, code] of [
        [[], 'CART_EMPTY'],
        [[line(100, 0)], 'QUANTITY_INVALID'],
        [[{ ...line(100), unitPrice: { amountMinor: 1, currency: 'BTC' } }], 'MONEY_INVALID'],
        [[line(100, 1, 'not-a-uuid')], 'ID_INVALID'],
      ] as const)
        expect(await failure(preview(draft(), [...lines]))).toMatchObject({
          status: status.INVALID_ARGUMENT,
          code,
        });
      expect(await promotions()).toBe(0);
    });
  });
});
