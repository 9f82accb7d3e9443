import { newContext } from '@emporia/platform';
import { aProductInput, aSkuInput, catalogHarness, type CatalogHarness } from '../testing';

/**
 * Compliance review through the use cases against the in-memory unit of work: the publish
 * guard, submit / decide, invalidation by an edit, inheritance of the regulated mark, and an
 * audit trail that keeps even a refused publish.
 */
describe('compliance review', () => {
  const REPORT = 'https://reports.example.com/qr/42.pdf';
  async function setup() {
    const h = catalogHarness();
    const food = await h.createCategory.execute(h.ctx, {
      name: 'Food',
      slug: 'food',
      regulated: true,
    });
    const milk = await h.createCategory.execute(h.ctx, {
      name: 'Milk',
      slug: 'milk',
      parentId: food.id,
    });
    const view = await h.createProduct.execute(
      h.ctx,
      aProductInput(milk.id, {
        title: 'Infant formula',
        status: 'DRAFT',
        skus: [aSkuInput('MILK-1')],
      }),
    );
    return { h, food, milk, product: view.product };
  }
  const publish = (h: CatalogHarness, id: string) =>
    h.updateProduct.execute(h.ctx, id, { status: 'ACTIVE' });
  const submit = (
    h: CatalogHarness,
    productId: string,
    over: { qualityReportRef?: string; submittedBy?: string } = {},
  ) =>
    h.compliance.submit(h.ctx, {
      productId,
      qualityReportRef: REPORT,
      submittedBy: 'merchant-1',
      ...over,
    });
  const decide = (
    h: CatalogHarness,
    reviewId: string,
    approve = true,
    operatorId = 'op-1',
    reason = '',
  ) => h.compliance.decide(h.ctx, { reviewId, operatorId, approve, reason });
  const actions = async (h: CatalogHarness, productId: string) =>
    (await h.compliance.auditTrail(h.ctx, productId)).map((e) => e.action);

  it('a product in a regulated subtree cannot be published (or created ACTIVE) without an approved review', async () => {
    const { h, milk, product } = await setup();
    expect(milk.regulated).toBe(true);
    await expect(publish(h, product.id)).rejects.toMatchObject({
      code: 'COMPLIANCE_REVIEW_REQUIRED',
      kind: 'FAILED_PRECONDITION',
    });
    expect(h.store.products.get(product.id)!.status).toBe('DRAFT');
    // the refusal survives the refused transaction
    expect(await actions(h, product.id)).toEqual(['refused_publish']);
    await expect(
      h.createProduct.execute(h.ctx, aProductInput(milk.id, { skus: [aSkuInput('MILK-2')] })),
    ).rejects.toMatchObject({ code: 'COMPLIANCE_REVIEW_REQUIRED' });
  });

  it('publishes after approval; an edit of reviewed content needs a new review, the product stays ACTIVE', async () => {
    const { h, product } = await setup();
    const review = await submit(h, product.id);
    expect(review).toMatchObject({
      status: 'PENDING',
      submittedBy: 'merchant-1',
      qualityReportRef: REPORT,
    });
    expect((await h.products.get(h.ctx, product.id)).product.compliance).toBe('PENDING');
    await expect(publish(h, product.id)).rejects.toMatchObject({
      code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    await expect(submit(h, product.id)).rejects.toMatchObject({ code: 'REVIEW_ALREADY_PENDING' });
    await expect(decide(h, review.id, true, 'merchant-1')).rejects.toMatchObject({
      code: 'REVIEW_SELF_DECISION',
    });
    expect(await decide(h, review.id)).toMatchObject({ status: 'APPROVED', decidedBy: 'op-1' });
    await expect(decide(h, review.id, false, 'op-2', 'late')).rejects.toMatchObject({
      code: 'REVIEW_ALREADY_DECIDED',
    });
    expect((await publish(h, product.id)).product.status).toBe('ACTIVE');

    // a price change does not touch the approval; a title change does
    await h.updateProduct.execute(h.ctx, product.id, {
      upsertSkus: [aSkuInput('MILK-1', { price: { amountMinor: 9000, currency: 'CNY' } })],
    });
    expect((await h.products.get(h.ctx, product.id)).product.compliance).toBe('APPROVED');
    const edited = await h.updateProduct.execute(h.ctx, product.id, { title: 'Infant formula 2' });
    expect(edited.product).toMatchObject({ status: 'ACTIVE', compliance: 'REQUIRED' });
    await h.updateProduct.execute(h.ctx, product.id, { status: 'ARCHIVED' });
    await expect(publish(h, product.id)).rejects.toMatchObject({
      code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    expect(await actions(h, product.id)).toEqual([
      'submitted',
      'refused_publish',
      'approved',
      'invalidated',
      'refused_publish',
    ]);
  });

  it('an edit while a review is pending closes that review; it can no longer be decided', async () => {
    const { h, product } = await setup();
    const review = await submit(h, product.id);
    await h.updateProduct.execute(h.ctx, product.id, { description: 'new text' });
    expect(h.store.reviews.get(review.id)).toMatchObject({ status: 'REJECTED' });
    await expect(decide(h, review.id)).rejects.toMatchObject({ code: 'REVIEW_ALREADY_DECIDED' });
    const again = await submit(h, product.id);
    await decide(h, again.id, false, 'op-1', 'label missing');
    expect((await h.products.get(h.ctx, product.id)).product.compliance).toBe('REJECTED');
    expect(await actions(h, product.id)).toEqual([
      'submitted',
      'invalidated',
      'submitted',
      'rejected',
    ]);
  });

  it('refuses banned words, blacklisted brands, a missing report and unregulated products, writing nothing', async () => {
    const { h, product } = await setup();
    await h.compliance.replaceRules(h.ctx, {
      bannedWords: ['ＢＥＳＴ'],
      blacklistedBrands: ['Emporia'],
    });
    await h.updateProduct.execute(h.ctx, product.id, { title: 'The best formula' });
    await expect(submit(h, product.id)).rejects.toMatchObject({
      code: 'BANNED_WORDS',
      message: 'banned words: best',
    });
    await h.updateProduct.execute(h.ctx, product.id, { title: 'Formula' });
    await expect(submit(h, product.id)).rejects.toMatchObject({ code: 'BRAND_BLACKLISTED' });
    await h.updateProduct.execute(h.ctx, product.id, { brand: 'Other' });
    await expect(submit(h, product.id, { qualityReportRef: '' })).rejects.toMatchObject({
      code: 'QUALITY_REPORT_REQUIRED',
    });
    await expect(submit(h, product.id, { submittedBy: '' })).rejects.toMatchObject({
      code: 'ACTOR_REQUIRED',
    });
    expect(h.store.reviews.size).toBe(0);
    expect((await h.products.get(h.ctx, product.id)).product.compliance).toBe('REQUIRED');
    const plain = await h.stockedProduct();
    await expect(submit(h, plain.product.id)).rejects.toMatchObject({ code: 'NOT_REGULATED' });
    await expect(decide(h, h.ids.newId())).rejects.toMatchObject({ code: 'REVIEW_NOT_FOUND' });
  });

  it('marking a category makes its products REQUIRED (new snapshot); moving a product in does too', async () => {
    const h = catalogHarness();
    const toys = await h.category('toys');
    const { product } = await h.stockedProduct({ SH: 1 }, { categoryId: toys.id });
    const shown = async () => (await h.products.get(h.ctx, product.id)).regulated;
    expect(await shown()).toBe(false);
    await h.updateCategory.execute(h.ctx, { id: toys.id, regulated: true });
    expect(await shown()).toBe(true);
    const events = h.store.outbox.filter(
      (e) => e.type === 'productUpdated' && e.productId === product.id,
    );
    expect(events).toEqual([expect.objectContaining({ changedFields: ['compliance_status'] })]);
    // an ACTIVE product stays ACTIVE, but cannot be published again once archived
    await h.updateProduct.execute(h.ctx, product.id, { status: 'ARCHIVED' });
    await expect(publish(h, product.id)).rejects.toMatchObject({
      code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    await h.updateCategory.execute(h.ctx, { id: toys.id, regulated: false });
    expect(await shown()).toBe(false);
    const baby = await h.createCategory.execute(h.ctx, {
      name: 'Baby',
      slug: 'baby',
      regulated: true,
    });
    await h.updateProduct.execute(h.ctx, product.id, { categoryId: baby.id });
    expect(await shown()).toBe(true);
  });

  it('lists reviews by status with paging', async () => {
    const { h, milk } = await setup();
    const ids: string[] = [];
    for (const code of ['A-1', 'A-2', 'A-3']) {
      const p = await h.createProduct.execute(
        h.ctx,
        aProductInput(milk.id, { status: 'DRAFT', skus: [aSkuInput(code)] }),
      );
      ids.push((await submit(h, p.product.id)).id);
    }
    await decide(h, ids[1]);
    const first = await h.compliance.list(h.ctx, { status: 'PENDING', limit: 1 });
    expect(first.items.map((r) => r.id)).toEqual([ids[0]]);
    const rest = await h.compliance.list(h.ctx, {
      status: 'PENDING',
      afterId: first.nextAfterId!,
      limit: 5,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: ids[2] })] });
    expect((await h.compliance.list(h.ctx, { limit: 10 })).items).toHaveLength(3);
    // the caller of a refused publish is the audit's actor
    const productId = h.store.reviews.get(ids[0])!.productId;
    await expect(
      h.updateProduct.execute(newContext({ id: 'op-9', roles: [] }), productId, {
        status: 'ACTIVE',
      }),
    ).rejects.toMatchObject({ code: 'COMPLIANCE_REVIEW_REQUIRED' });
    const trail = await h.compliance.auditTrail(h.ctx, productId);
    expect(trail[trail.length - 1]).toMatchObject({ action: 'refused_publish', actorId: 'op-9' });
  });
});
