import { counter } from '@emporia/platform';
import type { Money } from '@emporia/money';
import type { RiskDecision } from '../domain/order';

/** `emporia_orders_placed_total`'s decisions: payable at once, or held for review first. */
export type PlacedDecision = 'accept' | 'review';

/** The decision an order placed with this risk verdict is counted under (REJECT places none). */
export function placedDecision(risk: Exclude<RiskDecision, 'REJECT'>): PlacedDecision {
  return risk === 'REVIEW' ? 'review' : 'accept';
}

const placed = counter(
  'emporia_orders_placed_total',
  'Orders placed by checkout, by risk decision (accept: payable at once; review: held for review first); counted once per order, after the transaction that placed it committed',
  ['decision'],
);
const paid = counter(
  'emporia_orders_paid_total',
  'Orders paid (a payment callback moved them to PAID), counted once per order, after the transaction that paid it committed',
);
const gmv = counter(
  'emporia_gmv_minor_units_total',
  'Gross merchandise value: the totals of paid orders, in minor units of their currency (counted with emporia_orders_paid_total)',
  ['currency'],
);

/** Children bound once: counting an order costs no label lookup. */
const placedBy: Record<Exclude<RiskDecision, 'REJECT'>, { inc(): void }> = {
  ALLOW: placed.labels(placedDecision('ALLOW')),
  REVIEW: placed.labels(placedDecision('REVIEW')),
};
const gmvBy = new Map<string, { inc(v: number): void }>();

/** Counts an order whose placing committed (once: a replayed checkout places nothing). */
export function countOrderPlaced(risk: Exclude<RiskDecision, 'REJECT'>): void {
  placedBy[risk].inc();
}

/** Counts an order whose payment committed, and its total in GMV (once per order). */
export function countOrderPaid(total: Money): void {
  paid.inc();
  let child = gmvBy.get(total.currency);
  if (!child) gmvBy.set(total.currency, (child = gmv.labels(total.currency)));
  child.inc(total.amountMinor);
}
