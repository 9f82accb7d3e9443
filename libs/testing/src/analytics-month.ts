import type { analyticsV1 } from '@emporia/contracts';
import {
  addDays,
  assignVariant,
  CHANNELS,
  DAY_MS,
  DEVICES,
  localDay,
  MINUTE,
  type MonthAccount,
  type MonthLine,
  type MonthOptions,
  type MonthOrder,
  type MonthProduct,
  type MonthTruth,
  monthExperiments,
  Prng,
  QUERIES,
  SHOP_TIME_ZONE,
  startOfDay,
  type StockSnapshot,
  UTMS,
} from './analytics-month-base';

export * from './analytics-month-base';
export { monthDomainEvents } from './analytics-month-events';

/**
 * A synthetic month of shop activity for the analytics proof (issue 16), the same for the same
 * seed and `now` (a seeded PRNG, never Math.random): ~2,000 visitors with sessions (UTM, devices,
 * channels), product views, searches, carts, checkouts, exposures to two experiments (one with
 * a true effect on add-to-cart, one A/A) and banner clicks; accounts (some shared by two
 * visitors, a few deleted), orders placed, paid, cancelled, refunded in part or in full;
 * products with SKUs and stock snapshots. Activity lies in the 30 shop-local days before
 * `now`'s day, sessions starting near local midnight included; an older order history (35 to
 * 200 days back) gives life-cycle stages and cohorts something to show. Payments are never
 * within 30 minutes of a whole number of days before `now` (nor 2 minutes after), so the
 * service's clock, read a little later, gives every account the same recency.
 */
