/**
 * Money as integer minor units of an ISO 4217 currency. Pure TypeScript: no I/O, no framework,
 * so every service's domain layer may use it. Amounts are JavaScript integers kept inside
 * ±MAX_MINOR so arithmetic never loses precision; floats are rejected at the door.
 */

export type MoneyErrorCode =
  'MONEY_INVALID_AMOUNT' | 'MONEY_INVALID_CURRENCY' | 'MONEY_CURRENCY_MISMATCH' | 'MONEY_OVERFLOW';

export class MoneyError extends Error {
  readonly kind = 'INVALID_ARGUMENT' as const;
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

/** Largest magnitude accepted: 10^15 minor units (10 trillion in a 2-decimal currency). */
export const MAX_MINOR = 1_000_000_000_000_000;

/** ISO 4217 minor-unit exponents that differ from 2, plus the common 2-decimal ones we list. */
const EXPONENTS: Record<string, number> = {
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

const CURRENCY_RE = /^[A-Z]{3}$/;

export function isCurrencyCode(value: string): boolean {
  return CURRENCY_RE.test(value);
}

/** Number of decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise). */
export function minorUnitExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

function checkAmount(amount: number, what = 'amount'): void {
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw new MoneyError(
      'MONEY_INVALID_AMOUNT',
      `${what} must be an integer number of minor units, got ${String(amount)}`,
    );
  }
  if (Math.abs(amount) > MAX_MINOR) {
    throw new MoneyError(
      'MONEY_OVERFLOW',
      `${what} ${amount} exceeds the supported magnitude ${MAX_MINOR}`,
    );
  }
}

export class Money {
  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static of(amountMinor: number, currency: string): Money {
    if (typeof currency !== 'string' || !isCurrencyCode(currency)) {
      throw new MoneyError(
        'MONEY_INVALID_CURRENCY',
        `currency must be an ISO 4217 code such as CNY, got '${String(currency)}'`,
      );
    }
    checkAmount(amountMinor);
    return new Money(amountMinor === 0 ? 0 : amountMinor, currency);
  }

  static zero(currency: string): Money {
    return Money.of(0, currency);
  }

  /** Sum of a non-empty list, or zero of `currency` for an empty one. */
  static sum(items: readonly Money[], currency: string): Money {
    return items.reduce((acc, m) => acc.add(m), Money.zero(currency));
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.of(this.amountMinor + other.amountMinor, this.currency);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.of(this.amountMinor - other.amountMinor, this.currency);
  }

  /** Multiplies by an integer quantity. */
  times(quantity: number): Money {
    checkAmount(quantity, 'quantity');
    return Money.of(this.amountMinor * quantity, this.currency);
  }

  negate(): Money {
    return Money.of(-this.amountMinor, this.currency);
  }

  isZero(): boolean {
    return this.amountMinor === 0;
  }

  isNegative(): boolean {
    return this.amountMinor < 0;
  }

  isPositive(): boolean {
    return this.amountMinor > 0;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.amountMinor < other.amountMinor ? -1 : this.amountMinor > other.amountMinor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amountMinor === other.amountMinor;
  }

  min(other: Money): Money {
    return this.compare(other) <= 0 ? this : other;
  }

  max(other: Money): Money {
    return this.compare(other) >= 0 ? this : other;
  }

  /**
   * Splits this amount in proportion to non-negative integer weights with the largest-remainder
   * method: the parts always sum to exactly this amount, and ties go to the earlier weight, so
   * the result is deterministic. All-zero weights split evenly.
   */
  allocate(weights: readonly number[]): Money[] {
    if (weights.length === 0) {
      throw new MoneyError('MONEY_INVALID_AMOUNT', 'allocate needs at least one weight');
    }
    for (const w of weights) {
      checkAmount(w, 'weight');
      if (w < 0)
        throw new MoneyError('MONEY_INVALID_AMOUNT', `weights must not be negative, got ${w}`);
    }
    const effective = weights.every((w) => w === 0) ? weights.map(() => 1) : weights;
    const total = effective.reduce((a, b) => a + b, 0);
    const sign = this.amountMinor < 0 ? -1 : 1;
    const amount = Math.abs(this.amountMinor);
    // BigInt keeps amount * weight exact beyond 2^53.
    const shares = effective.map((w, index) => {
      const product = BigInt(amount) * BigInt(w);
      return {
        index,
        floor: Number(product / BigInt(total)),
        remainder: Number(product % BigInt(total)),
      };
    });
    let left = amount - shares.reduce((a, s) => a + s.floor, 0);
    const order = [...shares].sort((a, b) => b.remainder - a.remainder || a.index - b.index);
    const parts = shares.map((s) => s.floor);
    for (const s of order) {
      if (left === 0) break;
      parts[s.index] += 1;
      left -= 1;
    }
    return parts.map((p) => Money.of(sign * p, this.currency));
  }

  /** Decimal string in major units, e.g. "12.34" for 1234 CNY, "1500" for 1500 JPY. */
  toDecimalString(): string {
    const exp = minorUnitExponent(this.currency);
    const abs = Math.abs(this.amountMinor)
      .toString()
      .padStart(exp + 1, '0');
    const sign = this.amountMinor < 0 ? '-' : '';
    if (exp === 0) return `${sign}${abs}`;
    return `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)}`;
  }

  toJSON(): { amountMinor: number; currency: string } {
    return { amountMinor: this.amountMinor, currency: this.currency };
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new MoneyError(
        'MONEY_CURRENCY_MISMATCH',
        `cannot combine ${this.currency} with ${other.currency}`,
      );
    }
  }
}
