import { createHash } from 'node:crypto';
import type { analyticsV1, EventType } from '@emporia/contracts';

/** The synthetic month's building blocks: PRNG, shop-local days, types of the ground truth. */

export const SHOP_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const MINUTE = 60_000;

/** A small, fast seeded PRNG (mulberry32). */
export class Prng {
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
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  uuid(): string {
    const h = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    h[12] = '4';
    h[16] = '89ab'[Math.floor(this.next() * 4)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: Date, timeZone = SHOP_TIME_ZONE): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, f);
  }
  return f.format(at);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function offsetMs(at: Date, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a local day starts in a time zone. */
export function startOfDay(day: string, timeZone = SHOP_TIME_ZONE): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  return new Date(guess - offsetMs(new Date(guess), timeZone));
}

/** Experiments: bucket = first 8 hex digits of sha256(key:unit) mod 10000, ranges by weight. */
export function assignVariant(
  key: string,
  variants: readonly { key: string; weight: number }[],
  unit: string,
): string {
  const bucket =
    parseInt(createHash('sha256').update(`${key}:${unit}`).digest('hex').slice(0, 8), 16) % 10000;
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let upper = 0;
  for (const v of variants) {
    upper += (v.weight / total) * 10000;
    if (bucket < upper) return v.key;
  }
  return variants[variants.length - 1].key;
}

export interface MonthSku {
  skuId: string;
  productId: string;
  priceMinor: number;
}
export interface MonthProduct {
  productId: string;
  categoryId: string;
  categoryPathIds: string[];
  skus: MonthSku[];
}
/** A stock snapshot (catalog's product event): every SKU's on-hand at `at`. */
export interface StockSnapshot {
  productId: string;
  at: Date;
  onHand: Record<string, number>;
  movement: { skuId: string; delta: number } | null;
}
export interface MonthLine {
  skuId: string;
  productId: string;
  quantity: number;
  unitPriceMinor: number;
}
export interface MonthOrder {
  orderId: string;
  accountId: string;
  channel: string;
  placedAt: Date;
  lines: MonthLine[];
  totalMinor: number;
  paidAt: Date | null;
  cancelledAt: Date | null;
  refunds: { refundId: string; at: Date; amountMinor: number; full: boolean }[];
}
export interface MonthExperiment {
  key: string;
  name: string;
  variants: { key: string; weight: number }[];
  startAt: Date;
  stopAt: Date;
  primaryMetric: 'paid_order' | 'checkout_started' | 'add_to_cart' | 'banner_click';
}
export interface MonthAccount {
  accountId: string;
  registeredAt: Date;
  deletedAt: Date | null;
}

/** What happened, as plain data: the calculator reads only this. */
export interface MonthTruth {
  now: Date;
  timeZone: string;
  currency: 'CNY';
  /** The 30 local days of the month, oldest first (today is not among them). */
  days: string[];
  products: MonthProduct[];
  stock: StockSnapshot[];
  accounts: MonthAccount[];
  orders: MonthOrder[];
  /** Every distinct behaviour event (duplicates are the publisher's business). */
  behaviour: analyticsV1.BehaviourEvent[];
  experiments: MonthExperiment[];
}

/** A domain event as the outbox relay would publish it. */
export interface MonthDomainEvent {
  topic: string;
  type: EventType;
  key: string;
  eventId: string;
  message: unknown;
  occurredAt: Date;
}

export interface MonthOptions {
  seed?: number;
  now: Date;
  visitors?: number;
  timeZone?: string;
}

export const CHANNELS = ['web', 'app', 'mini_program'] as const;
export const DEVICES = ['mobile', 'desktop', 'tablet', 'app'] as const;
export const UTMS = [
  { source: 'google', medium: 'cpc', campaign: 'winter-sale' },
  { source: 'wechat', medium: 'social', campaign: 'moments' },
  { source: 'newsletter', medium: 'email', campaign: 'weekly' },
  { source: 'baidu', medium: 'organic', campaign: '' },
  { source: 'douyin', medium: 'video', campaign: 'live-1111' },
] as const;
export const QUERIES = ['tea', 'green tea', 'mug', 'teapot', 'oolong', 'gift box', 'cups'];

/**
 * The experiments of the month: `checkout-cta` has a true effect (the treatment's visitors add
 * to cart more often); `header-aa` is an A/A test (both variants the same).
 */
function experiments(now: Date): MonthExperiment[] {
  const startAt = new Date(now.getTime() - 32 * DAY_MS);
  const stopAt = new Date(now.getTime() + DAY_MS);
  return [
    {
      key: 'checkout-cta',
      name: 'Bigger add-to-cart button',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ],
      startAt,
      stopAt,
      primaryMetric: 'add_to_cart',
    },
    {
      key: 'header-aa',
      name: 'A/A: the same header twice',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
      startAt,
      stopAt,
      primaryMetric: 'checkout_started',
    },
  ];
}

export const monthExperiments = experiments;
export { DAY_MS, MINUTE };
