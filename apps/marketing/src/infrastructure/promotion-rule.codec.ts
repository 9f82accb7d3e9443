import { Money } from '@emporia/money';
import type { Action, Condition, Scope } from '../domain/promotion-engine';

/** The stored form of a promotion's rule: money as {amountMinor, currency}, dates as ISO. */
export interface StoredRule {
  scope: Scope;
  conditions: unknown[];
  action: unknown;
}

type Json = { amountMinor: number; currency: string };
const m = (j: Json): Money => Money.of(Number(j.amountMinor), j.currency);

export const ruleToJson = (r: { scope: Scope; conditions: Condition[]; action: Action }) =>
  JSON.stringify({ scope: r.scope, conditions: r.conditions, action: r.action });

export function conditionsFromJson(raw: unknown[]): Condition[] {
  return raw.map((c) => {
    const x = c as Record<string, unknown> & { kind: Condition['kind'] };
    switch (x.kind) {
      case 'MIN_SUBTOTAL':
        return { kind: x.kind, amount: m(x.amount as Json) };
      case 'DATE_WINDOW':
        return { kind: x.kind, from: new Date(x.from as string), to: new Date(x.to as string) };
      default:
        return x as Condition;
    }
  });
}

export function actionFromJson(raw: unknown): Action {
  const a = raw as Record<string, unknown> & { kind: Action['kind'] };
  const opt = (v: unknown) => (v ? m(v as Json) : undefined);
  switch (a.kind) {
    case 'AMOUNT_OFF':
      return { kind: a.kind, amount: m(a.amount as Json) };
    case 'PERCENT_OFF':
      return { kind: a.kind, basisPoints: Number(a.basisPoints), cap: opt(a.cap) };
    case 'TIERED_REDUCTION':
      return {
        kind: a.kind,
        tiers: (a.tiers as { threshold: Json; off: Json }[]).map((t) => ({
          threshold: m(t.threshold),
          off: m(t.off),
        })),
      };
    case 'EVERY_REDUCTION':
      return { kind: a.kind, every: m(a.every as Json), off: m(a.off as Json), cap: opt(a.cap) };
    case 'MEMBER_PRICE':
      return { kind: a.kind, unitPrice: m(a.unitPrice as Json) };
    default:
      return a as Action;
  }
}
