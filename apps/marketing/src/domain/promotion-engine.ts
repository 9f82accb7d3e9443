import { Money } from '@emporia/money';
import { MarketingError } from './marketing-error';

/**
 * The promotion engine: pure, deterministic, integer minor units. Given a cart and the
 * promotions in force it decides which apply (conditions, priority, exclusivity), computes each
 * discount (never more than what is left to pay), allocates every discount to the lines it
 * came from exactly (largest remainder, so shares sum to the discount and partial refunds can
 * use them), and explains each step.
 */

export interface CartLine {
  skuId: string;
  productId: string;
  categoryPathIds: string[];
  quantity: number;
  unitPrice: Money;
}

export interface PricingContext {
  memberTier: string;
  firstOrder: boolean;
  channel: string;
  couponCodes: string[];
  now: Date;
  /** Shipping before promotions. */
  shipping: Money;
}

export type Condition =
  | { kind: 'MIN_SUBTOTAL'; amount: Money }
  | { kind: 'MEMBER_TIER'; tiers: string[] }
  | { kind: 'FIRST_ORDER' }
  | { kind: 'DATE_WINDOW'; from: Date; to: Date }
  | { kind: 'CHANNEL'; channels: string[] }
  | { kind: 'COUPON'; code: string };

/** Which lines a promotion looks at: all, or those of some SKUs or categories. */
export type Scope =
  | { kind: 'CART' }
  | { kind: 'SKUS'; skuIds: string[] }
  | { kind: 'CATEGORIES'; categoryIds: string[] };

export type Action =
  | { kind: 'AMOUNT_OFF'; amount: Money }
  /** `percent` in basis points (1000 = 10%), optionally capped. */
  | { kind: 'PERCENT_OFF'; basisPoints: number; cap?: Money }
  /** 满减: the highest tier reached applies once (满300减50 / 满500减100). */
  | { kind: 'TIERED_REDUCTION'; tiers: { threshold: Money; off: Money }[] }
  /** 每满减: `off` for every full `every`, optionally capped. */
  | { kind: 'EVERY_REDUCTION'; every: Money; off: Money; cap?: Money }
  /** Buy X get Y: of every X+Y units in scope, the Y cheapest are free. */
  | { kind: 'BUY_X_GET_Y'; buy: number; free: number }
  | { kind: 'GIFT'; skuId: string; quantity: number }
  /** Member price: a lower unit price for the scoped SKUs. */
  | { kind: 'MEMBER_PRICE'; unitPrice: Money }
  | { kind: 'FREE_SHIPPING' };

export interface Promotion {
  id: string;
  name: string;
  /** Lower applies first. */
  priority: number;
  /** An exclusive promotion applies alone: first in order, nothing else; later, it is skipped. */
  exclusive: boolean;
  scope: Scope;
  conditions: Condition[];
  action: Action;
}

export interface PricedLine {
  skuId: string;
  quantity: number;
  unitPrice: Money;
  /** Every promotion's share of this line. */
  discount: Money;
  total: Money;
}

export interface Applied {
  promotionId: string;
  name: string;
  discount: Money;
  /** Human-readable, e.g. "满300减50: −50.00 CNY". */
  explanation: string;
}

export interface PricingResult {
  lines: PricedLine[];
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
  applied: Applied[];
  gifts: { skuId: string; quantity: number; promotionId: string }[];
  /** Coupons that applied (to reserve). */
  couponsUsed: string[];
}

const inScope = (scope: Scope, l: CartLine) =>
  scope.kind === 'CART' ||
  (scope.kind === 'SKUS' && scope.skuIds.includes(l.skuId)) ||
  (scope.kind === 'CATEGORIES' && l.categoryPathIds.some((c) => scope.categoryIds.includes(c)));

