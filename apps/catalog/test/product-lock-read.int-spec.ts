import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { v4 as uuid } from 'uuid';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { newContext } from '@emporia/platform';
import { createTestDatabase, eventually, withRoundTrips } from '@emporia/testing';
import { CreateCategoryUseCase } from '../src/application/create-category.use-case';
import { CreateProductUseCase } from '../src/application/create-product.use-case';
import type { Product } from '../src/domain/product';
import { CATALOG_MIGRATIONS } from '../src/infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from '../src/infrastructure/typeorm-unit-of-work';
import { aProductInput, aSkuInput } from '../src/testing';

jest.setTimeout(120_000);

/**
 * `ProductRepository.get(id, { forUpdate: true })` reads the product with its SKUs in one
 * statement that locks the product's row. When that lock is waited for, the row comes back as the
 * writer holding it committed it, but a subquery in the same statement reads the snapshot taken
 * before the wait: the SKUs must be read again when the writer changed them (its SKU revision),
 * or a `save` writes the old SKUs back over the writer's (a lost update). Real Postgres, a writer
 * on a connection of its own.
 */
describe('catalog: a product read under its lock (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let writer: Client;
  let watcher: Client;
  let uow: TypeormUnitOfWork;
  let create: CreateProductUseCase;
  let categoryId: string;
  const ctx = newContext();

  const product = async () => {
    const n = uuid().slice(0, 8);
    const view = await create.execute(
      ctx,
      aProductInput(categoryId, { skus: [aSkuInput(`LK-${n}-A`), aSkuInput(`LK-${n}-B`)] }),
    );
    return view.product;
  };
  const prices = async (productId: string) =>
    (
      await writer.query<{ price: string }>(
        `SELECT price_amount_minor::text AS price FROM skus WHERE product_id = $1 ORDER BY position`,
        [productId],
      )
    ).rows.map((r) => Number(r.price));
  /** Resolves once a backend other than the writer waits for a row lock. */
  const someoneWaits = () =>
    eventually(
      async () => {
        const r = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return r.rowCount ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 20, what: 'a transaction waiting for the product lock' },
    );
  /**
   * The writer changes the first SKU's price as `save` does (the product's version and SKU
   * revision moved), holding the lock until `commit`.
   */
  const repriceHolding = async (productId: string, skuId: string, priceMinor: number) => {
    await writer.query('BEGIN');
    await writer.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [productId]);
    await writer.query('UPDATE skus SET price_amount_minor = $2 WHERE id = $1', [
      skuId,
      priceMinor,
    ]);
    await writer.query(
      'UPDATE products SET version = version + 1, skus_revision = skus_revision + 1 WHERE id = $1',
      [productId],
    );
    return { commit: () => writer.query('COMMIT') };
  };

  beforeAll(async () => {
    db = await createTestDatabase('catalog_product_lock');
    ds = createDataSource({
      url: db.url,
      entities: [],
      migrations: CATALOG_MIGRATIONS,
      poolSize: 2,
    });
    await ds.initialize();
    await runMigrations(ds);
    writer = new Client({ connectionString: db.url });
    await writer.connect();
    watcher = new Client({ connectionString: db.url });
    await watcher.connect();
    uow = new TypeormUnitOfWork(ds, {
      product: 'lk.catalog.product',
      category: 'lk.catalog.category',
      stock: 'lk.catalog.stock',
    });
    create = new CreateProductUseCase(uow, systemClock, uuidV7Generator, new Set(['CNY']));
    const n = uuid().slice(0, 8);
    const category = await new CreateCategoryUseCase(uow, systemClock, uuidV7Generator).execute(
      ctx,
      { name: `Locks ${n}`, slug: `locks-${n}` },
    );
    categoryId = category.id;
  });

  afterAll(async () => {
    await writer?.end();
    await watcher?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('reads the SKUs a writer committed while the lock was waited for', async () => {
    const p = await product();
    const [first] = p.skus;
    const held = await repriceHolding(p.id, first.id, 4242);
    const read = uow.run(ctx, (tx) => tx.products.get(p.id, { forUpdate: true }));
    await someoneWaits();
    await held.commit();
    const got = (await read)!;
    expect(got.version).toBe(p.version + 1);
    expect(got.skus.map((s) => s.price.amountMinor)).toEqual([4242, p.skus[1].price.amountMinor]);
  });

  it('a save after the wait keeps the price the writer set (no lost update)', async () => {
    const p = await product();
    const [first, second] = p.skus;
    const held = await repriceHolding(p.id, first.id, 777);
    const saved = uow.run(ctx, async (tx) => {
      const current = (await tx.products.get(p.id, { forUpdate: true }))!;
      const renamed: Product = {
        ...current,
        title: 'Renamed meanwhile',
        version: current.version + 1,
      };
      await tx.products.save(renamed);
    });
    await someoneWaits();
    await held.commit();
    await saved;
    expect(await prices(p.id)).toEqual([777, second.price.amountMinor]);
  });

  it('after a writer that moved only stock: the SKUs read with the lock stand (no second read)', async () => {
    const p = await product();
    // a reservation's commit: the product's version moves (saveTouched), its SKUs do not
    await writer.query('BEGIN');
    await writer.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [p.id]);
    await writer.query('UPDATE products SET version = version + 1 WHERE id = $1', [p.id]);
    const read = uow.run(ctx, (tx) => tx.products.get(p.id, { forUpdate: true }));
    await someoneWaits();
    // counted from here: the writer's COMMIT, then the waiting transaction's COMMIT (a second
    // read of the SKUs would be one more)
    const [got, trips] = await withRoundTrips(async () => {
      await writer.query('COMMIT');
      return read;
    });
    expect(got!.version).toBe(p.version + 1);
    expect(got!.skus.map((s) => s.price.amountMinor)).toEqual(
      p.skus.map((s) => s.price.amountMinor),
    );
    expect(trips).toBe(2);
  });

  it('a save moves the SKU revision', async () => {
    const p = await product();
    const revision = async () =>
      Number(
        (await writer.query(`SELECT skus_revision FROM products WHERE id = $1`, [p.id])).rows[0]
          .skus_revision,
      );
    const before = await revision();
    await uow.run(ctx, async (tx) => {
      const current = (await tx.products.get(p.id, { forUpdate: true }))!;
      await tx.products.save({ ...current, version: current.version + 1 });
    });
    expect(await revision()).toBe(before + 1);
  });

  it('without a wait: one statement, the SKUs from it', async () => {
    const p = await product();
    const [got, trips] = await withRoundTrips(() =>
      uow.run(ctx, (tx) => tx.products.get(p.id, { forUpdate: true })),
    );
    expect(got!.skus.map((s) => s.id)).toEqual(p.skus.map((s) => s.id));
    // the locking read (with BEGIN) and the COMMIT
    expect(trips).toBe(2);
  });
});
