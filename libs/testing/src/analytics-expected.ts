import { localDay, type MonthOrder, type MonthTruth } from './analytics-month-base';

/**
 * The expected figures of a month, computed from its ground truth with plain loops, following
 * docs/analytics definitions (/work/briefs/definitions.md, repeated in apps/analytics/README.md)
 * literally and independently of the service's SQL. Money in minor units (one currency).
 * Experiments, recommendations and inventory are in `analytics-expected-more.ts`.
 */

export interface KpiFigures {
  day: string;
  channel: string;
  gmvMinor: number;
  orders: number;
  paidOrders: number;
  aovMinor: number;
  units: number;
  refundsMinor: number;
  newBuyers: number;
  returningBuyers: number;
}

/** round-half-up(a / b) for non-negative integers; 0 when b is 0. */
export function roundHalfUp(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor((2 * a + b) / (2 * b));
}

const channelName = (c: string) => (c === '' ? 'unknown' : c);
const inRange = (day: string, from: string, to: string) => day >= from && day <= to;

/** The paid orders of the truth, each with its paid day. */
function paidOrders(t: MonthTruth) {
  return t.orders
    .filter((o): o is MonthOrder & { paidAt: Date } => o.paidAt !== null)
    .map((o) => ({ ...o, paidDay: localDay(o.paidAt, t.timeZone) }));
}

/** Each account's first paid order (smallest paid_at, ties by order id). */
function firstPaid(t: MonthTruth): Map<string, { day: string; channel: string; orderId: string }> {
  const first = new Map<string, { at: number; orderId: string; day: string; channel: string }>();
  for (const o of paidOrders(t)) {
    const f = first.get(o.accountId);
    const at = o.paidAt.getTime();
    if (!f || at < f.at || (at === f.at && o.orderId < f.orderId))
      first.set(o.accountId, { at, orderId: o.orderId, day: o.paidDay, channel: o.channel });
  }
  return first;
}

/**
 * GetKpis over [from, to]: `channel` '' gives a row per (day, channel) with activity, 'all' a
 * row per day with activity summed over channels, a named channel its own rows; and the total.
 * Rows without any activity are not listed (the service may list them with zeros).
 */