/** Validates a promotion definition (done when it is saved, so pricing never meets a bad one). */
export function validatePromotion(p: Promotion): Promotion {
  const bad = (message: string) =>
    new MarketingError('INVALID_ARGUMENT', 'PROMOTION_INVALID', `${p.id}: ${message}`);
  const a = p.action;
  if (!Number.isInteger(p.priority)) throw bad('priority is a whole number');
  if (
    a.kind === 'PERCENT_OFF' &&
    (!Number.isInteger(a.basisPoints) || a.basisPoints <= 0 || a.basisPoints > 10_000)
  )
    throw bad('a percentage is 1 to 10000 basis points');
  if (a.kind === 'TIERED_REDUCTION') {
    if (a.tiers.length === 0) throw bad('a tiered reduction has tiers');
    for (const t of a.tiers)
      if (t.off.isNegative() || t.off.isZero() || t.off.compare(t.threshold) > 0)
        throw bad('each tier takes off more than nothing and at most its threshold');
  }
  if (
    a.kind === 'EVERY_REDUCTION' &&
    (a.every.isZero() || a.every.isNegative() || a.off.isNegative() || a.off.compare(a.every) > 0)
  )
    throw bad('an every-reduction takes at most `every` off each `every`');
  if (
    a.kind === 'BUY_X_GET_Y' &&
    (!Number.isInteger(a.buy) || !Number.isInteger(a.free) || a.buy < 1 || a.free < 1)
  )
    throw bad('buy and free are whole numbers from 1');
  if (a.kind === 'GIFT' && (!Number.isInteger(a.quantity) || a.quantity < 1))
    throw bad('a gift has a quantity');
  if (a.kind === 'AMOUNT_OFF' && (a.amount.isNegative() || a.amount.isZero()))
    throw bad('an amount off is positive');
  for (const c of p.conditions)
    if (c.kind === 'DATE_WINDOW' && c.from.getTime() >= c.to.getTime())
      throw bad('a date window ends after it starts');
  return p;
}

/** Whether the promotion's conditions hold for the scoped lines' current amounts. */
function eligible(
  p: Promotion,
  ctx: PricingContext,
  scopedTotal: Money,
  hasLines: boolean,
): boolean {
  if (!hasLines && p.action.kind !== 'FREE_SHIPPING' && p.action.kind !== 'GIFT') return false;
  return p.conditions.every((c) => {
    switch (c.kind) {
      case 'MIN_SUBTOTAL':
        return scopedTotal.compare(c.amount) >= 0;
      case 'MEMBER_TIER':
        return c.tiers.includes(ctx.memberTier);
      case 'FIRST_ORDER':
        return ctx.firstOrder;
      case 'DATE_WINDOW':
        return ctx.now.getTime() >= c.from.getTime() && ctx.now.getTime() < c.to.getTime();
      case 'CHANNEL':
        return c.channels.includes(ctx.channel);
      case 'COUPON':
        return ctx.couponCodes.includes(c.code);
    }
  });
}

const fmt = (m: Money) => `${m.toDecimalString()} ${m.currency}`;

/** Prices a cart: promotions in priority order (then id), each on what is left to pay. */
export function priceCart(
  lines: readonly CartLine[],
  promotions: readonly Promotion[],
  ctx: PricingContext,
): PricingResult {
  if (lines.length === 0)
    throw new MarketingError('INVALID_ARGUMENT', 'CART_EMPTY', 'the cart is empty');
  const currency = lines[0].unitPrice.currency;
  if (lines.some((l) => l.unitPrice.currency !== currency))
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'CART_MIXED_CURRENCY',
      'a cart is priced in one currency',
    );
  const gross = lines.map((l) => l.unitPrice.times(l.quantity));
  // what is still to pay per line, after the promotions applied so far
  const left = [...gross];
  const discounts = lines.map(() => Money.zero(currency));
  const applied: Applied[] = [];
  const gifts: PricingResult['gifts'] = [];
  const couponsUsed: string[] = [];
  let shipping = ctx.shipping;
  let exclusiveTaken = false;

  const ordered = [...promotions].sort(
    (a, b) => a.priority - b.priority || a.id.localeCompare(b.id),
  );
  for (const p of ordered) {
    if (exclusiveTaken) break;
    if (p.exclusive && applied.length > 0) continue;
    const idx = lines.map((_, i) => i).filter((i) => inScope(p.scope, lines[i]));
    const scopedTotal = Money.sum(
      idx.map((i) => left[i]),
      currency,
    );
    if (!eligible(p, ctx, scopedTotal, idx.length > 0)) continue;

    const a = p.action;
    if (a.kind === 'GIFT' || a.kind === 'FREE_SHIPPING') {
      if (a.kind === 'GIFT') {
        gifts.push({ skuId: a.skuId, quantity: a.quantity, promotionId: p.id });
        applied.push({
          promotionId: p.id,
          name: p.name,
          discount: Money.zero(currency),
          explanation: `${p.name}: gift ${a.quantity} × ${a.skuId}`,
        });
      } else if (!shipping.isZero()) {
        applied.push({
          promotionId: p.id,
          name: p.name,
          discount: shipping,
          explanation: `${p.name}: shipping −${fmt(shipping)}`,
        });
        shipping = Money.zero(currency);
      } else continue;
      noteCoupons(p, couponsUsed);
      if (p.exclusive) exclusiveTaken = true;
      continue;
    }
    const shares = lineShares(a, idx, lines, left, scopedTotal, currency);
    const taken = Money.sum(shares, currency);
    if (!taken.isPositive()) continue;
    idx.forEach((i, k) => {
      left[i] = left[i].subtract(shares[k]);
      discounts[i] = discounts[i].add(shares[k]);
    });
    applied.push({
      promotionId: p.id,
      name: p.name,
      discount: taken,
      explanation: `${p.name}: −${fmt(taken)}`,
    });
    noteCoupons(p, couponsUsed);
    if (p.exclusive) exclusiveTaken = true;
  }

  const priced = lines.map((l, i) => ({
    skuId: l.skuId,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    discount: discounts[i],
    total: left[i],
  }));
  const subtotal = Money.sum(gross, currency);
  const discount = Money.sum(discounts, currency);
  return {
    lines: priced,
    subtotal,
    discount,
    shipping,
    total: subtotal.subtract(discount).add(shipping),
    applied,
    gifts,
    couponsUsed,
  };
}

