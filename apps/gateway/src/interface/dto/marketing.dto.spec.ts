import type { Type } from '@nestjs/common';
import { promotionToProto, promotionView } from '../marketing-mappers';
import { validationPipe } from '../validation';
import {
  CreateCouponTemplateDto,
  CreateFlashSaleDto,
  ListPromotionsQuery,
  UpsertCampaignDto,
  UpsertPromotionDto,
} from './marketing-admin.dto';
import { ClaimCouponDto, FlashAttemptDto } from './marketing.dto';
import { CheckoutDto } from './order.dto';
import { isRfc3339 } from './validators';

const UUID = '0190a000-0000-7000-8000-0000000000a1';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

const validate = (metatype: Type<unknown>, value: unknown, type: 'body' | 'query' = 'body') =>
  validationPipe.transform(value, { type, metatype });
const refused = (metatype: Type<unknown>, value: unknown, field: string, message?: RegExp) =>
  expect(validate(metatype, value)).rejects.toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: expect.arrayContaining([
      expect.objectContaining({
        field,
        ...(message ? { message: expect.stringMatching(message) } : {}),
      }),
    ]),
  });

describe('marketing request shapes', () => {
  it.each([
    ['2026-11-11T00:00:00Z', true],
    ['2026-11-11T00:00:00.123+08:00', true],
    ['2026-11-11T00:00:00.123456789-05:30', true],
    ['2026-11-11', false], // a date, not a date-time
    ['2026-11-11T00:00:00', false], // no zone
    ['2026-11-11 00:00:00Z', false],
    ['2026-02-30T00:00:00Z', false], // no such day
    ['2026-11-11T25:00:00Z', false],
    ['tomorrow', false],
    [1762819200000, false],
  ])('RFC 3339 date-time %p → %p', (v, ok) => {
    expect(isRfc3339(v)).toBe(ok);
  });

  describe('promotion', () => {
    const body = {
      name: '满300减50',
      scopeKind: 'CART',
      active: true,
      action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(30000), off: cny(5000) }] },
    };

    it('takes a valid body, nested objects becoming their classes', async () => {
      const dto = (await validate(UpsertPromotionDto, body)) as UpsertPromotionDto;
      expect(dto.action.tiers?.[0].off).toEqual(cny(5000));
    });

    it('takes back what GET shows (nulls included), minus the id', async () => {
      const { id: _id, ...shown } = promotionView(
        promotionToProto(UUID, {
          ...body,
          conditions: [{ kind: 'MIN_SUBTOTAL', amount: cny(100) }],
        } as UpsertPromotionDto),
      );
      const dto = (await validate(UpsertPromotionDto, shown)) as UpsertPromotionDto;
      expect(promotionToProto(UUID, dto)).toEqual(
        promotionToProto(UUID, {
          ...body,
          conditions: [{ kind: 'MIN_SUBTOTAL', amount: cny(100) }],
        } as UpsertPromotionDto),
      );
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['no action', { action: undefined }, 'action'],
      ['an action that is a string', { action: 'AMOUNT_OFF' }, 'action'],
      ['an action that is an array', { action: [{ kind: 'AMOUNT_OFF' }] }, 'action'],
      ['a lower-case kind', { action: { kind: 'amount off' } }, 'action.kind'],
      [
        'a fractional amount',
        { action: { kind: 'AMOUNT_OFF', amount: cny(10.5) } },
        'action.amount.amountMinor',
      ],
      [
        'money without a currency',
        { action: { kind: 'AMOUNT_OFF', amount: { amountMinor: 1 } } },
        'action.amount.currency',
      ],
      [
        'a tier that is a number',
        { action: { kind: 'TIERED_REDUCTION', tiers: [5] } },
        'action.tiers.0',
      ],
      [
        'a tier without its threshold',
        { action: { kind: 'TIERED_REDUCTION', tiers: [{ off: cny(1) }] } },
        'action.tiers.0.threshold',
      ],
      [
        'basis points beyond int32',
        { action: { kind: 'PERCENT_OFF', basisPoints: 2 ** 31 } },
        'action.basisPoints',
      ],
      ['a condition that is not an object', { conditions: ['FIRST_ORDER'] }, 'conditions.0'],
      [
        'a condition date without a zone',
        { conditions: [{ kind: 'DATE_WINDOW', from: '2026-11-11T00:00:00' }] },
        'conditions.0.from',
      ],
      ['scope ids that are not UUIDs', { scopeIds: ['sku-1'] }, 'scopeIds'],
      ['a campaign id that is not a UUID', { campaignId: 'double-11' }, 'campaignId'],
      ['a string priority', { priority: '1' }, 'priority'],
      ['no active flag', { active: undefined }, 'active'],
      ['an id in the body', { id: UUID }, 'id'],
    ])('refuses %s', (_label, over, field) =>
      refused(UpsertPromotionDto, { ...body, ...over }, field),
    );
  });

  it('checks campaigns, templates and flash sales for shape only', async () => {
    const campaign = {
      name: 'Double 11',
      startsAt: '2026-11-11T00:00:00+08:00',
      endsAt: '2026-11-12T00:00:00+08:00',
      active: true,
    };
    await expect(validate(UpsertCampaignDto, campaign)).resolves.toBeDefined();
    // ends before it starts: a rule, left to the marketing service
    await expect(
      validate(UpsertCampaignDto, { ...campaign, endsAt: '2026-11-10T00:00:00Z' }),
    ).resolves.toBeDefined();
    await refused(UpsertCampaignDto, { ...campaign, name: '' }, 'name');
    await refused(UpsertCampaignDto, { ...campaign, startsAt: 1762819200 }, 'startsAt', /RFC 3339/);

    const template = {
      name: '50 off 300',
      promotionId: UUID,
      totalLimit: 1000,
      perUserLimit: 1,
      validFrom: '2026-11-01T00:00:00Z',
      validTo: '2026-12-01T00:00:00Z',
    };
    await expect(validate(CreateCouponTemplateDto, template)).resolves.toBeDefined();
    await refused(CreateCouponTemplateDto, { ...template, perUserLimit: 1.5 }, 'perUserLimit');

    const sale = {
      skuId: UUID,
      price: cny(9900),
      stock: 100,
      perUserLimit: 1,
      startsAt: '2026-11-11T00:00:00Z',
      endsAt: '2026-11-11T01:00:00Z',
    };
    await expect(validate(CreateFlashSaleDto, sale)).resolves.toBeDefined();
    await refused(CreateFlashSaleDto, { ...sale, price: 9900 }, 'price');
    await refused(CreateFlashSaleDto, { ...sale, price: null }, 'price');
    await refused(CreateFlashSaleDto, { ...sale, stock: '100' }, 'stock');
  });

  it('checks the in-force time of a promotion list', async () => {
    await expect(
      validate(ListPromotionsQuery, { inForceAt: '2026-11-11T00:00:00Z' }, 'query'),
    ).resolves.toBeDefined();
    await expect(validate(ListPromotionsQuery, {}, 'query')).resolves.toBeDefined();
    // a "+" not percent-encoded arrives as a space
    await expect(
      validate(ListPromotionsQuery, { inForceAt: '2026-11-11T00:00:00 08:00' }, 'query'),
    ).rejects.toMatchObject({ status: 400 });
  });

  describe('coupon claim: exactly one of code and templateId', () => {
    it.each([[{ code: 'ABCDE-FGH2K' }], [{ code: 'abcde fgh2k' }], [{ templateId: UUID }]])(
      'takes %p',
      async (body) => {
        await expect(validate(ClaimCouponDto, body)).resolves.toEqual(body);
      },
    );

    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ['neither', {}, 'code', /templateId/],
      ['both', { code: 'ABCDE-FGH2K', templateId: UUID }, 'templateId', /exactly one/],
      ['a null code', { code: null }, 'code', /coupon code/],
      ['a code with symbols', { code: 'ABC;DROP' }, 'code', /coupon code/],
      ['a template id that is not a UUID', { templateId: 't1' }, 'templateId', /UUID/],
      [
        'an account id (the account is the token’s)',
        { code: 'ABCDE-FGH2K', accountId: UUID },
        'accountId',
        /should not exist/,
      ],
    ])('refuses %s', (_label, body, field, message) =>
      refused(ClaimCouponDto, body, field, message),
    );
  });

  it('takes 1 to 10 whole units in a flash-sale attempt, 1 by default', async () => {
    await expect(validate(FlashAttemptDto, {})).resolves.toEqual({});
    await expect(validate(FlashAttemptDto, { quantity: 10 })).resolves.toEqual({ quantity: 10 });
    for (const quantity of [0, 11, 1.5, '2'])
      await refused(FlashAttemptDto, { quantity }, 'quantity');
  });

  it('takes a flash token and group fields at checkout', async () => {
    const body = {
      addressId: UUID,
      flashToken: `${UUID}.abcdefghijklmnopqrstuvwx`,
      groupDealId: UUID,
      groupId: UUID,
    };
    await expect(validate(CheckoutDto, body)).resolves.toEqual(body);
    await refused(CheckoutDto, { addressId: UUID, flashToken: '' }, 'flashToken');
    await refused(CheckoutDto, { addressId: UUID, groupDealId: 'deal-1' }, 'groupDealId');
    await refused(CheckoutDto, { addressId: UUID, groupId: 7 }, 'groupId');
  });
});
