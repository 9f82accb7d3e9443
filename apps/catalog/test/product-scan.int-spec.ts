import { v7 as uuidv7 } from 'uuid';
import { catalogV1 } from '@emporia/contracts';

import { uniqueSuffix } from '@emporia/testing';
import { type CatalogUnderTest, startTestCatalog } from './support/catalog-under-test';

jest.setTimeout(120_000);

/**
 * ListProducts as a full scan, the way a search reindex pages through the catalog: every
 * product of every status, 500 a page, in a stable order, with the same snapshot as events.
 */
describe('catalog ListProducts full scan (real Postgres)', () => {
  let catalog: CatalogUnderTest;
  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_scan_it', {
      KAFKA_TOPIC_PREFIX: `scan${uniqueSuffix()}.`,
    });
  });

  afterAll(() => catalog?.close());

  it('pages through every product of every status, 500 at a time, each once, by id', async () => {
    const root = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Scan',
        slug: `scan-${uniqueSuffix()}`,
      })
    ).category!;
    const leaf = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Scan leaf',
        slug: `scan-leaf-${uniqueSuffix()}`,
        parentId: root.id,
      })
    ).category!;
    const create = async (code: string, status: string) =>
      (
        await call<catalogV1.CreateProductResponse>('createProduct', {
          title: `Scan ${code}`,
          categoryId: leaf.id,
          status,
          skus: [{ code, attributes: {}, price: { amountMinor: 500, currency: 'CNY' } }],
        })
      ).product!;
    const draft = await create(`D-${uniqueSuffix()}`, 'PRODUCT_STATUS_DRAFT');
    const archived = await create(`A-${uniqueSuffix()}`, 'PRODUCT_STATUS_ACTIVE');
    await call('updateProduct', { id: archived.id, status: 'PRODUCT_STATUS_ARCHIVED' });
    const active = await create(`S-${uniqueSuffix()}`, 'PRODUCT_STATUS_ACTIVE');

    // 1,027 more straight into the tables (ids time-ordered as the service draws them), in
    // both categories and all statuses, two SKUs each, with stock and units sold to map back
    const n = 1027;
    const ids = Array.from({ length: n }, () => uuidv7());
    const statuses = ['DRAFT', 'ACTIVE', 'ARCHIVED'];
    await catalog.pg.query(
      `INSERT INTO products (id, title, category_id, status, version, created_at, updated_at)
       SELECT id, 'bulk ' || i, CASE WHEN i % 2 = 0 THEN $2::uuid ELSE $3::uuid END,
              ($4::text[])[1 + i % 3], 1, now(), now()
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)`,
      [ids, root.id, leaf.id, statuses],
    );
    await catalog.pg.query(
      `INSERT INTO skus (id, product_id, code, price_amount_minor, currency, position, units_sold)
       SELECT gen_random_uuid(), p.id, 'BULK-' || p.id || '-' || k, 100, 'CNY', k,
              CASE WHEN k = 0 THEN (hashtext(p.id::text) & 1023) ELSE 0 END
       FROM products p CROSS JOIN generate_series(0, 1) k WHERE p.title LIKE 'bulk %'`,
    );
    await catalog.pg.query(
      `INSERT INTO stock_levels (sku_id, warehouse_code, on_hand, updated_at)
       SELECT s.id, w, 1 + (hashtext(s.id::text || w) & 63), now()
       FROM skus s CROSS JOIN unnest(ARRAY['BJ-1', 'SH-1']) w WHERE s.code LIKE 'BULK-%'`,
    );
    const expected = new Map<string, { status: string; sold: number[]; stock: number[] }>();
    const { rows } = await catalog.pg.query(
      `SELECT p.id, p.status,
              array_agg(s.units_sold::int ORDER BY s.position) AS sold,
              array_agg(COALESCE((SELECT sum(on_hand)::int FROM stock_levels l WHERE l.sku_id = s.id), 0)
                        ORDER BY s.position) AS stock
       FROM products p JOIN skus s ON s.product_id = p.id GROUP BY p.id, p.status`,
    );
    for (const r of rows as { id: string; status: string; sold: number[]; stock: number[] }[])
      expected.set(r.id, { status: r.status, sold: r.sold, stock: r.stock });
    expect(expected.size).toBe(n + 3);

    const seen: catalogV1.Product[] = [];
    const pageSizes: number[] = [];
    let token = '';
    let createdMidScan = '';
    do {
      const page = await call<catalogV1.ListProductsResponse>('listProducts', {
        pageSize: 1000, // treated as 500
        pageToken: token,
      });
      pageSizes.push(page.products.length);
      seen.push(...page.products);
      token = page.nextPageToken;
      if (!createdMidScan) {
        // writes during the scan: a product changed on a page already read is not read again,
        // a new product (a later id) comes on a later page
        await call('updateProduct', { id: page.products[0].id, title: 'changed mid-scan' });
        createdMidScan = (await create(`M-${uniqueSuffix()}`, 'PRODUCT_STATUS_DRAFT')).id;
      }
    } while (token);

    expect(pageSizes).toEqual([500, 500, 31]);
    const seenIds = seen.map((p) => p.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort()).toEqual(seenIds); // by id, ascending
    expect(seenIds).toContain(createdMidScan);
    expect(new Set(seenIds)).toEqual(new Set([...expected.keys(), createdMidScan]));
    const status = (p: catalogV1.Product) => String(p.status).replace('PRODUCT_STATUS_', '');
    for (const p of seen.filter((x) => x.id !== createdMidScan)) {
      const want = expected.get(p.id)!;
      expect({ id: p.id, status: status(p), sold: p.skus.map((s) => Number(s.unitsSold)) }).toEqual(
        { id: p.id, status: want.status, sold: want.sold },
      );
      expect(p.skus.map((s) => Number(s.stockOnHand))).toEqual(want.stock);
      expect(Number(p.unitsSold)).toBe(want.sold.reduce((a, b) => a + b, 0));
      expect(p.categoryPathIds).toEqual(p.categoryId === leaf.id ? [root.id, leaf.id] : [root.id]);
    }
    const statusOf = new Map(seen.map((p) => [p.id, status(p)]));
    expect([draft.id, archived.id, active.id].map((id) => statusOf.get(id))).toEqual([
      'DRAFT',
      'ARCHIVED',
      'ACTIVE',
    ]);
    expect(new Set(statusOf.values())).toEqual(new Set(statuses));

    // no page size: 20
    const first = await call<catalogV1.ListProductsResponse>('listProducts', {});
    expect(first.products.map((p) => p.id)).toEqual(seenIds.slice(0, 20));
  });
});
