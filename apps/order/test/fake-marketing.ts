import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_ROOT, type marketingV1 } from '@emporia/contracts';
import { grpcLoaderOptions } from '@emporia/platform';

/**
 * A stand-in for the marketing service (issue 5 builds the real one), speaking its gRPC
 * contract: coupon `SAVE10` takes 10% off the cart, spread over the lines by their totals, and
 * is reserved under the order id until released. Tests read `reserved` to check that a failed
 * checkout gives its coupons back.
 */
export async function startFakeMarketing(): Promise<{
  url: string;
  reserved: Map<string, string[]>;
  stop: () => Promise<void>;
}> {
  const reserved = new Map<string, string[]>();
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
      const gross = req.lines.map((l) => Number(l.unitPrice!.amountMinor) * Number(l.quantity));
      const subtotal = gross.reduce((a, b) => a + b, 0);
      const coupon = req.couponCodes.includes('SAVE10');
      const discount = coupon ? Math.floor(subtotal / 10) : 0;
      // largest remainder split of the discount by line totals
      const exact = gross.map((g) => (subtotal ? (discount * g) / subtotal : 0));
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
      const m = (amountMinor: number) => ({ amountMinor, currency });
      cb(null, {
        lines: req.lines.map((l, i) => ({
          skuId: l.skuId,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: m(shares[i]),
          total: m(gross[i] - shares[i]),
        })),
        subtotal: m(subtotal),
        discount: m(discount),
        shipping: m(0),
        total: m(subtotal - discount),
        explanation: coupon ? ['SAVE10: 10% off'] : [],
        groupId: '',
        groupDeadline: '',
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
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