export function expectedKpis(
  t: MonthTruth,
  q: { from: string; to: string; channel: string },
): { rows: KpiFigures[]; total: KpiFigures } {
  const all = q.channel === 'all';
  const keep = (c: string) => q.channel === '' || all || channelName(c) === q.channel;
  const rowChannel = (c: string) => (all ? 'all' : channelName(c));
  const rows = new Map<string, KpiFigures>();
  const row = (day: string, channel: string) => {
    const k = `${day}|${channel}`;
    let r = rows.get(k);
    if (!r) {
      r = {
        day,
        channel,
        gmvMinor: 0,
        orders: 0,
        paidOrders: 0,
        aovMinor: 0,
        units: 0,
        refundsMinor: 0,
        newBuyers: 0,
        returningBuyers: 0,
      };
      rows.set(k, r);
    }
    return r;
  };
  const payers = new Map<string, Set<string>>();
  for (const o of t.orders) {
    if (!keep(o.channel)) continue;
    const placedDay = localDay(o.placedAt, t.timeZone);
    if (inRange(placedDay, q.from, q.to)) row(placedDay, rowChannel(o.channel)).orders += 1;
    if (o.paidAt) {
      const d = localDay(o.paidAt, t.timeZone);
      if (inRange(d, q.from, q.to)) {
        const r = row(d, rowChannel(o.channel));
        r.paidOrders += 1;
        r.gmvMinor += o.totalMinor;
        for (const l of o.lines) r.units += l.quantity;
        const k = `${d}|${rowChannel(o.channel)}`;
        payers.set(k, (payers.get(k) ?? new Set()).add(o.accountId));
      }
    }
    for (const f of o.refunds) {
      const d = localDay(f.at, t.timeZone);
      if (inRange(d, q.from, q.to)) row(d, rowChannel(o.channel)).refundsMinor += f.amountMinor;
    }
  }
  const first = firstPaid(t);
  for (const [k, accounts] of payers) {
    const r = rows.get(k)!;
    for (const a of accounts) {
      const f = first.get(a)!;
      const isNew = f.day === r.day && (all || channelName(f.channel) === r.channel);
      if (isNew) r.newBuyers += 1;
      else r.returningBuyers += 1;
    }
  }
  for (const r of rows.values()) r.aovMinor = roundHalfUp(r.gmvMinor, r.paidOrders);

  // total: sums of the rows; buyers over the range (restricted to a named channel)
  const named = q.channel !== '' && !all;
  const total: KpiFigures = {
    day: '',
    channel: q.channel,
    gmvMinor: 0,
    orders: 0,
    paidOrders: 0,
    aovMinor: 0,
    units: 0,
    refundsMinor: 0,
    newBuyers: 0,
    returningBuyers: 0,
  };
  for (const r of rows.values()) {
    total.gmvMinor += r.gmvMinor;
    total.orders += r.orders;
    total.paidOrders += r.paidOrders;
    total.units += r.units;
    total.refundsMinor += r.refundsMinor;
  }
  total.aovMinor = roundHalfUp(total.gmvMinor, total.paidOrders);
  const paidInRange = new Set<string>();
  for (const o of paidOrders(t))
    if (inRange(o.paidDay, q.from, q.to) && (!named || channelName(o.channel) === q.channel))
      paidInRange.add(o.accountId);
  for (const a of paidInRange) {
    const f = first.get(a)!;
    const isNew = inRange(f.day, q.from, q.to) && (!named || channelName(f.channel) === q.channel);
    if (isNew) total.newBuyers += 1;
    else total.returningBuyers += 1;
  }
  const sorted = [...rows.values()].sort((a, b) =>
    a.day === b.day ? (a.channel < b.channel ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
  return { rows: sorted, total };
}

/** Visitor → the accounts linked to it (any behaviour event carrying both). */
export function visitorAccounts(t: MonthTruth): Map<string, Set<string>> {
  const links = new Map<string, Set<string>>();
  for (const e of t.behaviour)
    if (e.accountId)
      links.set(e.anonymousId, (links.get(e.anonymousId) ?? new Set()).add(e.accountId));
  return links;
}

export interface FunnelFigures {
  step: 'view' | 'cart' | 'checkout' | 'paid';
  visitors: number;
  conversion: number;
  dropOff: number;
}

/** GetFunnel over [from, to] with optional filters on behaviour events. */
export function expectedFunnel(
  t: MonthTruth,
  q: { from: string; to: string; channel?: string; utmSource?: string; device?: string },
): FunnelFigures[] {
  const did = {
    product_view: new Set<string>(),
    add_to_cart: new Set<string>(),
    checkout_started: new Set<string>(),
  };
  for (const e of t.behaviour) {
    if (!inRange(localDay(new Date(e.occurredAt), t.timeZone), q.from, q.to)) continue;
    if (q.channel && e.channel !== q.channel) continue;
    if (q.utmSource && e.utm?.source !== q.utmSource) continue;
    if (q.device && e.device?.type !== q.device) continue;
    if (e.type in did) did[e.type as keyof typeof did].add(e.anonymousId);
  }
  const payers = new Set(
    paidOrders(t)
      .filter((o) => inRange(o.paidDay, q.from, q.to))
      .map((o) => o.accountId),
  );
  const links = visitorAccounts(t);
  const view = [...did.product_view];
  const cart = view.filter((v) => did.add_to_cart.has(v));
  const checkout = cart.filter((v) => did.checkout_started.has(v));
  const paid = checkout.filter((v) => [...(links.get(v) ?? [])].some((a) => payers.has(a)));
  const counts = [view.length, cart.length, checkout.length, paid.length];
  return (['view', 'cart', 'checkout', 'paid'] as const).map((step, i) => {
    const conversion = i === 0 ? 1 : counts[i - 1] === 0 ? 0 : counts[i] / counts[i - 1];
    return { step, visitors: counts[i], conversion, dropOff: 1 - conversion };
  });
}

export interface AttributionFigures {
  source: string;
  medium: string;
  campaign: string;
  paidOrders: number;
  gmvMinor: number;
}

/** GetAttribution over [from, to] for first_touch or last_touch. */
export function expectedAttribution(
  t: MonthTruth,
  q: { from: string; to: string; model: 'first_touch' | 'last_touch' },
): AttributionFigures[] {
  const visitorsOf = new Map<string, Set<string>>();
  for (const [v, accounts] of visitorAccounts(t))
    for (const a of accounts) visitorsOf.set(a, (visitorsOf.get(a) ?? new Set()).add(v));
  const touchesOf = new Map<string, typeof t.behaviour>();
  for (const e of t.behaviour)
    if (e.utm?.source) touchesOf.set(e.anonymousId, [...(touchesOf.get(e.anonymousId) ?? []), e]);
  const rows = new Map<string, AttributionFigures>();
  for (const o of paidOrders(t)) {
    if (!inRange(o.paidDay, q.from, q.to)) continue;
    const touches = [...(visitorsOf.get(o.accountId) ?? [])]
      .flatMap((v) => touchesOf.get(v) ?? [])
      .filter((e) => Date.parse(e.occurredAt) <= o.paidAt.getTime())
      .sort(
        (a, b) =>
          Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.eventId < b.eventId ? -1 : 1),
      );
    const touch = q.model === 'first_touch' ? touches[0] : touches[touches.length - 1];
    const key = touch
      ? { source: touch.utm!.source, medium: touch.utm!.medium, campaign: touch.utm!.campaign }
      : { source: '(direct)', medium: '', campaign: '' };
    const k = `${key.source}|${key.medium}|${key.campaign}`;
    const r = rows.get(k) ?? { ...key, paidOrders: 0, gmvMinor: 0 };
    r.paidOrders += 1;
    r.gmvMinor += o.totalMinor;
    rows.set(k, r);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows.values()].sort(
    (a, b) =>
      b.gmvMinor - a.gmvMinor ||
      cmp(a.source, b.source) ||
      cmp(a.medium, b.medium) ||
      cmp(a.campaign, b.campaign),
  );
}

export { paidOrders, firstPaid };
