import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { catalogV1 } from '@emporia/contracts';
import { CreateProductDto, MoveCategoryDto, StockAdjustmentDto } from './dto/catalog.dto';
import { SearchQuery } from './dto/search.dto';
import { productView, skuToProto, statusFromProto, statusToProto } from './mappers';

const errorsOf = async <T extends object>(cls: new () => T, body: unknown) =>
  (
    await validate(plainToInstance(cls, body) as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
    })
  ).map((e) => e.property);

const valid = {
  title: 'Case',
  categoryId: '0190a000-0000-7000-8000-000000000001',
  skus: [
    { code: 'A-1', attributes: { color: 'red' }, price: { amountMinor: 1999, currency: 'CNY' } },
  ],
};

describe('gateway DTO validation', () => {
  it('accepts a valid product', async () => {
    expect(await errorsOf(CreateProductDto, valid)).toEqual([]);
  });

  it.each([
    ['missing title', { ...valid, title: undefined }, 'title'],
    ['missing category', { ...valid, categoryId: undefined }, 'categoryId'],
    ['category not a UUID', { ...valid, categoryId: 'phones' }, 'categoryId'],
    ['no SKUs', { ...valid, skus: [] }, 'skus'],
    [
      'negative price',
      { ...valid, skus: [{ code: 'A', price: { amountMinor: -1, currency: 'CNY' } }] },
      'skus',
    ],
    [
      'fractional price',
      { ...valid, skus: [{ code: 'A', price: { amountMinor: 19.99, currency: 'CNY' } }] },
      'skus',
    ],
    [
      'price as a string',
      { ...valid, skus: [{ code: 'A', price: { amountMinor: '1999', currency: 'CNY' } }] },
      'skus',
    ],
    [
      'lower-case currency',
      { ...valid, skus: [{ code: 'A', price: { amountMinor: 1, currency: 'cny' } }] },
      'skus',
    ],
    [
      'non-string attribute',
      {
        ...valid,
        skus: [{ code: 'A', attributes: { size: 42 }, price: { amountMinor: 1, currency: 'CNY' } }],
      },
      'skus',
    ],
    ['unknown property', { ...valid, discount: 5 }, 'discount'],
    ['archived at creation', { ...valid, status: 'archived' }, 'status'],
  ])('rejects %s', async (_label, body, field) => {
    expect(await errorsOf(CreateProductDto, body)).toContain(field);
  });

  it('validates stock adjustments and moves', async () => {
    expect(await errorsOf(StockAdjustmentDto, { warehouseCode: 'SH-1', delta: 0 })).toEqual([
      'delta',
    ]);
    expect(await errorsOf(StockAdjustmentDto, { warehouseCode: 'SH 1', delta: 2 })).toEqual([
      'warehouseCode',
    ]);
    expect(await errorsOf(MoveCategoryDto, { newParentId: null })).toEqual([]);
    expect(await errorsOf(MoveCategoryDto, { newParentId: 'x' })).toEqual(['newParentId']);
  });

  it('converts numeric query parameters and rejects bad ones', async () => {
    expect(
      await errorsOf(SearchQuery, {
        minPrice: '100',
        maxPrice: '200',
        currency: 'CNY',
        limit: '5',
      }),
    ).toEqual([]);
    expect(await errorsOf(SearchQuery, { minPrice: '-1' })).toEqual(['minPrice']);
    expect(await errorsOf(SearchQuery, { limit: '1000' })).toEqual(['limit']);
    expect(await errorsOf(SearchQuery, { minPrice: 'abc' })).toEqual(['minPrice']);
  });
});

describe('gateway mapping', () => {
  it('maps status names both ways', () => {
    expect(statusToProto('active')).toBe(catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE);
    expect(statusToProto(undefined)).toBe(catalogV1.ProductStatus.PRODUCT_STATUS_UNSPECIFIED);
    expect(statusFromProto(catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED)).toBe('archived');
    expect(() => statusFromProto(catalogV1.ProductStatus.PRODUCT_STATUS_UNSPECIFIED)).toThrow();
  });

  it('keeps money as integer minor units end to end', () => {
    expect(skuToProto({ code: 'A', price: { amountMinor: 12900, currency: 'CNY' } })).toEqual({
      code: 'A',
      attributes: {},
      price: { amountMinor: 12900, currency: 'CNY' },
    });
    const view = productView({
      tags: [],
      manualTags: [],
      publishAt: '',
      unpublishAt: '',
      complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
      id: 'p',
      title: 't',
      description: '',
      brand: '',
      categoryId: 'c',
      categoryPathIds: ['c'],
      rating: undefined,
      status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
      skus: [
        {
          id: 's',
          code: 'A',
          attributes: {},
          price: { amountMinor: 12900, currency: 'CNY' },
          originalPrice: undefined,
          stockOnHand: 3,
          unitsSold: 0,
        },
      ],
      unitsSold: 0,
      version: 2,
      createdAt: 'x',
      updatedAt: 'y',
    });
    expect(view).toMatchObject({
      status: 'active',
      skus: [
        { price: { amountMinor: 12900, currency: 'CNY' }, originalPrice: null, stockOnHand: 3 },
      ],
    });
  });

  it('carries the displayed original price both ways', () => {
    const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    expect(skuToProto({ code: 'A', price: cny(9900), originalPrice: cny(12900) })).toMatchObject({
      price: cny(9900),
      originalPrice: cny(12900),
    });
    expect(skuToProto({ code: 'A', price: cny(9900), originalPrice: null }).originalPrice).toBe(
      undefined,
    );
    const sku = {
      id: 's',
      code: 'A',
      attributes: {},
      price: cny(9900),
      originalPrice: cny(12900),
      stockOnHand: 1,
      unitsSold: 0,
    };
    const view = productView({
      tags: [],
      manualTags: [],
      publishAt: '',
      unpublishAt: '',
      complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
      id: 'p',
      title: 't',
      description: '',
      brand: '',
      categoryId: 'c',
      categoryPathIds: ['c'],
      rating: undefined,
      status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
      skus: [sku],
      unitsSold: 0,
      version: 1,
      createdAt: 'x',
      updatedAt: 'y',
    });
    expect(view.skus[0].originalPrice).toEqual(cny(12900));
  });
});
