import { createLogger, type RequestContext } from '@emporia/platform';
import { CatalogError } from '../domain/catalog-error';
import type { ProductPatch } from '../domain/product';
import { aSkuInput, catalogHarness, type CatalogHarness } from '../testing';
import { ListingScheduleUseCase } from './listing-schedule.use-case';
import type { CatalogTx, ProductView } from './ports';
import { UpdateProductUseCase } from './update-product.use-case';

/**
 * Scheduled listing through the use cases against the in-memory ports: ScheduleListing stores
 * the times, the sweep acts once each at its time through UpdateProduct (one version, one
 * ProductUpdated), clears what it acted on, and a refused publish leaves the product DRAFT.
 */
describe('listing schedule', () => {
  const iso = (h: CatalogHarness, ms: number) =>
    new Date(h.clock.now().getTime() + ms).toISOString();
  const updates = (h: CatalogHarness, productId: string) =>
    h.store.outbox
      .filter((e) => e.type === 'productUpdated' && e.productId === productId)
      .map((e) => ('changedFields' in e ? `${e.version}:${e.changedFields.join(',')}` : ''));

  const draft = async (h: CatalogHarness) =>
    (await h.stockedProduct({ SH: 1 }, { status: 'DRAFT' })).product;

  it('publishes a DRAFT product at publish_at and archives it at unpublish_at, each once', async () => {
    const h = catalogHarness();
    const p = await draft(h);
    const v0 = h.store.products.get(p.id)!.version;
    const scheduled = await h.listingSchedule.schedule(h.ctx, p.id, {
      publishAt: iso(h, 60_000),
      unpublishAt: iso(h, 3_600_000),
    });
    expect(scheduled.product).toMatchObject({ version: v0 + 1, status: 'DRAFT' });
    expect(scheduled.product.publishAt?.toISOString()).toBe(iso(h, 60_000));

    expect(await h.listingSchedule.runDue(h.ctx)).toBe(0);
    h.clock.advance(60_000);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(1);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(0);
    expect(h.store.products.get(p.id)).toMatchObject({
      status: 'ACTIVE',
      version: v0 + 2,
      publishAt: null,
    });

    h.clock.advance(3_600_000);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(1);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(0);
    expect(h.store.products.get(p.id)).toMatchObject({
      status: 'ARCHIVED',
      version: v0 + 3,
      unpublishAt: null,
    });
    expect(updates(h, p.id)).toEqual([
      `${v0 + 1}:publish_at,unpublish_at`,
      `${v0 + 2}:status,publish_at`,
      `${v0 + 3}:status,unpublish_at`,
    ]);
  });

  it('a sweep that was down for both times publishes, then unpublishes, in one run', async () => {
    const h = catalogHarness();
    const p = await draft(h);
    await h.listingSchedule.schedule(h.ctx, p.id, {
      publishAt: iso(h, 1000),
      unpublishAt: iso(h, 2000),
    });
    h.clock.advance(10_000);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(2);
    expect(h.store.products.get(p.id)).toMatchObject({
      status: 'ARCHIVED',
      publishAt: null,
      unpublishAt: null,
    });
  });

  it('a time the product no longer fits is cleared without touching its status', async () => {
    const h = catalogHarness();
    const p = await draft(h);
    await h.listingSchedule.schedule(h.ctx, p.id, { publishAt: iso(h, 1000), unpublishAt: '' });
    await h.updateProduct.execute(h.ctx, p.id, { status: 'ACTIVE' }); // published by hand first
    h.clock.advance(1000);
    expect(await h.listingSchedule.runDue(h.ctx)).toBe(1);
    expect(h.store.products.get(p.id)).toMatchObject({ status: 'ACTIVE', publishAt: null });
    expect(updates(h, p.id).at(-1)).toMatch(/:publish_at$/);
  });

  it('validates: RFC 3339 with offset, unpublish after publish, no ARCHIVED product, the expected version', async () => {
    const h = catalogHarness();
    const p = await draft(h);
    const bad = (input: { publishAt: string; unpublishAt: string; expectedVersion?: number }) =>
      h.listingSchedule.schedule(h.ctx, p.id, input);
    await expect(bad({ publishAt: '2030-01-01T00:00:00', unpublishAt: '' })).rejects.toMatchObject({
      code: 'SCHEDULE_INVALID',
    });
    await expect(bad({ publishAt: iso(h, 2000), unpublishAt: iso(h, 1000) })).rejects.toMatchObject(
      { code: 'SCHEDULE_INVALID' },
    );
    await expect(
      bad({ publishAt: iso(h, 2000), unpublishAt: '', expectedVersion: 99 }),
    ).rejects.toMatchObject({ code: 'PRODUCT_VERSION_CONFLICT' });
    await expect(
      h.listingSchedule.schedule(h.ctx, h.ids.newId(), {
        publishAt: iso(h, 1000),
        unpublishAt: '',
      }),
    ).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
    await h.updateProduct.execute(h.ctx, p.id, { status: 'ARCHIVED' });
    await expect(bad({ publishAt: '', unpublishAt: iso(h, 1000) })).rejects.toMatchObject({
      code: 'SCHEDULE_NOT_ALLOWED',
    });
    expect(h.store.products.get(p.id)).toMatchObject({ publishAt: null, unpublishAt: null });
  });

  it('clearing a schedule changes nothing the second time (same version, no event)', async () => {
    const h = catalogHarness();
    const p = await draft(h);
    await h.listingSchedule.schedule(h.ctx, p.id, { publishAt: iso(h, 1000), unpublishAt: '' });
    await h.listingSchedule.schedule(h.ctx, p.id, { publishAt: '', unpublishAt: '' });
    const after = h.store.products.get(p.id)!.version;
    await h.listingSchedule.schedule(h.ctx, p.id, { publishAt: '', unpublishAt: '' });
    expect(h.store.products.get(p.id)!.version).toBe(after);
    expect(updates(h, p.id)).toHaveLength(2);
  });

  describe('when the publish guard refuses (COMPLIANCE_REVIEW_REQUIRED)', () => {
    /** Stands in for catalog-merch's guard in UpdateProduct: refuses status ACTIVE after writing. */
    class GuardedUpdate extends UpdateProductUseCase {
      override async execute(
        ctx: RequestContext,
        id: string,
        patch: ProductPatch,
        within?: CatalogTx,
      ): Promise<ProductView> {
        const view = await super.execute(ctx, id, patch, within);
        if (patch.status === 'ACTIVE')
          throw new CatalogError(
            'FAILED_PRECONDITION',
            'COMPLIANCE_REVIEW_REQUIRED',
            `product ${id} needs an approved compliance review`,
          );
        return view;
      }
    }

    it('rolls the publish back, clears publish_at, keeps the product DRAFT, and goes on with the others', async () => {
      const h = catalogHarness();
      const guarded = new ListingScheduleUseCase(
        h.uow,
        h.clock,
        h.ids,
        new GuardedUpdate(h.uow, h.clock, h.ids, new Set(['CNY'])),
        createLogger('catalog-test', 'silent'),
      );
      const refused = await draft(h);
      const archived = (await h.stockedProduct({ SH: 1 }, { skus: [aSkuInput('MUG-1')] })).product;
      await h.listingSchedule.schedule(h.ctx, refused.id, {
        publishAt: iso(h, 1000),
        unpublishAt: '',
      });
      await h.listingSchedule.schedule(h.ctx, archived.id, {
        publishAt: '',
        unpublishAt: iso(h, 2000),
      });
      const v = h.store.products.get(refused.id)!.version;
      h.clock.advance(5000);
      expect(await guarded.runDue(h.ctx)).toBe(2);
      expect(h.store.products.get(refused.id)).toMatchObject({
        status: 'DRAFT',
        publishAt: null,
        version: v + 1,
      });
      expect(updates(h, refused.id).at(-1)).toBe(`${v + 1}:publish_at`);
      expect(h.store.products.get(archived.id)).toMatchObject({ status: 'ARCHIVED' });
      expect(await guarded.runDue(h.ctx)).toBe(0);
    });
  });
});
