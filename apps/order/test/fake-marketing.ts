import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { randomUUID } from 'node:crypto';
import { PROTO_FILES, PROTO_ROOT, type marketingV1 } from '@emporia/contracts';
import { grpcLoaderOptions } from '@emporia/platform';

/** A flash-sale token the fake honours: `SKU` sells at `priceMinor` a unit. */
export const flashToken = (skuId: string, priceMinor: number) => `FLASH:${skuId}:${priceMinor}`;

/**
 * A stand-in for the marketing service (issue 5 builds the real one), speaking its gRPC
 * contract: coupon `SAVE10` takes 10% off the cart, spread over the lines by their totals, and
 * is reserved under the order id until released. Tests read `reserved` to check that a failed
 * checkout gives its coupons back. A flash token (`flashToken(sku, price)`) sells that SKU at
 * the sale price (no coupon share on it). A checkout with a group deal joins `group_id` (or
 * opens a new group) and is answered the group and its deadline (`groupDeadlineMs` from the
 * group's opening); tests read `groups`.
 */
export async function startFakeMarketing(opts: { groupDeadlineMs?: number } = {}): Promise<{
  url: string;
  reserved: Map<string, string[]>;
  groups: Map<string, { dealId: string; deadline: Date; orderIds: string[] }>;
  stop: () => Promise<void>;
}> {
  const reserved = new Map<string, string[]>();
  const groups = new Map<string, { dealId: string; deadline: Date; orderIds: string[] }>();
  const pkg = loadPackageDefinition(
    loadSync(PROTO_FILES.marketing, grpcLoaderOptions([PROTO_ROOT])),
  ) as unknown as {
    emporia: { marketing: { v1: { MarketingService: { service: ServiceDefinition } } } };
  };
  const server = new Server();
  server.addService(pkg.emporia.marketing.v1.MarketingService.service, {
    priceCart: (
      call: { request: marketingV1.PriceCartRequest },
      cb: (err: Error | null, res?: marketingV1.PriceCartResponse) => void,
    ) => {
      const req = call.request;
      const currency = req.lines[0]?.unitPrice?.currency ?? 'CNY';
      const [, flashSku, flashPrice] = /^FLASH:([^:]+):(\d+)$/.exec(req.flashToken) ?? [];
      const unit = (l: (typeof req.lines)[number]) =>
        l.skuId === flashSku ? Number(flashPrice) : Number(l.unitPrice!.amountMinor);
      const gross = req.lines.map((l) => unit(l) * Number(l.quantity));
      const subtotal = gross.reduce((a, b) => a + b, 0);
      const coupon = req.couponCodes.includes('SAVE10');
      // no other promotion applies to a flash-sale line
      const base = gross.map((g, i) => (req.lines[i].skuId === flashSku ? 0 : g));
      const baseTotal = base.reduce((a, b) => a + b, 0);
      const discount = coupon ? Math.floor(baseTotal / 10) : 0;
      // largest remainder split of the discount by line totals
      const exact = base.map((g) => (baseTotal ? (discount * g) / baseTotal : 0));
      const shares = exact.map(Math.floor);
      let left = discount - shares.reduce((a, b) => a + b, 0);
      exact
        .map((x, i) => [x - Math.floor(x), i] as const)
        .sort((a, b) => b[0] - a[0])
        .forEach(([, i]) => {
          if (left > 0) {
            shares[i]++;
            left--;
          }
        });
      if (coupon) reserved.set(req.orderId, ['SAVE10']);
      let group: { id: string; deadline: Date } | undefined;
      if (req.groupDealId) {
        const id = req.groupId || randomUUID();
        const g = groups.get(id) ?? {
          dealId: req.groupDealId,
          deadline: new Date(Date.now() + (opts.groupDeadlineMs ?? 3_600_000)),
          orderIds: [],
        };
        if (!g.orderIds.includes(req.orderId)) g.orderIds.push(req.orderId);
        groups.set(id, g);
        group = { id, deadline: g.deadline };
      }
      const m = (amountMinor: number) => ({ amountMinor, currency });
      cb(null, {
        lines: req.lines.map((l, i) => ({
          skuId: l.skuId,
          quantity: l.quantity,
          unitPrice: m(unit(l)),
          discount: m(shares[i]),
          total: m(gross[i] - shares[i]),
        })),
        subtotal: m(subtotal),
        discount: m(discount),
        shipping: m(0),
        total: m(subtotal - discount),
        explanation: [
          ...(flashSku ? [`flash sale: ${flashSku}`] : []),
          ...(coupon ? ['SAVE10: 10% off'] : []),
        ],
        groupId: group?.id ?? '',
        groupDeadline: group?.deadline.toISOString() ?? '',
        reservedCouponCodes: coupon ? ['SAVE10'] : [],
      });
    },
    releaseCoupons: (
      call: { request: marketingV1.ReleaseCouponsRequest },
      cb: (err: Error | null, res?: marketingV1.ReleaseCouponsResponse) => void,
    ) => {
      reserved.delete(call.request.orderId);
      cb(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `127.0.0.1:${port}`,
    reserved,
    groups,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
