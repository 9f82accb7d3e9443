import type { Money } from '@emporia/money';
import { OrderError } from './order-error';

/**
 * The large-order step-up rule of checkout: goods of a large value shipped to an address the
 * account did not have a while ago — typed in at checkout, or an address-book entry added moments
 * ago — need a second factor proved in the calling session within a few minutes (the access
 * token's `mfa_at`, which the gateway passes as `second_factor_at`). A taken-over account can then
 * not ship expensive goods to the taker's address with the password alone.
 */
export interface StepUpPolicy {
  /**
   * Goods worth at least this much (minor units of the cart's currency, at catalog prices) are a
   * large order; 0 turns the rule off (`ORDER_STEP_UP_MIN_TOTAL`).
   */
  minTotalMinor: number;
  /** An address-book entry younger than this is a new address (`ORDER_STEP_UP_NEW_ADDRESS_MINUTES`). */
  newAddressMs: number;
  /** A second factor proved less than this long ago counts (`ORDER_STEP_UP_WINDOW_MINUTES`). */
  windowMs: number;
}

/** ¥5,000.00; an address saved within 30 minutes; a step-up within 5 minutes. */
export const DEFAULT_STEP_UP_POLICY: StepUpPolicy = {
  minTotalMinor: 500_000,
  newAddressMs: 30 * 60_000,
  windowMs: 5 * 60_000,
};

/**
 * A `second_factor_at` up to this far ahead of the order service's clock (the user service's
 * clock ahead) counts as now; further ahead it is no proof.
 */
export const SECOND_FACTOR_CLOCK_SKEW_MS = 60_000;

/** Where a checkout's shipping address came from. */
export type AddressSource =
  /** Typed in at checkout (`address`). */
  | { kind: 'TYPED' }
  /** An entry of the account's address book (`address_id`), saved at `createdAt` (null: unknown). */
  | { kind: 'BOOK'; createdAt: Date | null };

/**
 * Whether the address is new to the account: typed in, or saved less than `newAddressMs` ago
 * (exactly `newAddressMs` ago is no longer new). An entry whose age is unknown counts as new.
 */
export function isNewAddress(source: AddressSource, now: Date, policy: StepUpPolicy): boolean {
  if (source.kind === 'TYPED' || !source.createdAt) return true;
  return now.getTime() - source.createdAt.getTime() < policy.newAddressMs;
}

/**
 * Whether a second factor proved at `at` still counts at `now`: less than `windowMs` ago (exactly
 * `windowMs` ago no longer does), and not further in the future than the clock skew allowed.
 */
export function isRecentSecondFactor(at: Date | null, now: Date, policy: StepUpPolicy): boolean {
  if (!at) return false;
  const age = now.getTime() - at.getTime();
  return age >= -SECOND_FACTOR_CLOCK_SKEW_MS && age < policy.windowMs;
}

/** Whether goods of `value` are a large order: at least `minTotalMinor` (the rule on). */
export function isLargeOrder(value: Money, policy: StepUpPolicy): boolean {
  return policy.minTotalMinor > 0 && value.amountMinor >= policy.minTotalMinor;
}

export interface StepUpCheck {
  /** The goods' value: the cart's lines at catalog prices (before promotions and shipping). */
  value: Money;
  address: AddressSource;
  /** When the calling session last proved a second factor; null: never (or not said). */
  secondFactorAt: Date | null;
  now: Date;
}

/** Whether this checkout needs a recent step-up it does not have. */
export function stepUpRequired(check: StepUpCheck, policy: StepUpPolicy): boolean {
  return (
    isLargeOrder(check.value, policy) &&
    isNewAddress(check.address, check.now, policy) &&
    !isRecentSecondFactor(check.secondFactorAt, check.now, policy)
  );
}

/**
 * Throws FAILED_PRECONDITION STEP_UP_REQUIRED when the checkout needs a recent step-up it does
 * not have. A refusal a retry may pass: once the caller steps up, the same request (with the same
 * checkout key) runs again.
 */
export function assertStepUp(check: StepUpCheck, policy: StepUpPolicy): void {
  if (!stepUpRequired(check, policy)) return;
  const minutes = Math.round(policy.windowMs / 60_000);
  throw new OrderError(
    'FAILED_PRECONDITION',
    'STEP_UP_REQUIRED',
    `an order of this value to ${check.address.kind === 'TYPED' ? 'an address typed in at checkout' : 'an address added moments ago'} needs a second factor proved within the last ${minutes} minutes`,
  );
}

/** Refusals a retry of the same checkout may pass once the caller acts: not final. */
export const RETRYABLE_REFUSALS: ReadonlySet<string> = new Set(['STEP_UP_REQUIRED']);
