import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { catalogV1, PROTO_FILES } from '@emporia/contracts';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { startCatalog } from '../src/catalog.app';
import { catalogConfigSchema } from '../src/config';
import { TagsAndCompliance1767000000200 } from '../src/infrastructure/migrations/1767000000200-tags-and-compliance';

jest.setTimeout(120_000);

const SWEEP_MS = 100;
const BEST_SELLER = 'TAG_RULE_KIND_BEST_SELLER';

/**
 * Tags on real Postgres over gRPC, with the kit running the rule sweep every 100 ms: a best
 * seller is tagged after committed sales and untagged when it falls out, with exactly one
 * ProductUpdated ["tags"] in the outbox per change; manual tags; the migration's backfill.
 */
describe('catalog tags (real Postgres + Kafka)', () => {
  const prefix = `t${uniqueSuffix()}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const getProduct = async (id: string) =>
    (await call<catalogV1.GetProductResponse>('getProduct', { id })).product!;
  /** The ProductUpdated events of a product in the outbox whose changed fields name "tags". */
  const tagEvents = async (productId: string) =>
    (
      await pg.query<{ payload: Buffer }>(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductUpdated' ORDER BY seq`,
        [productId],
      )
    ).rows
      .map((r) => catalogV1.ProductUpdated.decode(r.payload))
      .filter((e) => e.changedFields.includes('tags'))
      .map((e) => e.product!.tags);
  /** Lets several sweeps run, so a repeated change would show. */
  const severalSweeps = () => new Promise((r) => setTimeout(r, SWEEP_MS * 8));

  beforeAll(async () => {
    db = await createTestDatabase('catalog_tags_it');
    const config = catalogConfigSchema.parse({
      CATALOG_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      CATALOG_GRPC_PORT: String(await freePort()),
      CATALOG_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_MIGRATE_ON_START: 'true',
      CATALOG_CONSUMER_GROUP: `catalog-it${uniqueSuffix()}`,
      OUTBOX_POLL_MS: '50',
      CATALOG_TAG_SWEEP_INTERVAL_MS: String(SWEEP_MS),
      CURRENCIES: 'CNY',
    });
    service = await startCatalog(config, testLogger('catalog'));
    client = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
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

  async function stockedProduct(categoryId: string) {
    const p = (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title: 'Tea cup',
        categoryId,
        skus: [{ code: `CUP-${uniqueSuffix()}`, price: { amountMinor: 1000, currency: 'CNY' } }],
      })
    ).product!;
    await call('adjustStock', {
      skuId: p.skus[0].id,
      warehouseCode: 'SH',
      delta: 100,
      reason: 'receipt',
    });
    return { id: p.id, skuId: p.skus[0].id };
  }
  async function sell(skuId: string, quantity: number) {
    const reservationId = randomUUID();
    await call('reserveStock', { reservationId, lines: [{ skuId, quantity }], ttlSeconds: 600 });
    await call('commitReservation', { reservationId });
    return reservationId;
  }

  it('starts with the default rules 新品 and 爆款, and validates a replacement', async () => {
    const rules = (await call<catalogV1.ListTagRulesResponse>('listTagRules', {})).rules;
    expect(rules).toEqual([
      { tag: '新品', kind: 'TAG_RULE_KIND_NEW_ARRIVAL', days: 30, top: 0, minUnits: 0 },
      { tag: '爆款', kind: BEST_SELLER, days: 7, top: 20, minUnits: 1 },
    ]);
    const refused = await call('replaceTagRules', {
      rules: [{ tag: '爆款', kind: BEST_SELLER, days: 0, top: 1, minUnits: 1 }],
    }).catch((e: unknown) => fromGrpcError(e));
    expect(refused).toMatchObject({ code: 'TAG_RULES_INVALID' });
  });

  it('tags a best seller after committed sales and untags it when it falls out, one event per change', async () => {
    // only the best-seller rule, top 1 with at least 2 units: new arrivals stay out of the way
    await call('replaceTagRules', {
      rules: [{ tag: '爆款', kind: BEST_SELLER, days: 7, top: 1, minUnits: 2 }],
    });
    const cat = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Tea',
        slug: `tea-${uniqueSuffix()}`,
      })
    ).category!;
    const a = await stockedProduct(cat.id);
    const b = await stockedProduct(cat.id);
    await sell(a.skuId, 1);
    await severalSweeps();
    expect((await getProduct(a.id)).tags).toEqual([]); // 1 unit < min_units
    await sell(a.skuId, 2);
    await eventually(async () => ((await getProduct(a.id)).tags.length ? true : undefined), {
      what: 'a tagged 爆款',
    });
    await severalSweeps();
    expect(await tagEvents(a.id)).toEqual([['爆款']]);

    // b outsells a: the top 1 moves
    const bSale = await sell(b.skuId, 5);
    await eventually(async () => ((await getProduct(a.id)).tags.length ? undefined : true), {
      what: 'a untagged',
    });
    await severalSweeps();
    expect(await tagEvents(a.id)).toEqual([['爆款'], []]);
    expect(await tagEvents(b.id)).toEqual([['爆款']]);
    expect((await getProduct(b.id)).tags).toEqual(['爆款']);

    // b's sale leaves the 7-day window (committed 8 days ago): a is the best seller again
    await pg.query(
      `UPDATE stock_reservations SET updated_at = now() - interval '8 days' WHERE id = $1`,
      [bSale],
    );
    await eventually(async () => ((await getProduct(b.id)).tags.length ? undefined : true), {
      what: 'b untagged',
    });
    await severalSweeps();
    expect(await tagEvents(b.id)).toEqual([['爆款'], []]);
    expect(await tagEvents(a.id)).toEqual([['爆款'], [], ['爆款']]);
  });

  it('keeps manual tags beside rule tags; the union is sorted', async () => {
    const cat = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Cups',
        slug: `cups-${uniqueSuffix()}`,
      })
    ).category!;
    await call('replaceTagRules', {
      rules: [{ tag: '新品', kind: 'TAG_RULE_KIND_NEW_ARRIVAL', days: 30, top: 0, minUnits: 0 }],
    });
    const p = await stockedProduct(cat.id);
    const set = await call<catalogV1.SetProductTagsResponse>('setProductTags', {
      productId: p.id,
      tags: ['促销', 'SALE'],
    });
    expect(set.product!.manualTags).toEqual(['SALE', '促销']);
    await eventually(async () => ((await getProduct(p.id)).tags.length === 3 ? true : undefined), {
      what: '新品 added',
    });
    expect((await getProduct(p.id)).tags).toEqual(['SALE', '促销', '新品'].sort());
    const refused = await call('setProductTags', { productId: p.id, tags: ['x'.repeat(21)] }).catch(
      (e: unknown) => fromGrpcError(e),
    );
    expect(refused).toMatchObject({ code: 'TAGS_INVALID' });
  });

  it('the migration backfills first publication from creation for ACTIVE products and seeds the rules', async () => {
    const cat = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Old',
        slug: `old-${uniqueSuffix()}`,
      })
    ).category!;
    const live = await stockedProduct(cat.id);
    const draft = (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title: 'Draft',
        categoryId: cat.id,
        status: 'PRODUCT_STATUS_DRAFT',
        skus: [{ code: `D-${uniqueSuffix()}`, price: { amountMinor: 1, currency: 'CNY' } }],
      })
    ).product!;
    await pg.query(
      `UPDATE products SET created_at = created_at - interval '3 days' WHERE id = $1`,
      [live.id],
    );
    const runner = { query: (sql: string) => pg.query(sql) } as unknown as QueryRunner;
    const migration = new TagsAndCompliance1767000000200();
    await migration.down(runner);
    await migration.up(runner);
    const rows = (
      await pg.query<{ id: string; first: Date | null; created: Date }>(
        `SELECT id, first_published_at AS first, created_at AS created FROM products WHERE id = ANY($1::uuid[])`,
        [[live.id, draft.id]],
      )
    ).rows;
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(live.id)!.first).toEqual(byId.get(live.id)!.created);
    expect(byId.get(draft.id)!.first).toBeNull();
    expect(
      (await pg.query(`SELECT tag FROM tag_rules ORDER BY position`)).rows.map((r) => r.tag),
    ).toEqual(['新品', '爆款']);
  });
});
