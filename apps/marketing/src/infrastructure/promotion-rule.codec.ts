import { Money } from '@emporia/money';
import { z } from 'zod';
import type { Action, Condition, Scope } from '../domain/promotion-engine';

/**
 * The stored form of a promotion's rule (`promotions.rule`, jsonb): the engine's scope,
 * conditions and action as `JSON.stringify` writes them - money as {amountMinor, currency},
 * dates as ISO strings. Reading it back parses it against this schema, so a stored rule that
 * is not one the engine knows fails with the promotion's id and what is wrong, instead of
 * reaching the engine half-decoded.
 */

/** Minor units: a number (as written), or a string of digits (as older rows may hold). */
const minor = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/, 'an integer')
    .transform(Number),
]);

const money = z.object({ amountMinor: minor, currency: z.string() }).transform((j, ctx): Money => {
  try {
    return Money.of(j.amountMinor, j.currency);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: e instanceof Error ? e.message : `${e}` });
    return z.NEVER;
  }
});

/** An optional cap: absent or null is no cap. */
const cap = money.nullish().transform((v) => v ?? undefined);

const date = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date')
  .transform((s) => new Date(s));

const scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('CART') }),
  z.object({ kind: z.literal('SKUS'), skuIds: z.array(z.string()) }),
  z.object({ kind: z.literal('CATEGORIES'), categoryIds: z.array(z.string()) }),
]) satisfies z.ZodType<Scope, unknown>;

const condition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('MIN_SUBTOTAL'), amount: money }),
  z.object({ kind: z.literal('MEMBER_TIER'), tiers: z.array(z.string()) }),
  z.object({ kind: z.literal('FIRST_ORDER') }),
  z.object({ kind: z.literal('DATE_WINDOW'), from: date, to: date }),
  z.object({ kind: z.literal('CHANNEL'), channels: z.array(z.string()) }),
  z.object({ kind: z.literal('COUPON'), code: z.string() }),
]) satisfies z.ZodType<Condition, unknown>;

const action = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('AMOUNT_OFF'), amount: money }),
  z.object({ kind: z.literal('PERCENT_OFF'), basisPoints: minor, cap }),
  z.object({
    kind: z.literal('TIERED_REDUCTION'),
    tiers: z.array(z.object({ threshold: money, off: money })),
  }),
  z.object({ kind: z.literal('EVERY_REDUCTION'), every: money, off: money, cap }),
  z.object({ kind: z.literal('BUY_X_GET_Y'), buy: z.number().int(), free: z.number().int() }),
  z.object({ kind: z.literal('GIFT'), skuId: z.string(), quantity: z.number().int() }),
  z.object({ kind: z.literal('MEMBER_PRICE'), unitPrice: money }),
  z.object({ kind: z.literal('FREE_SHIPPING') }),
]) satisfies z.ZodType<Action, unknown>;

const storedRule = z.object({ scope, conditions: z.array(condition), action });

export interface PromotionRule {
  scope: Scope;
  conditions: Condition[];
  action: Action;
}

export const ruleToJson = (r: PromotionRule): string =>
  JSON.stringify({ scope: r.scope, conditions: r.conditions, action: r.action });

/** Decodes a stored rule; throws naming the promotion and the malformed parts. */
export function ruleFromJson(promotionId: string, raw: unknown): PromotionRule {
  const parsed = storedRule.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(rule)'}: ${i.message}`)
    .join('; ');
  throw new Error(`promotion ${promotionId} has a malformed stored rule: ${problems}`);
}
