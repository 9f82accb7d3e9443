import { createProduct, type NewProductInput, updateProduct } from './product';
import { applyDelta, validateAdjustment } from './stock';

const now = new Date('2026-01-01T00:00:00Z');
let n = 0;
const newSkuId = () => `sku-${++n}`;
const base = (over: Partial<NewProductInput> = {}): NewProductInput => ({
  title: '  Phone case ',
  categoryId: 'cat-1',
  skus: [
    {
      code: 'CASE-RED',
      attributes: { color: 'red' },
      price: { amountMinor: 1999, currency: 'CNY' },
    },
    {
      code: 'CASE-BLUE',
      attributes: { color: 'blue' },
      price: { amountMinor: 2499, currency: 'CNY' },
    },
  ],
  ...over,
});

describe('product', () => {
  it('creates an ACTIVE product at version 1 with trimmed text and integer prices', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    expect(p).toMatchObject({
      id: 'p1',
      title: 'Phone case',
      status: 'ACTIVE',
      version: 1,
      description: '',
      brand: '',
    });
    expect(p.skus.map((s) => [s.code, s.price.amountMinor, s.price.currency])).toEqual([
      ['CASE-RED', 1999, 'CNY'],
      ['CASE-BLUE', 2499, 'CNY'],
    ]);
  });

  it.each<[string, Partial<NewProductInput>, string]>([
    ['empty title', { title: '   ' }, 'PRODUCT_FIELD_REQUIRED'],
    ['long title', { title: 'x'.repeat(201) }, 'PRODUCT_FIELD_TOO_LONG'],
    ['no SKUs', { skus: [] }, 'PRODUCT_SKUS_REQUIRED'],
    [
      'negative price',
      { skus: [{ code: 'A', price: { amountMinor: -1, currency: 'CNY' } }] },
      'SKU_PRICE_NEGATIVE',
    ],
    [
      'fractional price',
      { skus: [{ code: 'A', price: { amountMinor: 19.99, currency: 'CNY' } }] },
      'SKU_PRICE_INVALID',
    ],
    [
      'bad currency',
      { skus: [{ code: 'A', price: { amountMinor: 1, currency: 'RMB1' } }] },
      'SKU_PRICE_INVALID',
    ],
    [
      'bad sku code',
      { skus: [{ code: 'has space', price: { amountMinor: 1, currency: 'CNY' } }] },
      'SKU_CODE_INVALID',
    ],
    [
      'duplicate sku code',
      {
        skus: [
          { code: 'A', price: { amountMinor: 1, currency: 'CNY' } },
          { code: 'A', price: { amountMinor: 2, currency: 'CNY' } },
        ],
      },
      'SKU_CODE_DUPLICATE',
    ],
    [
      'mixed currencies',
      {
        skus: [
          { code: 'A', price: { amountMinor: 1, currency: 'CNY' } },
          { code: 'B', price: { amountMinor: 2, currency: 'USD' } },
        ],
      },
      'PRODUCT_MIXED_CURRENCY',
    ],
    ['archived at birth', { status: 'ARCHIVED' }, 'PRODUCT_STATUS_INVALID'],
    [
      'a price in BTC (no ISO 4217 currency)',
      { skus: [{ code: 'A', price: { amountMinor: 1, currency: 'BTC' } }] },
      'SKU_PRICE_INVALID',
    ],
    [
      'a price in XXX ("no currency")',
      { skus: [{ code: 'A', price: { amountMinor: 1, currency: 'XXX' } }] },
      'SKU_PRICE_INVALID',
    ],
  ])('rejects %s', (_label, over, code) => {
    expect(() => createProduct(base(over), { id: 'p', newSkuId }, now)).toThrow(
      expect.objectContaining({ code, kind: 'INVALID_ARGUMENT' }),
    );
  });

  it('takes only the currencies it is configured for (CURRENCIES), on create and update', () => {
    const sold = new Set(['CNY', 'HKD']);
    const usd = { skus: [{ code: 'A', price: { amountMinor: 1, currency: 'USD' } }] };
    expect(() => createProduct(base(usd), { id: 'p', newSkuId }, now, sold)).toThrow(
      expect.objectContaining({
        code: 'SKU_PRICE_INVALID',
        kind: 'INVALID_ARGUMENT',
        message: expect.stringContaining('CNY, HKD'),
      }),
    );
    const hkd = { skus: [{ code: 'A', price: { amountMinor: 1, currency: 'HKD' } }] };
    const p = createProduct(base(hkd), { id: 'p', newSkuId }, now, sold);
    expect(() =>
      updateProduct(
        p,
        { upsertSkus: [{ code: 'A', price: { amountMinor: 2, currency: 'USD' } }] },
        newSkuId,
        now,
        sold,
      ),
    ).toThrow(expect.objectContaining({ code: 'SKU_PRICE_INVALID' }));
  });

  it('updates fields, bumps the version once and reports what changed', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    const { product, changed } = updateProduct(
      p,
      {
        title: 'Case',
        upsertSkus: [
          {
            code: 'CASE-RED',
            attributes: { color: 'red' },
            price: { amountMinor: 1799, currency: 'CNY' },
          },
        ],
      },
      newSkuId,
      now,
    );
    expect(changed).toEqual(['title', 'skus']);
    expect(product.version).toBe(2);
    expect(product.skus.find((s) => s.code === 'CASE-RED')?.price.amountMinor).toBe(1799);
    expect(product.skus.find((s) => s.code === 'CASE-RED')?.id).toBe(p.skus[0].id);
  });

  it('adds new SKUs by code and keeps the others', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    const { product } = updateProduct(
      p,
      { upsertSkus: [{ code: 'CASE-GREEN', price: { amountMinor: 999, currency: 'CNY' } }] },
      newSkuId,
      now,
    );
    expect(product.skus.map((s) => s.code)).toEqual(['CASE-RED', 'CASE-BLUE', 'CASE-GREEN']);
  });

  it('is a no-op (same version, nothing changed) when the patch changes nothing', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    const r = updateProduct(
      p,
      {
        title: 'Phone case',
        upsertSkus: [
          {
            code: 'CASE-RED',
            attributes: { color: 'red' },
            price: { amountMinor: 1999, currency: 'CNY' },
          },
        ],
      },
      newSkuId,
      now,
    );
    expect(r.changed).toEqual([]);
    expect(r.product).toBe(p);
  });

  it('guards status transitions', () => {
    const draft = createProduct(base({ status: 'DRAFT' }), { id: 'p1', newSkuId }, now);
    const active = updateProduct(draft, { status: 'ACTIVE' }, newSkuId, now).product;
    const archived = updateProduct(active, { status: 'ARCHIVED' }, newSkuId, now).product;
    expect(archived.status).toBe('ARCHIVED');
    expect(() => updateProduct(active, { status: 'DRAFT' }, newSkuId, now)).toThrow(
      expect.objectContaining({ code: 'PRODUCT_STATUS_TRANSITION' }),
    );
  });

  it('rejects a stale expected version', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    expect(() => updateProduct(p, { title: 'x', expectedVersion: 7 }, newSkuId, now)).toThrow(
      expect.objectContaining({ code: 'PRODUCT_VERSION_CONFLICT', kind: 'ABORTED' }),
    );
    expect(
      updateProduct(p, { title: 'x', expectedVersion: 1 }, newSkuId, now).product.version,
    ).toBe(2);
  });

  it('rejects a currency change that would mix currencies', () => {
    const p = createProduct(base(), { id: 'p1', newSkuId }, now);
    expect(() =>
      updateProduct(
        p,
        { upsertSkus: [{ code: 'CASE-RED', price: { amountMinor: 1, currency: 'USD' } }] },
        newSkuId,
        now,
      ),
    ).toThrow(expect.objectContaining({ code: 'PRODUCT_MIXED_CURRENCY' }));
  });
});

