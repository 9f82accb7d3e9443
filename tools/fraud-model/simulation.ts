/**
 * Synthetic shop activity for the fraud model (issue 23): honest shoppers and three fraud
 * patterns, as time-stamped events risk would see. Deterministic for a seed. The numbers are
 * assumptions, stated here once; apps/risk/README.md ("The synthetic data") says why each pattern looks as it does.
 *
 * - Honest shoppers: accounts made up to three years before, or signing up during the period;
 *   one order every few weeks (heterogeneous), one or two devices, a home IP or a carrier's
 *   shared NAT address, a home address and for some an office, a dormitory or a parcel locker
 *   shared with many others, households sharing an address and a tablet; coupons now and then
 *   (often on a new account's first order, seconds or minutes after signing up at checkout); returns, exchanges,
 *   cancellations; a few new devices (with the sign-in anomaly the user service raises).
 * - Brushing rings (刷单): 10–40 fresh (or bought, aged but unused) accounts on a few emulated
 *   devices and proxy IPs, small one-line orders to one to three drop addresses over days —
 *   naive rings in bursts, careful ones paced under the per-hour rules and just above 10 CNY.
 * - Coupon hunters (羊毛党): campaigns of new accounts each ordering once (some twice) minutes
 *   after signing up, with the new-user coupon — naive farms on one or two devices, careful
 *   ones with a new device id per account, a few residential IPs and addresses written slightly
 *   differently.
 * - Stolen accounts (盗号): an old account with a history suddenly ordering several times its
 *   usual value from a new device and IP to a new address within an hour or two, after a
 *   sign-in the user service flags as anomalous in most cases.
 */

export type Pattern = 'honest' | 'brushing' | 'coupon_hunting' | 'stolen_account';

export interface OrderEvent {
  type: 'ORDER';
  t: number;
  orderId: string;
  accountId: string;
  accountCreatedAt: number;
  deviceId: string;
  ip: string;
  address: string;
  totalMinor: number;
  lineCount: number;
  coupons: string[];
  addressIssues: string[];
  pattern: Pattern;
}

export type SimEvent =
  | OrderEvent
  | { type: 'LOGIN_ANOMALY'; t: number; accountId: string; eventId: string }
  | { type: 'DELIVERED'; t: number; accountId: string; shipmentId: string; lines: number }
  | {
      type: 'RETURN';
      t: number;
      accountId: string;
      returnId: string;
      kind: 'REFUND' | 'EXCHANGE' | 'REFUND_ONLY';
      lines: number;
      mismatch: boolean;
    }
  | { type: 'CANCELLED'; t: number; accountId: string; orderId: string };

