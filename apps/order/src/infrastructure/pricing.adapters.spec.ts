import type { marketingV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import { newContext } from '@emporia/platform';
import type { PricingInput } from '../application/ports';
import { ListPricePricing, MarketingPricing, type MarketingRpcs } from './pricing.adapters';

const input = (over: Partial<PricingInput> = {}): PricingInput => ({
  orderId: 'o1',
  accountId: 'u1',
  lines: [
    {
      sku: {
        skuId: 's1',
        productId: 'p1',
        title: 'Thing',
        categoryPathIds: ['c1'],
        unitPrice: Money.of(12900, 'CNY'),
        orderable: true,
        stock: [],
      },
      quantity: 2,
    },
  ],
  couponCodes: [],
  channel: 'web',
  flashToken: '',
  groupDealId: '',
  groupId: '',
  ...over,
});

describe('list-price pricing (no marketing configured)', () => {
  const pricing = new ListPricePricing();

  it('prices plain checkouts at list price', async () => {
    const p = await pricing.price(newContext(), input());
    expect(p.total.amountMinor).toBe(25800);
    expect(p.groupId).toBeUndefined();
  });

  it.each<Partial<PricingInput>>([
    { flashToken: 'tok' },
    { groupDealId: 'deal' },
    { groupDealId: 'deal', groupId: 'g1' },
  ])(
    'refuses a flash-sale or group-buy checkout (%p) instead of selling at list price',
    async (p) => {
      await expect(pricing.price(newContext(), input(p))).rejects.toMatchObject({
        kind: 'FAILED_PRECONDITION',
        code: 'MARKETING_UNAVAILABLE',
        message: expect.stringContaining('marketing service'),
      });
    },
  );
});

describe('marketing pricing', () => {
  const answer = (over: Partial<marketingV1.PriceCartResponse> = {}) => {
    const m = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    const res: marketingV1.PriceCartResponse = {
      lines: [{ skuId: 's1', quantity: 2, unitPrice: m(5000), discount: m(0), total: m(10000) }],
      subtotal: m(10000),
      discount: m(0),
      shipping: m(0),
      total: m(10000),
      explanation: ['flash sale'],
      groupId: '',
      groupDeadline: '',
      reservedCouponCodes: [],
      ...over,
    };
    const sent: marketingV1.PriceCartRequest[] = [];
    const rpc: MarketingRpcs = {
      priceCart: async (_ctx, req) => {
        sent.push(req);
        return res;
      },
      releaseCoupons: async () => ({}),
    };
    return { pricing: new MarketingPricing(rpc), sent };
  };

  it('sends the flash token and the group deal, and reads the group and its deadline', async () => {
    const { pricing, sent } = answer({ groupId: 'g1', groupDeadline: '2026-11-26T10:00:00+08:00' });
    const p = await pricing.price(
      newContext(),
      input({ flashToken: 'tok', groupDealId: 'deal', groupId: 'g0' }),
    );
    expect(sent[0]).toMatchObject({ flashToken: 'tok', groupDealId: 'deal', groupId: 'g0' });
    expect(p).toMatchObject({ groupId: 'g1', groupDeadline: new Date('2026-11-26T02:00:00Z') });
  });

  it.each([
    { groupId: 'g1', groupDeadline: '' },
    { groupId: 'g1', groupDeadline: 'tomorrow' },
    { groupId: 'g1', groupDeadline: '2026-11-26' },
    { groupId: '', groupDeadline: '2026-11-26T10:00:00Z' },
  ])('refuses a group answer without an RFC 3339 deadline (%p)', async (over) => {
    await expect(answer(over).pricing.price(newContext(), input())).rejects.toMatchObject({
      code: 'PRICING_INCOMPLETE',
    });
  });
});