describe('stock', () => {
  it('never goes below zero', () => {
    expect(applyDelta(5, -5, 's', 'W1')).toBe(0);
    expect(applyDelta(5, 3, 's', 'W1')).toBe(8);
    expect(() => applyDelta(5, -6, 's', 'W1')).toThrow(
      expect.objectContaining({ code: 'STOCK_INSUFFICIENT', kind: 'FAILED_PRECONDITION' }),
    );
  });

  it('never goes below what reservations hold', () => {
    expect(applyDelta(5, -2, 's', 'W1', 3)).toBe(3);
    expect(() => applyDelta(5, -3, 's', 'W1', 3)).toThrow(
      expect.objectContaining({
        code: 'STOCK_INSUFFICIENT',
        details: expect.objectContaining({ onHand: 5, reserved: 3, delta: -3 }),
      }),
    );
  });

  it.each([
    [{ warehouseCode: 'sh-01', delta: 0, reason: '' }, 'STOCK_DELTA_INVALID'],
    [{ warehouseCode: 'sh-01', delta: 1.5, reason: '' }, 'STOCK_DELTA_INVALID'],
    [{ warehouseCode: '', delta: 1, reason: '' }, 'WAREHOUSE_CODE_INVALID'],
    [{ warehouseCode: 'a b', delta: 1, reason: '' }, 'WAREHOUSE_CODE_INVALID'],
  ])('rejects adjustment %p', (a, code) => {
    expect(() => validateAdjustment(a)).toThrow(expect.objectContaining({ code }));
  });

  it('normalises warehouse codes to upper case', () => {
    expect(validateAdjustment({ warehouseCode: 'sh-01', delta: 2, reason: ' restock ' })).toEqual({
      warehouseCode: 'SH-01',
      delta: 2,
      reason: 'restock',
    });
  });
});
