import { Money } from '@emporia/money';
import { upsertWarehouse, validateWarehouseCode, type WarehouseInput } from './warehouse';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T00:00:00Z');
const input = (over: Partial<WarehouseInput> = {}): WarehouseInput => ({
  code: 'sh-01',
  name: '  Shanghai   Pudong ',
  country: 'cn',
  province: 'Shanghai',
  city: 'Shanghai',
  shippingCost: { amountMinor: 800, currency: 'CNY' },
  ...over,
});

describe('warehouse', () => {
  it('creates an active warehouse with a normalised code, country and text', () => {
    const { warehouse, changed } = upsertWarehouse(null, input(), now);
    expect(changed).toBe(true);
    expect(warehouse).toEqual({
      code: 'SH-01',
      name: 'Shanghai Pudong',
      country: 'CN',
      province: 'Shanghai',
      city: 'Shanghai',
      shippingCost: Money.of(800, 'CNY'),
      active: true,
      createdAt: now,
      updatedAt: now,
    });
  });

  it('accepts a free warehouse (zero cost) and an inactive one', () => {
    const w = upsertWarehouse(
      null,
      input({ shippingCost: { amountMinor: 0, currency: 'CNY' }, active: false }),
      now,
    ).warehouse;
    expect([w.shippingCost.amountMinor, w.active]).toEqual([0, false]);
  });

  it.each<[string, Partial<WarehouseInput>, string, string]>([
    ['an empty code', { code: '' }, 'WAREHOUSE_CODE_INVALID', 'code'],
    ['a code with a space', { code: 'SH 01' }, 'WAREHOUSE_CODE_INVALID', 'code'],
    ['a code starting with -', { code: '-SH' }, 'WAREHOUSE_CODE_INVALID', 'code'],
    ['a 33-character code', { code: 'W'.repeat(33) }, 'WAREHOUSE_CODE_INVALID', 'code'],
    ['an empty name', { name: '   ' }, 'WAREHOUSE_NAME_INVALID', 'name'],
    ['a long name', { name: 'x'.repeat(101) }, 'WAREHOUSE_NAME_INVALID', 'name'],
    ['a three-letter country', { country: 'CHN' }, 'WAREHOUSE_COUNTRY_INVALID', 'country'],
    ['a numeric country', { country: '86' }, 'WAREHOUSE_COUNTRY_INVALID', 'country'],
    ['an empty country', { country: '' }, 'WAREHOUSE_COUNTRY_INVALID', 'country'],
    ['an empty province', { province: '' }, 'WAREHOUSE_LOCATION_INVALID', 'province'],
    ['a long city', { city: 'x'.repeat(65) }, 'WAREHOUSE_LOCATION_INVALID', 'city'],
    [
      'a shipping cost in BTC',
      { shippingCost: { amountMinor: 1, currency: 'BTC' } },
      'WAREHOUSE_SHIPPING_COST_INVALID',
      'shipping_cost',
    ],
    [
      'a shipping cost in XTS (the test code)',
      { shippingCost: { amountMinor: 1, currency: 'XTS' } },
      'WAREHOUSE_SHIPPING_COST_INVALID',
      'shipping_cost',
    ],
    [
      'no shipping cost',
      { shippingCost: undefined },
      'WAREHOUSE_SHIPPING_COST_REQUIRED',
      'shipping_cost',
    ],
    [
      'a negative shipping cost',
      { shippingCost: { amountMinor: -1, currency: 'CNY' } },
      'WAREHOUSE_SHIPPING_COST_NEGATIVE',
      'shipping_cost',
    ],
    [
      'a fractional shipping cost',
      { shippingCost: { amountMinor: 7.5, currency: 'CNY' } },
      'WAREHOUSE_SHIPPING_COST_INVALID',
      'shipping_cost',
    ],
    [
      'a shipping cost in no currency',
      { shippingCost: { amountMinor: 1, currency: 'yuan' } },
      'WAREHOUSE_SHIPPING_COST_INVALID',
      'shipping_cost',
    ],
  ])('rejects %s', (_label, over, code, field) => {
    expect(() => upsertWarehouse(null, input(over), now)).toThrow(
      expect.objectContaining({
        kind: 'INVALID_ARGUMENT',
        code,
        details: expect.objectContaining({ field }),
      }),
    );
  });

  it('replaces the fields of an existing warehouse, keeping when it was created', () => {
    const first = upsertWarehouse(null, input(), now).warehouse;
    const r = upsertWarehouse(
      first,
      input({
        city: 'Kunshan',
        province: 'Jiangsu',
        shippingCost: { amountMinor: 0, currency: 'CNY' },
      }),
      later,
    );
    expect(r.changed).toBe(true);
    expect(r.warehouse).toMatchObject({
      code: 'SH-01',
      city: 'Kunshan',
      province: 'Jiangsu',
      active: true,
      createdAt: now,
      updatedAt: later,
    });
    expect(r.warehouse.shippingCost.isZero()).toBe(true);
  });

  it('keeps `active` when the input does not say, and changes it when it does', () => {
    const inactive = upsertWarehouse(null, input({ active: false }), now).warehouse;
    expect(upsertWarehouse(inactive, input({ name: 'Renamed' }), later).warehouse.active).toBe(
      false,
    );
    expect(upsertWarehouse(inactive, input({ active: true }), later)).toMatchObject({
      changed: true,
      warehouse: { active: true, updatedAt: later },
    });
  });

  it('is a no-op when nothing changes (same object, same updatedAt)', () => {
    const first = upsertWarehouse(null, input(), now).warehouse;
    const r = upsertWarehouse(first, input({ code: 'SH-01', name: 'Shanghai Pudong' }), later);
    expect(r.changed).toBe(false);
    expect(r.warehouse).toBe(first);
  });

  it('normalises codes to upper case, which stock adjustments share', () => {
    expect(validateWarehouseCode('bj_2')).toBe('BJ_2');
    expect(() => validateWarehouseCode('bj.2', 'warehouse_code')).toThrow(
      expect.objectContaining({
        code: 'WAREHOUSE_CODE_INVALID',
        details: { field: 'warehouse_code' },
      }),
    );
  });
});
