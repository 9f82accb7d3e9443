import type { marketingV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import type { PricingInput, PricingPort } from '../application/ports';
import type { PricedCart } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { rethrowRemote } from './remote-errors';

/**
 * Catalog list prices, no promotions: the pricing used until a marketing service is deployed.
 * Flash-sale and group-buy checkouts need marketing: they are refused, never sold at list price.
 */
export class ListPricePricing implements PricingPort {
  async price(_ctx: RequestContext, input: PricingInput): Promise<PricedCart> {
    if (input.flashToken || input.groupDealId || input.groupId)
      throw new OrderError(
        'FAILED_PRECONDITION',
        'MARKETING_UNAVAILABLE',
        'flash sales and group buying need the marketing service, which is not configured; the checkout was not placed',
        {
          flashToken: Boolean(input.flashToken),
          groupDeal: Boolean(input.groupDealId || input.groupId),
        },
      );
    const currency = input.lines[0].sku.unitPrice.currency;
    const lines = input.lines.map((l) => ({
      skuId: l.sku.skuId,
      productId: l.sku.productId,
      title: l.sku.title,
      quantity: l.quantity,
      unitPrice: l.sku.unitPrice,
      discount: Money.zero(currency),
      total: l.sku.unitPrice.times(l.quantity),
    }));
    const subtotal = Money.sum(
      lines.map((l) => l.total),
      currency,
    );
    return {
      currency,
      lines,
      subtotal,
      discount: Money.zero(currency),
      shipping: Money.zero(currency),
      total: subtotal,
      explanation: input.couponCodes.length
        ? ['list prices: coupons are not applied (no marketing service configured)']
        : ['list prices'],
      pricedBy: 'catalog-list-price',
    };
  }

  /** List prices reserve no coupons. */
  async releaseCoupons(): Promise<void> {}
}

export interface MarketingRpcs {
  priceCart(
    ctx: RequestContext,
    req: marketingV1.PriceCartRequest,
  ): Promise<marketingV1.PriceCartResponse>;
  releaseCoupons(
    ctx: RequestContext,
    req: marketingV1.ReleaseCouponsRequest,
  ): Promise<marketingV1.ReleaseCouponsResponse>;
}

/** Marketing's PriceCart over gRPC. Its answer is checked to add up before it is used. */
export class MarketingPricing implements PricingPort {
  constructor(private readonly rpc: MarketingRpcs) {}

  async releaseCoupons(ctx: RequestContext, orderId: string, reason: string): Promise<void> {
    await this.rpc.releaseCoupons(ctx, { orderId, reason }).catch(rethrowRemote('marketing'));
  }

  async price(ctx: RequestContext, input: PricingInput): Promise<PricedCart> {
    const res = await this.rpc
      .priceCart(ctx, {
        orderId: input.orderId,
        accountId: input.accountId,
        lines: input.lines.map((l) => ({
          skuId: l.sku.skuId,
          productId: l.sku.productId,
          categoryPathIds: l.sku.categoryPathIds,
          quantity: l.quantity,
          unitPrice: {
            amountMinor: l.sku.unitPrice.amountMinor,
            currency: l.sku.unitPrice.currency,
          },
        })),
        couponCodes: input.couponCodes,
        channel: input.channel,
        memberTier: '',
        firstOrder: false,
        flashToken: input.flashToken,
        groupDealId: input.groupDealId,
        groupId: input.groupId,
      })
      .catch(rethrowRemote('marketing'));
    const m = (x: { amountMinor: number; currency: string } | undefined) => {
      if (!x)
        throw new OrderError(
          'UNAVAILABLE',
          'PRICING_INCOMPLETE',
          'marketing answered without an amount',
        );
      return Money.of(Number(x.amountMinor), x.currency);
    };
    const bySku = new Map(input.lines.map((l) => [l.sku.skuId, l.sku]));
    return {
      currency: m(res.total).currency,
      lines: res.lines.map((l) => {
        const sku = bySku.get(l.skuId);
        if (!sku)
          throw new OrderError(
            'UNAVAILABLE',
            'PRICING_INCOMPLETE',
            `marketing priced an unknown SKU ${l.skuId}`,
          );
        return {
          skuId: l.skuId,
          productId: sku.productId,
          title: sku.title,
          quantity: Number(l.quantity),
          unitPrice: m(l.unitPrice),
          discount: m(l.discount),
          total: m(l.total),
        };
      }),
      subtotal: m(res.subtotal),
      discount: m(res.discount),
      shipping: m(res.shipping),
      total: m(res.total),
      explanation: res.explanation,
      pricedBy: 'marketing',
      ...group(res),
    };
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The group marketing placed the checkout in, with its RFC 3339 deadline (checked here). */
function group(res: marketingV1.PriceCartResponse): { groupId?: string; groupDeadline?: Date } {
  if (!res.groupId && !res.groupDeadline) return {};
  const deadline = new Date(res.groupDeadline ?? '');
  if (!res.groupId || !RFC3339.test(res.groupDeadline ?? '') || Number.isNaN(deadline.getTime()))
    throw new OrderError(
      'UNAVAILABLE',
      'PRICING_INCOMPLETE',
      `marketing answered a group without a group id and an RFC 3339 deadline ('${res.groupId}', '${res.groupDeadline}')`,
    );
  return { groupId: res.groupId, groupDeadline: deadline };
}
