import { randomUUID } from 'node:crypto';
import type { OrderFacts } from '../domain/delivered-line';

/** An order of `accountId` with one line per SKU, all in one shipment delivered at `deliveredAt`. */
export function aDeliveredOrder(
  accountId: string,
  opts: {
    orderId?: string;
    skus?: { skuId: string; productId: string; title?: string }[];
    deliveredAt?: Date | null;
    status?: string;
  } = {},
): OrderFacts & { accountId: string } {
  const skus = opts.skus ?? [{ skuId: randomUUID(), productId: randomUUID() }];
  const deliveredAt =
    opts.deliveredAt === undefined ? new Date('2026-11-20T10:00:00Z') : opts.deliveredAt;
  return {
    accountId,
    orderId: opts.orderId ?? randomUUID(),
    status: opts.status ?? (deliveredAt ? 'DELIVERED' : 'SHIPPED'),
    lines: skus.map((s) => ({
      skuId: s.skuId,
      productId: s.productId,
      title: s.title ?? 'Teapot',
    })),
    shipments: [
      {
        status: deliveredAt ? 'DELIVERED' : 'SHIPPED',
        skuIds: skus.map((s) => s.skuId),
        deliveredAt,
      },
    ],
    address: {
      country: 'CN',
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      line1: '科技园 1 号',
      line2: '',
    },
  };
}