export function generateMonth(opts: MonthOptions): MonthTruth {
  const rng = new Prng(opts.seed ?? 16);
  const tz = opts.timeZone ?? SHOP_TIME_ZONE;
  const now = opts.now;
  const nowMs = now.getTime();
  const today = localDay(now, tz);
  const days = Array.from({ length: 30 }, (_, i) => addDays(today, i - 30));
  const latest = nowMs - 15 * MINUTE;

  /** A payment time moved off the recency boundaries; null when too close to now. */
  const safePaid = (t: number): Date | null => {
    let ms = t;
    for (;;) {
      const age = nowMs - ms;
      if (age < 30 * MINUTE) return null;
      const r = age % DAY_MS;
      if (r >= 2 * MINUTE && r <= DAY_MS - 30 * MINUTE) return new Date(ms);
      ms += 40 * MINUTE;
    }
  };

  // ---- catalog: 6 leaf categories under 3 roots, 36 products, 1-3 SKUs each
  const roots = [rng.uuid(), rng.uuid(), rng.uuid()];
  const leaves = roots.flatMap((r) => [
    [r, rng.uuid()],
    [r, rng.uuid()],
  ]);
  const products: MonthProduct[] = Array.from({ length: 36 }, (_, i) => {
    const path = leaves[i % leaves.length];
    const productId = rng.uuid();
    return {
      productId,
      categoryId: path[1],
      categoryPathIds: [...path],
      skus: Array.from({ length: rng.int(1, 3) }, () => ({
        skuId: rng.uuid(),
        productId,
        priceMinor: rng.int(9, 299) * 100 - rng.pick([0, 1, 10]),
      })),
    };
  });
  // the last four products are never shown (slow movers); popularity falls with the index
  const weights = products.map((_, i) => (i >= 32 ? 0 : 1 / Math.pow(i + 1, 0.7)));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const pickProduct = (): MonthProduct => {
    let x = rng.next() * weightSum;
    for (let i = 0; i < products.length; i++) {
      x -= weights[i];
      if (x < 0 && weights[i] > 0) return products[i];
    }
    return products[0];
  };

  // ---- stock: created 40 days ago, then adjustments during the month
  const stock: StockSnapshot[] = [];
  for (const p of products) {
    const onHand: Record<string, number> = {};
    for (const s of p.skus)
      onHand[s.skuId] = rng.chance(0.2) ? rng.int(0, 8) : rng.chance(0.1) ? 0 : rng.int(20, 400);
    stock.push({
      productId: p.productId,
      at: new Date(nowMs - 40 * DAY_MS),
      onHand,
      movement: null,
    });
    const moves = rng.chance(0.6) ? rng.int(1, 3) : 0;
    const times = Array.from({ length: moves }, () => rng.int(1, 29 * 24 * 60) * MINUTE).sort(
      (a, b) => b - a,
    );
    let current = { ...onHand };
    for (const ago of times) {
      const sku = rng.pick(p.skus).skuId;
      const delta = Math.max(-current[sku], rng.chance(0.5) ? rng.int(10, 80) : -rng.int(1, 30));
      if (delta === 0) continue;
      current = { ...current, [sku]: current[sku] + delta };
      stock.push({
        productId: p.productId,
        at: new Date(nowMs - ago - 20 * MINUTE),
        onHand: current,
        movement: { skuId: sku, delta },
      });
    }
  }

  // ---- visitors, accounts, sessions, orders
  const accounts = new Map<string, MonthAccount>();
  const firstSeen = new Map<string, number>();
  const seen = (accountId: string, at: number) =>
    firstSeen.set(accountId, Math.min(firstSeen.get(accountId) ?? Infinity, at));
  const orders: MonthOrder[] = [];
  const behaviour: analyticsV1.BehaviourEvent[] = [];
  const exps = monthExperiments(now);
  let lastAccount = '';

  const placeOrder = (
    accountId: string,
    channel: string,
    at: number,
    lines: MonthLine[],
    payable: boolean,
  ) => {
    const totalMinor = lines.reduce((s, l) => s + l.quantity * l.unitPriceMinor, 0);
    const paidAt = payable && rng.chance(0.82) ? safePaid(at + rng.int(1, 40) * MINUTE) : null;
    const cancel = !paidAt && rng.chance(0.5) && at + 30 * MINUTE < latest;
    const order: MonthOrder = {
      orderId: rng.uuid(),
      accountId,
      channel,
      placedAt: new Date(at),
      lines,
      totalMinor,
      paidAt,
      cancelledAt: cancel ? new Date(at + 30 * MINUTE) : null,
      refunds: [],
    };
    if (paidAt) {
      let left = totalMinor;
      let t = paidAt.getTime();
      const partial = rng.chance(0.12);
      const full = rng.chance(0.07);
      if (partial && left > 1) {
        t += rng.int(60, 3 * 24 * 60) * MINUTE;
        const amount = Math.max(1, Math.floor(left * (0.1 + rng.next() * 0.5)));
        if (t < latest) {
          order.refunds.push({
            refundId: rng.uuid(),
            at: new Date(t),
            amountMinor: amount,
            full: false,
          });
          left -= amount;
        }
      }
      if (full) {
        t += rng.int(60, 3 * 24 * 60) * MINUTE;
        if (t < latest)
          order.refunds.push({
            refundId: rng.uuid(),
            at: new Date(t),
            amountMinor: left,
            full: true,
          });
      }
    }
    orders.push(order);
    seen(accountId, at);
  };

  const randomLines = (): MonthLine[] => {
    const n = rng.int(1, 3);
    const lines: MonthLine[] = [];
    for (let i = 0; i < n; i++) {
      const sku = rng.pick(pickProduct().skus);
      if (lines.some((l) => l.skuId === sku.skuId)) continue;
      lines.push({
        skuId: sku.skuId,
        productId: sku.productId,
        quantity: rng.int(1, 3),
        unitPriceMinor: sku.priceMinor,
      });
    }
    return lines;
  };

  const visitors = opts.visitors ?? 2000;
  for (let v = 0; v < visitors; v++) {
    const anonymousId = `v${v.toString(36)}-${rng.int(0, 1e9).toString(36)}`;
    const device = rng.pick(DEVICES);
    const os = device === 'desktop' ? rng.pick(['windows', 'macos']) : rng.pick(['ios', 'android']);
    let accountId = '';
    if (rng.chance(0.45)) {
      // one account in ten is the previous one's (the same person on a second device)
      accountId = lastAccount && rng.chance(0.1) ? lastAccount : rng.uuid();
      lastAccount = accountId;
    }
    const sessions = rng.int(1, 4);
    for (let k = 0; k < sessions; k++) {
      const day = days[rng.int(0, days.length - 1)];
      const second = rng.chance(0.06) ? rng.int(86_400 - 600, 86_399) : rng.int(0, 86_399);
      let t = startOfDay(day, tz).getTime() + second * 1000;
      const channel = rng.chance(0.05)
        ? ''
        : device === 'app'
          ? 'app'
          : device === 'mobile' && rng.chance(0.3)
            ? 'mini_program'
            : 'web';
      const utm = rng.chance(0.55) ? rng.pick(UTMS) : null;
      const sessionId = rng.chance(0.1) ? '' : `s${v.toString(36)}-${k}`;
      const signed = accountId !== '' && rng.chance(0.6);
      const unit = signed ? accountId : anonymousId;
      const ev = (
        type: string,
        extra: Partial<analyticsV1.BehaviourEvent> = {},
      ): analyticsV1.BehaviourEvent | null => {
        t += rng.int(15, 120) * 1000;
        if (t >= latest) return null;
        const e: analyticsV1.BehaviourEvent = {
          eventId: rng.uuid(),
          type,
          anonymousId,
          accountId: signed ? accountId : '',
          sessionId,
          occurredAt: new Date(t).toISOString(),
          receivedAt: '',
          channel,
          utm: {
            source: utm?.source ?? '',
            medium: utm?.medium ?? '',
            campaign: utm?.campaign ?? '',
            term: '',
            content: '',
          },
          referrer: utm ? `https://${utm.source}.example/` : '',
          device: { type: device, os, browser: device === 'app' ? '' : 'chrome' },
          page: '/',
          productId: '',
          skuId: '',
          quantity: 0,
          query: '',
          resultCount: 0,
          bannerId: '',
          experimentKey: '',
          variant: '',
          ...extra,
        };
        behaviour.push(e);
        if (signed) seen(accountId, t);
        return e;
      };
      ev('page_view');
      let boost = 0;
      for (const x of exps) {
        const variant = assignVariant(x.key, x.variants, unit);
        ev('experiment_exposure', { experimentKey: x.key, variant });
        if (x.key === 'checkout-cta' && variant === 'treatment') boost = 0.08;
      }
      if (rng.chance(0.4))
        ev('search', { page: '/search', query: rng.pick(QUERIES), resultCount: rng.int(0, 40) });
      const viewed: { productId: string; skuId: string; priceMinor: number }[] = [];
      for (let n = rng.int(1, 5); n > 0; n--) {
        const sku = rng.pick(pickProduct().skus);
        viewed.push(sku);
        ev('product_view', {
          page: `/p/${sku.productId}`,
          productId: sku.productId,
          skuId: sku.skuId,
        });
      }
      if (rng.chance(0.12))
        ev('banner_click', { bannerId: rng.pick(['hero-1', 'hero-2', 'side']) });
      const cart: MonthLine[] = [];
      for (const s of viewed) {
        if (cart.some((l) => l.skuId === s.skuId) || !rng.chance(0.1 + boost)) continue;
        const quantity = rng.int(1, 3);
        if (!ev('add_to_cart', { productId: s.productId, skuId: s.skuId, quantity })) continue;
        cart.push({
          skuId: s.skuId,
          productId: s.productId,
          quantity,
          unitPriceMinor: s.priceMinor,
        });
      }
      if (cart.length > 1 && rng.chance(0.15)) {
        const gone = cart.pop()!;
        ev('remove_from_cart', {
          productId: gone.productId,
          skuId: gone.skuId,
          quantity: gone.quantity,
        });
      }
      if (cart.length > 0 && rng.chance(signed ? 0.55 : 0.1)) {
        const started = ev('checkout_started', { page: '/checkout' });
        if (started && signed)
          placeOrder(accountId, channel, t + rng.int(10, 60) * 1000, cart, true);
      }
    }
  }

  // ---- order history before the month: some of the month's accounts, and 30 others
  const monthAccounts = [...firstSeen.keys()].sort();
  const historyOnly = Array.from({ length: 30 }, () => rng.uuid());
  const historic = [...monthAccounts.filter(() => rng.chance(0.25)), ...historyOnly];
  for (const a of historic)
    for (let n = rng.int(1, 3); n > 0; n--) {
      const at = nowMs - rng.int(35, 200) * DAY_MS - rng.int(0, DAY_MS / 1000 - 1) * 1000;
      placeOrder(a, rng.pick(CHANNELS), at, randomLines(), true);
    }

  // ---- accounts: registered before their first activity
  for (const [accountId, first] of [...firstSeen.entries()].sort((a, b) => a[1] - b[1]))
    accounts.set(accountId, {
      accountId,
      registeredAt: new Date(first - rng.int(1, 5) * DAY_MS),
      deletedAt: null,
    });
  // deleted: three buyers never seen on the storefront (no visitor links), so only the figures
  // that name deletion (customers') are touched by it
  const buyers = new Set(orders.filter((o) => o.paidAt).map((o) => o.accountId));
  for (const id of historyOnly.filter((a) => buyers.has(a)).slice(0, 3)) {
    const a = accounts.get(id)!;
    accounts.set(id, { ...a, deletedAt: new Date(nowMs - 2 * DAY_MS - 7 * MINUTE) });
  }

  orders.sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());
  behaviour.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  return {
    now,
    timeZone: tz,
    currency: 'CNY',
    days,
    products,
    stock,
    accounts: [...accounts.values()],
    orders,
    behaviour,
    experiments: exps,
  };
}
