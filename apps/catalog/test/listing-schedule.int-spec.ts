import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
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
import { ListingScheduleUseCase } from '../src/application/listing-schedule.use-case';
import { startCatalog } from '../src/catalog.app';
import { catalogConfigSchema } from '../src/config';

jest.setTimeout(120_000);

/**
 * Scheduled listing with two catalog processes on one database (two replicas): each scheduled
 * publish and unpublish happens once, with one version and one ProductUpdated, even when both
 * replicas' sweeps and extra sweep runs that skip the advisory lock race for the same products.
 */
describe('catalog scheduled listing, two replicas (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  const services: RunningService[] = [];
  const clients: ReturnType<typeof grpcTestClient>[] = [];
  let pg: Client;
  let categoryId: string;
  const prefix = `lsch${uniqueSuffix()}.`;

  const call = <T>(replica: number, method: string, req: unknown) =>
    clients[replica].call<T>(method, req);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => fromGrpcError(e),
    );
  /** An RFC 3339 time `ms` from now, in China time (+08:00). */
  const inChina = (ms: number) =>
    new Date(Date.now() + ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  const draft = async (replica = 0) =>
    (
      await call<catalogV1.CreateProductResponse>(replica, 'createProduct', {
        title: `Scheduled ${uniqueSuffix()}`,
        categoryId,
        status: catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT,
        skus: [
          {
            code: `SCH-${uniqueSuffix()}`,
            attributes: {},
            price: { amountMinor: 1000, currency: 'CNY' },
          },
        ],
      })
    ).product!;
  const get = async (id: string) =>
    (await call<catalogV1.GetProductResponse>(0, 'getProduct', { id })).product!;
  /** The product's ProductUpdated events in the outbox: [version, changed fields]. */
  const updates = async (id: string) =>
    (
      await pg.query<{ payload: Buffer }>(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductUpdated' ORDER BY seq`,
        [id],
      )
    ).rows.map((r) => {
      const m = catalogV1.ProductUpdated.decode(r.payload);
      return `${m.product!.version}:${m.changedFields.join(',')}:${m.product!.status}`;
    });

  beforeAll(async () => {
    db = await createTestDatabase('catalog_listing_it');
    const group = `catalog-it${uniqueSuffix()}`;
    for (const replica of [0, 1]) {
      const config = catalogConfigSchema.parse({
        CATALOG_DATABASE_URL: db.url,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        CATALOG_GRPC_PORT: String(await freePort()),
        CATALOG_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        CATALOG_MIGRATE_ON_START: 'true',
        CATALOG_CONSUMER_GROUP: group,
        RESERVATION_SWEEP_INTERVAL_MS: '100',
        DB_POOL_SIZE: '10',
      });
      const service = await startCatalog(config, testLogger(`catalog-${replica}`));
      services.push(service);
      clients.push(
        grpcTestClient(PROTO_FILES.catalog, 'emporia.catalog.v1.CatalogService', service.grpcUrl!),
      );
    }
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>(0, 'createCategory', {
        name: 'Scheduled',
        slug: `scheduled-${uniqueSuffix()}`,
      })
    ).category!.id;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await pg?.end();
    for (const s of services) await s.close();
    await db?.drop();
  });

  it('a scheduled publish happens exactly once with two catalog processes running', async () => {
    const p = await draft(0);
    const publishAt = inChina(1500);
    const scheduled = (
      await call<catalogV1.ScheduleListingResponse>(1, 'scheduleListing', {
        productId: p.id,
        publishAt,
        unpublishAt: '',
        expectedVersion: p.version,
      })
    ).product!;
    expect(scheduled.version).toBe(p.version + 1);
    expect(scheduled.status).toBe('PRODUCT_STATUS_DRAFT');
    expect(Date.parse(scheduled.publishAt)).toBe(Date.parse(publishAt));
    const published = await eventually(
      async () => {
        const now = await get(p.id);
        return now.status === 'PRODUCT_STATUS_ACTIVE' ? now : undefined;
      },
      { what: 'the scheduled publish', timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(publishAt));
    // both replicas' sweeps keep ticking every 100 ms: give them time to do it again if they could
    await new Promise((r) => setTimeout(r, 1500));
    const after = await get(p.id);
    expect(after).toMatchObject({ version: scheduled.version + 1, publishAt: '' });
    expect(published.version).toBe(scheduled.version + 1);
    expect(await updates(p.id)).toEqual([
      `${scheduled.version}:publish_at:PRODUCT_STATUS_DRAFT`,
      `${scheduled.version + 1}:status,publish_at:PRODUCT_STATUS_ACTIVE`,
    ]);
  });

  it('sweep runs racing on both replicas without the advisory lock still change each product once', async () => {
    const products: catalogV1.Product[] = [];
    for (let i = 0; i < 12; i++) products.push(await draft(i % 2));
    const versions = new Map<string, number>();
    for (const p of products) {
      const s = await call<catalogV1.ScheduleListingResponse>(i2(p.id), 'scheduleListing', {
        productId: p.id,
        publishAt: inChina(1200),
        unpublishAt: inChina(2400),
      });
      versions.set(p.id, s.product!.version);
    }
    // extra sweep runs straight on the use case (no advisory lock), two per replica, racing with
    // the kit's own sweeps until every product has been published and archived
    const sweepers = services.map((s) => s.app.get(ListingScheduleUseCase));
    const race = async () => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        await Promise.all([...sweepers, ...sweepers].map((u) => u.runDue()));
        const left = await pg.query(
          `SELECT count(*)::int AS n FROM products WHERE id = ANY($1::uuid[]) AND status <> 'ARCHIVED'`,
          [products.map((p) => p.id)],
        );
        if (left.rows[0].n === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('the products were not all published and archived in time');
    };
    await race();
    for (const p of products) {
      const v = versions.get(p.id)!;
      expect(await updates(p.id)).toEqual([
        `${v}:publish_at,unpublish_at:PRODUCT_STATUS_DRAFT`,
        `${v + 1}:status,publish_at:PRODUCT_STATUS_ACTIVE`,
        `${v + 2}:status,unpublish_at:PRODUCT_STATUS_ARCHIVED`,
      ]);
      expect(await get(p.id)).toMatchObject({ version: v + 2, publishAt: '', unpublishAt: '' });
    }
  });

  it('a scheduled publish of a regulated product without review is refused: DRAFT, publish_at cleared, audited', async () => {
    const food = (
      await call<catalogV1.CreateCategoryResponse>(0, 'createCategory', {
        name: 'Food',
        slug: `food-${uniqueSuffix()}`,
        regulated: true,
      })
    ).category!;
    const p = await draft(0);
    const moved = (
      await call<catalogV1.UpdateProductResponse>(0, 'updateProduct', {
        id: p.id,
        categoryId: food.id,
      })
    ).product!;
    expect(moved.complianceStatus).toBe('COMPLIANCE_STATUS_REQUIRED');
    await call(1, 'scheduleListing', { productId: p.id, publishAt: inChina(800), unpublishAt: '' });
    const cleared = await eventually(
      async () => {
        const now = await get(p.id);
        return now.publishAt === '' ? now : undefined;
      },
      { what: 'the refused publish clearing publish_at', timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(cleared.status).toBe('PRODUCT_STATUS_DRAFT');
    const audit = (
      await call<catalogV1.GetComplianceAuditResponse>(0, 'getComplianceAudit', {
        productId: p.id,
      })
    ).entries;
    expect(audit.map((e) => e.action)).toEqual(['refused_publish']);
    expect(audit[0].detail).toContain('scheduled publish');
    // the sweeps keep ticking: no second refusal, no publish
    await new Promise((r) => setTimeout(r, 600));
    expect((await get(p.id)).status).toBe('PRODUCT_STATUS_DRAFT');
    expect(
      (
        await call<catalogV1.GetComplianceAuditResponse>(0, 'getComplianceAudit', {
          productId: p.id,
        })
      ).entries,
    ).toHaveLength(1);
  });

  it('refuses a bad schedule with its code, writing nothing', async () => {
    const p = await draft();
    const bad = (req: object) =>
      failure(
        call(0, 'scheduleListing', { productId: p.id, publishAt: '', unpublishAt: '', ...req }),
      );
    for (const req of [
      { publishAt: '2030-01-01T00:00:00' },
      { publishAt: inChina(60_000), unpublishAt: inChina(30_000) },
      { publishAt: inChina(-60_000) },
    ]) {
      const e = await bad(req);
      expect([e.status, e.code]).toEqual([status.INVALID_ARGUMENT, 'SCHEDULE_INVALID']);
    }
    await call(0, 'updateProduct', { id: p.id, status: 'PRODUCT_STATUS_ARCHIVED' });
    const archived = await bad({ unpublishAt: inChina(60_000) });
    expect([archived.status, archived.code]).toEqual([
      status.FAILED_PRECONDITION,
      'SCHEDULE_NOT_ALLOWED',
    ]);
    expect(await get(p.id)).toMatchObject({ publishAt: '', unpublishAt: '' });
  });
});

/** Which replica to ask: spread the calls over both. */
function i2(id: string): number {
  return id.charCodeAt(id.length - 1) % 2;
}