/** The simulation's parameters (defaults: SIM). */
export const SIM = {
  /** The labelled period starts after a warm-up that fills the counters and histories. */
  start: Date.parse('2026-01-01T00:00:00Z'),
  warmupDays: 28,
  labelledDays: 70,
  existingAccounts: 18_000,
  signupsPerDay: 110,
  brushingRings: 70,
  couponCampaigns: 110,
  takeovers: 450,
  /** Fraud devices and drop addresses already on the lists at the start (earlier incidents). */
  listedShare: 0.15,
};

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** mulberry32: a small, fast, seeded generator (the same stream for the same seed). */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  int(a: number, b: number): number {
    return Math.floor(this.uniform(a, b + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  normal(): number {
    const u = Math.max(1e-12, this.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  exponential(mean: number): number {
    return -mean * Math.log(Math.max(1e-12, this.next()));
  }
}

interface Shopper {
  id: string;
  createdAt: number;
  devices: string[];
  homeIp: string;
  addresses: string[];
  /** Orders per day, median price (minor units), return habit. */
  rate: number;
  /** A reseller (代购) ships to its customers: a new address almost every order. */
  reseller: boolean;
  priceMinor: number;
  returnRate: number;
  orders: number;
}

/** Builds every event of the period, sorted by time (ties in creation order). */
export function simulate(
  seed: number,
  sim = SIM,
): {
  events: SimEvent[];
  labelledFrom: number;
  /** Fraud devices and drop addresses on the lists from the start. */
  listed: { devices: string[]; addresses: string[] };
} {
  const rnd = new Random(seed);
  const events: SimEvent[] = [];
  let n = 0;
  const id = (prefix: string) => `${prefix}-${(++n).toString(36)}`;
  const from = sim.start;
  const end = from + (sim.warmupDays + sim.labelledDays) * DAY;
  const labelledFrom = from + sim.warmupDays * DAY;
  const cgnat = Array.from({ length: 400 }, (_, i) => `100.64.${i >> 8}.${i & 255}`);
  const offices = Array.from(
    { length: 300 },
    (_, i) => `cn|zj|hz|office|tower ${i} floor ${i % 30}|`,
  );
  const offices_ip = offices.map((_, i) => `198.18.${i >> 8}.${i & 255}`);
  const dorms = Array.from({ length: 40 }, (_, i) => `cn|zj|hz|campus|dormitory ${i} locker|`);
  const listed: { devices: string[]; addresses: string[] } = { devices: [], addresses: [] };

  const order = (o: Omit<OrderEvent, 'type' | 'orderId'>, after: { returnRate: number }) => {
    const orderId = id('o');
    events.push({ type: 'ORDER', orderId, ...o });
    // what happens to the order later: cancelled, or delivered and maybe returned
    if (rnd.chance(o.pattern === 'stolen_account' ? 0.5 : 0.04)) {
      events.push({
        type: 'CANCELLED',
        t: o.t + rnd.uniform(0.2 * HOUR, 48 * HOUR),
        accountId: o.accountId,
        orderId,
      });
      return;
    }
    const delivered = o.t + rnd.uniform(2 * DAY, 5 * DAY);
    events.push({
      type: 'DELIVERED',
      t: delivered,
      accountId: o.accountId,
      shipmentId: id('s'),
      lines: o.lineCount,
    });
    if (rnd.chance(after.returnRate)) {
      const kind = rnd.chance(0.7) ? 'REFUND' : rnd.chance(0.7) ? 'EXCHANGE' : 'REFUND_ONLY';
      events.push({
        type: 'RETURN',
        t: delivered + rnd.uniform(1 * DAY, 10 * DAY),
        accountId: o.accountId,
        returnId: id('r'),
        kind,
        lines: Math.max(1, Math.min(o.lineCount, rnd.int(1, o.lineCount))),
        mismatch: rnd.chance(0.001),
      });
    }
  };

  // ---- honest shoppers
  const shoppers: Shopper[] = [];
  const campusIps = Array.from({ length: 20 }, (_, i) => `10.200.0.${i + 1}`);
  const newShopper = (createdAt: number, household?: Shopper, student = false): Shopper => {
    const cheap = rnd.chance(0.15); // 9.9-包邮 buyers: many small orders, like brushing's
    const reseller = !student && !household && rnd.chance(0.006);
    const s: Shopper = {
      reseller,
      id: id('acc'),
      createdAt,
      devices: household && rnd.chance(0.3) ? [household.devices[0]] : [id('dev')],
      homeIp: student
        ? rnd.pick(campusIps)
        : (household?.homeIp ?? `203.0.${rnd.int(0, 255)}.${rnd.int(1, 254)}`),
      // students: fresh accounts shipping cheap things to a dormitory's shared locker
      addresses: [
        student
          ? rnd.pick(dorms)
          : (household?.addresses[0] ?? `cn|zj|hz|home|${id('street')}|room ${rnd.int(1, 30)}`),
      ],
      rate: reseller
        ? rnd.uniform(0.5, 1.5)
        : Math.min(1, rnd.lognormal(student || cheap ? 1 / 10 : 1 / 25, 0.9)),
      priceMinor: Math.round(
        student
          ? rnd.lognormal(3_500, 0.5)
          : cheap
            ? rnd.lognormal(1_800, 0.4)
            : rnd.lognormal(12_000, 0.6),
      ),
      returnRate: rnd.chance(0.03) ? 0.35 : rnd.uniform(0.04, 0.12),
      orders: 0,
    };
    if (rnd.chance(0.3)) s.devices.push(id('dev'));
    if (!student && rnd.chance(0.35)) s.addresses.push(rnd.pick(offices));
    if (!student && rnd.chance(0.1)) s.addresses.push(rnd.pick(dorms));
    return s;
  };
  const addShopper = (createdAt: number, student = false) => {
    const s = newShopper(createdAt, undefined, student);
    shoppers.push(s);
    // households: 2 to 4 accounts at one address, some on one tablet
    if (rnd.chance(0.12))
      for (let i = rnd.int(1, 3); i > 0; i--) shoppers.push(newShopper(createdAt, s));
  };
  for (let i = 0; i < sim.existingAccounts; i++) {
    const ageDays = Math.exp(rnd.uniform(Math.log(7), Math.log(1100)));
    addShopper(from - ageDays * DAY);
  }
  const existing = shoppers.length;
  for (let t = from; t < end; t += DAY)
    for (let i = 0; i < sim.signupsPerDay; i++)
      addShopper(t + rnd.uniform(0, DAY), rnd.chance(0.12));

  const honestOrder = (s: Shopper, t: number, firstOfNew: boolean) => {
    // now and then a new phone: the sign-in on it is flagged by the user service
    if (!firstOfNew && rnd.chance(0.015)) {
      s.devices.push(id('dev'));
      if (rnd.chance(0.7))
        events.push({
          type: 'LOGIN_ANOMALY',
          t: t - rnd.uniform(1 * MIN, 3 * DAY),
          accountId: s.id,
          eventId: id('la'),
        });
    }
    const device = rnd.chance(0.75) ? s.devices[s.devices.length - 1] : rnd.pick(s.devices);
    // moving house: a new phone, a new address and the things a new home needs
    if (!firstOfNew && rnd.chance(0.004)) {
      s.devices.push(id('dev'));
      s.addresses.unshift(`cn|zj|nb|home|${id('street')}|room ${rnd.int(1, 30)}`);
      s.priceMinor = Math.round(s.priceMinor * rnd.uniform(1.5, 3));
    }
    // a present: several times the usual value, often to a friend's address (a new one)
    const gift = !firstOfNew && rnd.chance(0.02);
    // some new accounts sign up to buy one big thing at once
    const big = firstOfNew && rnd.chance(0.08);
    const address =
      (gift && rnd.chance(0.5)) || (s.reseller && rnd.chance(0.8))
        ? `cn|sh|sh|friend|${id('street')}|`
        : rnd.chance(0.75)
          ? s.addresses[0]
          : rnd.pick(s.addresses);
    const atOffice = offices.indexOf(address);
    const ip =
      atOffice >= 0 && rnd.chance(0.7)
        ? offices_ip[atOffice]
        : rnd.chance(0.5)
          ? rnd.pick(cgnat)
          : s.homeIp;
    const times = gift ? rnd.uniform(3, 10) : big ? rnd.uniform(3, 8) : 1;
    s.orders++;
    order(
      {
        t,
        accountId: s.id,
        accountCreatedAt: s.createdAt,
        deviceId: device,
        ip,
        address,
        totalMinor: Math.max(100, Math.round(rnd.lognormal(s.priceMinor, 0.7) * times)),
        lineCount: 1 + Math.floor(rnd.exponential(0.8)),
        coupons: rnd.chance(firstOfNew ? 0.6 : 0.2) ? [firstOfNew ? 'NEWUSER' : 'SAVE10'] : [],
        addressIssues: rnd.chance(0.01) ? ['DETAIL_VAGUE'] : [],
        pattern: 'honest',
      },
      s,
    );
    // something forgotten: one or two more orders soon after, from the same phone and place
    for (let k = 0, at = t; k < 2 && rnd.chance(k === 0 ? 0.12 : 0.3); k++) {
      at += rnd.uniform(1 * MIN, 60 * MIN);
      s.orders++;
      order(
        {
          t: at,
          accountId: s.id,
          accountCreatedAt: s.createdAt,
          deviceId: device,
          ip,
          address,
          totalMinor: Math.max(100, Math.round(rnd.lognormal(s.priceMinor * 0.6, 0.7))),
          lineCount: 1,
          coupons: [],
          addressIssues: [],
          pattern: 'honest',
        },
        s,
      );
    }
  };
  shoppers.forEach((s, i) => {
    let t = Math.max(from, s.createdAt);
    // most accounts made before the period ordered before it too: those orders are replayed
    // (not written) so risk knows their first order and recent history, as it would in steady
    // state; the rest are dormant, and risk has nothing on them when they come back
    if (i < existing && s.createdAt <= from && rnd.chance(0.7)) {
      let past = s.createdAt + rnd.exponential(3 * DAY);
      while (past < from - DAY) {
        honestOrder(s, past, false);
        past += rnd.uniform(20, 300) * DAY;
      }
    }
    if (i >= existing || s.createdAt > from) {
      // a new account: many sign up at checkout and order within seconds or minutes (often with
      // the new-user coupon), some come back later, some never order
      const r = rnd.next();
      if (r < 0.3) t = s.createdAt + rnd.uniform(10_000, 5 * MIN);
      else if (r < 0.5) t = s.createdAt + rnd.uniform(5 * MIN, 2 * HOUR);
      else if (r < 0.8) t = s.createdAt + rnd.uniform(HOUR, 7 * DAY);
      else return;
      if (t < end) honestOrder(s, t, true);
    }
    for (;;) {
      t += rnd.exponential(1 / s.rate) * DAY;
      if (t >= end) break;
      honestOrder(s, t, false);
    }
  });

  // ---- brushing rings
  for (let k = 0; k < sim.brushingRings; k++) {
    const start = from + rnd.uniform(0, (sim.warmupDays + sim.labelledDays) * DAY);
    const careful = rnd.chance(0.5);
    const aged = rnd.chance(0.3);
    const members = rnd.int(6, 25);
    // careful rings spread over more devices, drop addresses and mobile (carrier NAT) addresses
    const devices = Array.from({ length: careful ? Math.ceil(members / 3) : rnd.int(2, 6) }, () =>
      id('emu'),
    );
    const ips = Array.from({ length: rnd.int(3, 10) }, () =>
      careful && rnd.chance(0.4)
        ? rnd.pick(cgnat)
        : `45.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`,
    );
    const drops = Array.from(
      { length: careful ? rnd.int(2, 6) : rnd.int(1, 3) },
      () => `cn|gd|sz|drop|${id('lane')}|`,
    );
    if (rnd.chance(sim.listedShare)) listed.addresses.push(drops[0]);
    const days = careful ? rnd.uniform(3, 7) : rnd.uniform(0.05, 0.5);
    for (let a = members; a > 0; a--) {
      const account = id('acc');
      const createdAt = aged
        ? start - rnd.uniform(30, 200) * DAY
        : start - rnd.uniform(0.05, 3) * DAY;
      let t = start + rnd.uniform(0, days * DAY);
      for (let o = rnd.int(1, 4); o > 0 && t < end; o--) {
        order(
          {
            t,
            accountId: account,
            accountCreatedAt: createdAt,
            deviceId: rnd.pick(devices),
            ip: rnd.pick(ips),
            address: rnd.pick(drops),
            totalMinor: careful ? rnd.int(1_050, 4_000) : rnd.int(500, 2_500),
            lineCount: 1,
            coupons: [],
            addressIssues: rnd.chance(0.2) ? ['DETAIL_VAGUE'] : [],
            pattern: 'brushing',
          },
          { returnRate: 0 },
        );
        t += careful ? rnd.uniform(6 * HOUR, 2 * DAY) : rnd.uniform(5 * MIN, 6 * HOUR);
      }
    }
  }

  // ---- coupon hunters
  for (let k = 0; k < sim.couponCampaigns; k++) {
    const start = from + rnd.uniform(0, (sim.warmupDays + sim.labelledDays) * DAY);
    const careful = rnd.chance(0.6);
    const farmDevices = Array.from({ length: rnd.int(1, 2) }, () => id('farm'));
    if (!careful && rnd.chance(sim.listedShare)) listed.devices.push(farmDevices[0]);
    const ips = Array.from({ length: careful ? rnd.int(1, 3) : 1 }, () =>
      careful && rnd.chance(0.5)
        ? rnd.pick(cgnat)
        : `220.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`,
    );
    const base = Array.from({ length: rnd.int(1, 4) }, () => id('block'));
    const days = rnd.uniform(1, 3);
    for (let a = rnd.int(5, 20); a > 0; a--) {
      const account = id('acc');
      const createdAt = start + rnd.uniform(0, days * DAY);
      // careful farms reset the device id per account and vary how the address is written
      const device = careful ? id('dev') : rnd.pick(farmDevices);
      const address = careful
        ? `cn|js|nj|qinhuai|${rnd.pick(base)} no ${rnd.int(1, 3)}|unit ${rnd.int(1, 40)}`
        : `cn|js|nj|qinhuai|${base[0]}|`;
      let t = createdAt + rnd.uniform(1 * MIN, 60 * MIN);
      for (let o = rnd.chance(0.3) ? 2 : 1; o > 0 && t < end; o--) {
        order(
          {
            t,
            accountId: account,
            accountCreatedAt: createdAt,
            deviceId: device,
            ip: rnd.pick(ips),
            address,
            totalMinor: careful
              ? Math.round(Math.min(20_000, Math.max(2_000, rnd.lognormal(6_000, 0.5))))
              : rnd.int(3_000, 8_000),
            lineCount: rnd.int(1, 2),
            coupons: [o === 1 ? 'NEWUSER' : 'SAVE10'],
            addressIssues: [],
            pattern: 'coupon_hunting',
          },
          { returnRate: 0.02 },
        );
        t += rnd.uniform(10 * MIN, 2 * DAY);
      }
    }
  }

  // ---- stolen accounts: old shoppers with a history, taken over
  const victims = shoppers.slice(0, existing).filter((s) => from - s.createdAt > 180 * DAY);
  const attackerDevices = Array.from({ length: 25 }, () => id('atk'));
  const dropAddresses = Array.from({ length: 30 }, () => `cn|fj|xm|siming|${id('drop')}|`);
  for (let k = 0; k < sim.takeovers; k++) {
    const s = rnd.pick(victims);
    const at = from + rnd.uniform(2 * DAY, (sim.warmupDays + sim.labelledDays) * DAY - DAY);
    if (rnd.chance(0.6))
      events.push({
        type: 'LOGIN_ANOMALY',
        t: at - rnd.uniform(2 * MIN, 30 * MIN),
        accountId: s.id,
        eventId: id('la'),
      });
    // a stolen session keeps the victim's device id; others bring their own (some reused)
    const device = rnd.chance(0.2)
      ? s.devices[s.devices.length - 1]
      : rnd.chance(0.3)
        ? rnd.pick(attackerDevices)
        : id('atk');
    const ip = rnd.chance(0.3)
      ? rnd.pick(cgnat)
      : `185.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;
    // some ship to the victim's own address and take the parcel at the door
    const address = rnd.chance(0.15)
      ? s.addresses[0]
      : rnd.chance(0.2)
        ? rnd.pick(dropAddresses)
        : `cn|fj|xm|huli|${id('drop')}|`;
    let t = at;
    for (let o = rnd.int(1, 3); o > 0 && t < end; o--) {
      order(
        {
          t,
          accountId: s.id,
          accountCreatedAt: s.createdAt,
          deviceId: device,
          ip,
          address,
          totalMinor: Math.min(2_000_000, Math.round(s.priceMinor * rnd.lognormal(4, 0.6))),
          lineCount: rnd.int(1, 2),
          coupons: [],
          addressIssues: [],
          pattern: 'stolen_account',
        },
        { returnRate: 0 },
      );
      t += rnd.uniform(5 * MIN, 90 * MIN);
    }
  }

  const kept = events.filter((e) => e.t < end);
  const made = new Map(kept.map((e, i) => [e, i]));
  kept.sort((a, b) => a.t - b.t || made.get(a)! - made.get(b)!);
  return { events: kept, labelledFrom, listed };
}
