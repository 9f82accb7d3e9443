import { CatalogError, invalid } from './catalog-error';
import type { Product } from './product';

/** When a product goes on sale and off sale by itself (each time cleared once acted on). */
export interface ListingSchedule {
  publishAt: Date | null;
  unpublishAt: Date | null;
}

/** RFC 3339 date-time with an explicit offset (`Z` or ±hh:mm): a time zone is never guessed. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses one schedule time; empty is "none". Anything else than RFC 3339 with an offset is SCHEDULE_INVALID. */
export function parseScheduleTime(
  field: 'publish_at' | 'unpublish_at',
  value: string,
): Date | null {
  const v = (value ?? '').trim();
  if (!v) return null;
  const m = RFC3339.exec(v);
  const at = m ? new Date(v) : null;
  // Date accepts 2026-02-30 (it rolls over): the calendar fields must survive the round trip
  const valid =
    m &&
    at &&
    !Number.isNaN(at.getTime()) &&
    Number(m[2]) >= 1 &&
    Number(m[2]) <= 12 &&
    Number(m[3]) >= 1 &&
    Number(m[3]) <= new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate() &&
    Number(m[4]) <= 23 &&
    Number(m[5]) <= 59 &&
    Number(m[6]) <= 59;
  if (!valid)
    throw invalid(
      'SCHEDULE_INVALID',
      `${field} must be an RFC 3339 date-time with an offset (2026-12-03T09:00:00+08:00), got '${v}'`,
      { field },
    );
  return at;
}

const sameTime = (a: Date | null, b: Date | null) =>
  (a?.getTime() ?? null) === (b?.getTime() ?? null);

const notAllowed = (message: string, details: Record<string, unknown>) =>
  new CatalogError('FAILED_PRECONDITION', 'SCHEDULE_NOT_ALLOWED', message, details);

/**
 * Checks a new schedule for a product (it replaces both times; null clears):
 * - unpublish_at after publish_at when both are set (SCHEDULE_INVALID);
 * - a time that changes must be in the future (SCHEDULE_INVALID): a past time would act at once;
 * - an ARCHIVED product takes no schedule, and only a DRAFT product can be scheduled to publish
 *   (SCHEDULE_NOT_ALLOWED): the sweep publishes DRAFT products only. Clearing is always allowed.
 */
export function validateSchedule(
  product: Product,
  next: ListingSchedule,
  now: Date,
): ListingSchedule {
  if (next.publishAt && next.unpublishAt && next.unpublishAt.getTime() <= next.publishAt.getTime())
    throw invalid('SCHEDULE_INVALID', 'unpublish_at must be after publish_at', {
      field: 'unpublish_at',
    });
  for (const [field, at, was] of [
    ['publish_at', next.publishAt, product.publishAt],
    ['unpublish_at', next.unpublishAt, product.unpublishAt],
  ] as const)
    if (at && !sameTime(at, was) && at.getTime() <= now.getTime())
      throw invalid('SCHEDULE_INVALID', `${field} must be in the future`, { field });
  const setsSomething = next.publishAt !== null || next.unpublishAt !== null;
  if (product.status === 'ARCHIVED' && setsSomething)
    throw notAllowed(`product ${product.id} is ARCHIVED: it cannot be scheduled`, {
      id: product.id,
      status: product.status,
    });
  if (next.publishAt && product.status !== 'DRAFT' && !sameTime(next.publishAt, product.publishAt))
    throw notAllowed(
      `product ${product.id} is ${product.status}: only a DRAFT product can be scheduled to publish`,
      {
        id: product.id,
        status: product.status,
      },
    );
  return next;
}

/**
 * What the listing sweep does with a product one of whose times is due:
 * - `publish`: a DRAFT product whose publish_at has come becomes ACTIVE, publish_at cleared;
 * - `unpublish`: an ACTIVE product whose unpublish_at has come becomes ARCHIVED, unpublish_at cleared;
 * - `clear`: the time came but the product is no longer in the state it was set for (published
 *   or archived by hand meanwhile): the time is cleared, the status left alone;
 * - `none`: nothing is due (another replica acted first).
 * publish_at comes first: it is always before unpublish_at, so a sweep that was down for both
 * publishes, then unpublishes on its next claim.
 */
export type ListingAction =
  | { kind: 'publish' }
  | { kind: 'unpublish' }
  | { kind: 'clear'; field: 'publish_at' | 'unpublish_at' }
  | { kind: 'none' };

const due = (at: Date | null, now: Date) => at !== null && at.getTime() <= now.getTime();

export function dueListingAction(product: Product, now: Date): ListingAction {
  if (due(product.publishAt, now))
    return product.status === 'DRAFT'
      ? { kind: 'publish' }
      : { kind: 'clear', field: 'publish_at' };
  if (due(product.unpublishAt, now))
    return product.status === 'ACTIVE'
      ? { kind: 'unpublish' }
      : { kind: 'clear', field: 'unpublish_at' };
  return { kind: 'none' };
}
