import type { marketingV1 } from '@emporia/contracts';
import type { UpsertPromotionDto } from './dto/marketing-admin.dto';
import {
  couponView,
  flashAttemptResult,
  flashSaleDetailView,
  promotionToProto,
  promotionView,
} from './marketing-mappers';

const ID = '0190a000-0000-7000-8000-0000000000a1';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

describe('marketing mapping', () => {
  describe('promotions', () => {
    const minimal: UpsertPromotionDto = {
      name: '10 off',
      scopeKind: 'CART',
      active: true,
      action: { kind: 'AMOUNT_OFF', amount: cny(1000) },
    };

    it('sends the proto defaults for what the operator left out', () => {
      expect(promotionToProto(ID, minimal)).toEqual({
        id: ID,
        name: '10 off',
        priority: 0,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: {
          kind: 'AMOUNT_OFF',
          amount: cny(1000),
          basisPoints: 0,
          cap: undefined,
          tiers: [],
          every: undefined,
          buy: 0,
          free: 0,
          skuId: '',
          quantity: 0,
        },
        campaignId: '',
        startsAt: '',
        endsAt: '',
        active: true,
        couponOnly: false,
      });
    });

    it('round-trips a full promotion: what GET shows, PUT takes back (without the id)', () => {
      const full: UpsertPromotionDto = {
        name: '满300减50 / 满500减100',
        priority: 10,
        exclusive: true,
        scopeKind: 'CATEGORIES',
        scopeIds: ['0190a000-0000-7000-8000-0000000000c1'],
        conditions: [
          { kind: 'MEMBER_TIER', values: ['GOLD'] },
          { kind: 'DATE_WINDOW', from: '2026-11-11T00:00:00Z', to: '2026-11-12T00:00:00Z' },
          { kind: 'MIN_SUBTOTAL', amount: cny(10000) },
        ],
        action: {
          kind: 'TIERED_REDUCTION',
          tiers: [
            { threshold: cny(30000), off: cny(5000) },
            { threshold: cny(50000), off: cny(10000) },
          ],
          cap: cny(20000),
        },
        campaignId: '0190a000-0000-7000-8000-0000000000ca',
        startsAt: '2026-11-01T00:00:00+08:00',
        endsAt: '2026-11-30T00:00:00+08:00',
        active: true,
        couponOnly: false,
      };
      const proto = promotionToProto(ID, full);
      const { id, ...view } = promotionView(proto);
      expect(id).toBe(ID);
      expect(view).toMatchObject({
        ...full,
        conditions: [
          { kind: 'MEMBER_TIER', values: ['GOLD'], amount: null, from: null, to: null },
          {
            kind: 'DATE_WINDOW',
            values: [],
            amount: null,
            from: '2026-11-11T00:00:00Z',
            to: '2026-11-12T00:00:00Z',
          },
          { kind: 'MIN_SUBTOTAL', values: [], amount: cny(10000), from: null, to: null },
        ],
        action: { ...full.action, amount: null, every: null, skuId: null, basisPoints: 0 },
      });
    });

    it('shows what the backend leaves unset as null', () => {
      // the gRPC loader fills an unset message field with null
      const proto = {
        ...promotionToProto(ID, minimal),
        action: null,
      } as unknown as marketingV1.Promotion;
      expect(promotionView(proto)).toMatchObject({
        campaignId: null,
        startsAt: null,
        endsAt: null,
        action: { kind: '', amount: null, cap: null, every: null, skuId: null, tiers: [] },
      });
    });
  });

  it('flattens a flash sale with its reconciliation', () => {
    expect(
      flashSaleDetailView({
        sale: {
          id: ID,
          skuId: '0190a000-0000-7000-8000-0000000000b1',
          price: cny(9900),
          stock: 100,
          perUserLimit: 1,
          startsAt: '2026-11-11T00:00:00Z',
          endsAt: '2026-11-11T01:00:00Z',
        },
        reconciliation: { redisRemaining: 40, held: 60, paid: 55, drift: 0 },
      }),
    ).toEqual({
      id: ID,
      skuId: '0190a000-0000-7000-8000-0000000000b1',
      price: cny(9900),
      stock: 100,
      perUserLimit: 1,
      startsAt: '2026-11-11T00:00:00Z',
      endsAt: '2026-11-11T01:00:00Z',
      reconciliation: { redisRemaining: 40, held: 60, paid: 55, drift: 0 },
    });
  });

  it('shows a coupon not held by an order with orderId null', () => {
    const coupon: marketingV1.Coupon = {
      code: 'ABCDE-FGH2K',
      templateId: ID,
      name: '50 off 300',
      status: 'CLAIMED',
      orderId: '',
      validFrom: '2026-11-01T00:00:00Z',
      validTo: '2026-12-01T00:00:00Z',
    };
    expect(couponView(coupon).orderId).toBeNull();
    expect(couponView({ ...coupon, status: 'RESERVED', orderId: ID }).orderId).toBe(ID);
  });

  describe('flash-sale attempts', () => {
    it('returns a win with its token', () => {
      expect(
        flashAttemptResult({
          result: 'WON',
          token: `${ID}.abc`,
          expiresAt: '2026-11-11T00:05:00Z',
        }),
      ).toEqual({ result: 'WON', token: `${ID}.abc`, expiresAt: '2026-11-11T00:05:00Z' });
    });

    it.each([
      ['SOLD_OUT', 'FLASH_SALE_SOLD_OUT', /sold out/],
      ['LIMIT_REACHED', 'FLASH_SALE_LIMIT_REACHED', /as many units/],
      ['NOT_STARTED', 'FLASH_SALE_NOT_STARTED', /not started/],
      ['ENDED', 'FLASH_SALE_ENDED', /ended/],
    ])('turns %s into a 409 problem %s', (result, code, detail) => {
      expect(() => flashAttemptResult({ result, token: '', expiresAt: '' })).toThrow(
        expect.objectContaining({ status: 409, code, message: expect.stringMatching(detail) }),
      );
    });

    it('treats an unknown result as a bug (500), never as a win', () => {
      for (const result of ['', 'UNKNOWN', 'won'])
        expect(() => flashAttemptResult({ result, token: 't', expiresAt: '' })).toThrow(
          expect.not.objectContaining({ status: expect.anything() }),
        );
    });
  });
});