function noteCoupons(p: Promotion, used: string[]): void {
  for (const c of p.conditions)
    if (c.kind === 'COUPON' && !used.includes(c.code)) used.push(c.code);
}

/**
 * Spreads `off` over lines in proportion to `weights` (largest remainder), never giving a line
 * more than it has left: an excess moves to the next lines with room, in order. The shares sum
 * to `off` whenever `off` is at most the sum of the caps.
 */
export function spread(off: Money, weights: readonly number[], caps: readonly Money[]): Money[] {
  const shares = weights.some((w) => w > 0)
    ? off.allocate(weights)
    : off.allocate(weights.map(() => 1));
  let excess = Money.zero(off.currency);
  const out = shares.map((s, k) => {
    if (s.compare(caps[k]) > 0) {
      excess = excess.add(s.subtract(caps[k]));
      return caps[k];
    }
    return s;
  });
  for (let k = 0; k < out.length && excess.isPositive(); k++) {
    const room = caps[k].subtract(out[k]);
    const add = room.min(excess);
    out[k] = out[k].add(add);
    excess = excess.subtract(add);
  }
  return out;
}

/** Each scoped line's share of one action's discount, never more than the line has left. */
function lineShares(
  a: Exclude<Action, { kind: 'GIFT' } | { kind: 'FREE_SHIPPING' }>,
  idx: number[],
  lines: readonly CartLine[],
  left: readonly Money[],
  scopedTotal: Money,
  currency: string,
): Money[] {
  const caps = idx.map((i) => left[i]);
  const byAmount = (off: Money) =>
    spread(
      off.min(scopedTotal),
      caps.map((c) => c.amountMinor),
      caps,
    );
  switch (a.kind) {
    case 'AMOUNT_OFF':
      return byAmount(a.amount);
    case 'PERCENT_OFF': {
      const off = Money.of(
        Math.floor((scopedTotal.amountMinor * a.basisPoints) / 10_000),
        currency,
      );
      return byAmount(a.cap ? off.min(a.cap) : off);
    }
    case 'TIERED_REDUCTION': {
      const reached = [...a.tiers]
        .filter((t) => scopedTotal.compare(t.threshold) >= 0)
        .sort((x, y) => y.threshold.amountMinor - x.threshold.amountMinor)[0];
      return byAmount(reached ? reached.off : Money.zero(currency));
    }
    case 'EVERY_REDUCTION': {
      const off = a.off.times(Math.floor(scopedTotal.amountMinor / a.every.amountMinor));
      return byAmount(a.cap ? off.min(a.cap) : off);
    }
    case 'BUY_X_GET_Y': {
      // each unit at its share of what its line has left; of every buy+free units, the cheapest
      // `free` cost nothing
      const unitShares = idx.map((i) =>
        left[i].allocate(Array.from({ length: lines[i].quantity }, () => 1)),
      );
      const units = idx
        .flatMap((_, k) => unitShares[k].map((m, u) => ({ k, u, m })))
        .sort((x, y) => x.m.amountMinor - y.m.amountMinor || x.k - y.k || x.u - y.u);
      const free = units.slice(0, Math.floor(units.length / (a.buy + a.free)) * a.free);
      return idx.map((_, k) =>
        Money.sum(
          free.filter((f) => f.k === k).map((f) => f.m),
          currency,
        ),
      );
    }
    case 'MEMBER_PRICE':
      return idx.map((i, k) => {
        const diff = lines[i].unitPrice.subtract(a.unitPrice);
        return diff.isPositive()
          ? diff.times(lines[i].quantity).min(caps[k])
          : Money.zero(currency);
      });
  }
}
