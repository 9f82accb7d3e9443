import { CATALOG_PRODUCT, catalogV1, ORDER_ORDER, USER_ACCOUNT } from '@emporia/contracts';
import { type MonthDomainEvent, type MonthTruth, Prng } from './analytics-month-base';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/**
 * The domain events that carry a month's truth, as the services' outbox relays publish them
 * (topic base name, type, key, event id, message, occurred-at), sorted by time: catalog's
 * product snapshots, user's registrations and deletions, order's placed / paid / cancelled /
 * refunded. Event ids are deterministic (a PRNG of their own, seeded from `seed`).
 */
export function monthDomainEvents(truth: MonthTruth, seed = 1016): MonthDomainEvent[] {
  const rng = new Prng(seed);
  const out: MonthDomainEvent[] = [];
  const push = (e: Omit<MonthDomainEvent, 'eventId' | 'topic'>) =>
    out.push({ ...e, topic: e.type.topic, eventId: rng.uuid() });

  const byProduct = new Map(truth.products.map((p) => [p.productId, p]));
  const versions = new Map<string, number>();
  for (const s of truth.stock) {
    const p = byProduct.get(s.productId)!;
    const version = (versions.get(p.productId) ?? 0) + 1;
    versions.set(p.productId, version);
    const product: catalogV1.Product = {
      tags: [],
      manualTags: [],
      publishAt: '',
      unpublishAt: '',
      complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
      id: p.productId,
      title: `Product ${p.productId.slice(0, 8)}`,
      description: '',
      brand: 'Emporia',
      categoryId: p.categoryId,
      categoryPathIds: p.categoryPathIds,
      rating: undefined,
      status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
      skus: p.skus.map((k) => ({
        id: k.skuId,
        code: `SKU-${k.skuId.slice(0, 8)}`,
        attributes: {},
        price: cny(k.priceMinor),
        stockOnHand: s.onHand[k.skuId],
        unitsSold: 0,
        originalPrice: undefined,
      })),
      version,
      createdAt: truth.stock.find((x) => x.productId === p.productId)!.at.toISOString(),
      updatedAt: s.at.toISOString(),
      unitsSold: 0,
    };
    if (!s.movement)
      push({
        type: CATALOG_PRODUCT.events.ProductCreated,
        key: p.productId,
        message: { product },
        occurredAt: s.at,
      });
    else
      push({
        type: CATALOG_PRODUCT.events.ProductStockChanged,
        key: p.productId,
        message: {
          product,
          skuId: s.movement.skuId,
          warehouseCode: 'SH-1',
          delta: s.movement.delta,
          warehouseOnHand: s.onHand[s.movement.skuId],
          reason: s.movement.delta > 0 ? 'restock' : 'shrinkage',
          reference: '',
        },
        occurredAt: s.at,
      });
  }

  for (const a of truth.accounts) {
    push({
      type: USER_ACCOUNT.events.AccountRegistered,
      key: a.accountId,
      message: {
        accountId: a.accountId,
        email: '',
        phone: '',
        registeredAt: a.registeredAt.toISOString(),
      },
      occurredAt: a.registeredAt,
    });
    if (a.deletedAt)
      push({
        type: USER_ACCOUNT.events.AccountDeleted,
        key: a.accountId,
        message: { accountId: a.accountId, deletedAt: a.deletedAt.toISOString() },
        occurredAt: a.deletedAt,
      });
  }

  const E = ORDER_ORDER.events;
  for (const o of truth.orders) {
    const base = { orderId: o.orderId, accountId: o.accountId };
    push({
      type: E.OrderPlaced,
      key: o.orderId,
      message: {
        ...base,
        total: cny(o.totalMinor),
        status: 'PENDING_PAYMENT',
        placedAt: o.placedAt.toISOString(),
        couponCodes: [],
        lines: o.lines.map((l) => ({
          skuId: l.skuId,
          productId: l.productId,
          quantity: l.quantity,
          unitPrice: cny(l.unitPriceMinor),
          total: cny(l.quantity * l.unitPriceMinor),
        })),
        channel: o.channel,
      },
      occurredAt: o.placedAt,
    });
    if (o.paidAt)
      push({
        type: E.OrderPaid,
        key: o.orderId,
        message: { ...base, amountPaid: cny(o.totalMinor), paidAt: o.paidAt.toISOString() },
        occurredAt: o.paidAt,
      });
    if (o.cancelledAt)
      push({
        type: E.OrderCancelled,
        key: o.orderId,
        message: {
          ...base,
          reason: 'PAYMENT_TIMEOUT',
          cancelledAt: o.cancelledAt.toISOString(),
          couponCodes: [],
        },
        occurredAt: o.cancelledAt,
      });
    for (const r of o.refunds)
      push({
        type: E.OrderRefunded,
        key: o.orderId,
        message: {
          ...base,
          refundId: r.refundId,
          amountRefunded: cny(r.amountMinor),
          refundedAt: r.at.toISOString(),
          full: r.full,
        },
        occurredAt: r.at,
      });
  }
  return out.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
}
