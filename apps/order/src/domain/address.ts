import { OrderError } from './order-error';
import type { ShippingAddress } from './order';

const FIELDS: [keyof ShippingAddress, number, boolean][] = [
  ['recipient', 64, true],
  ['phone', 32, true],
  ['country', 2, true],
  ['province', 64, true],
  ['city', 64, true],
  ['district', 64, false],
  ['line1', 200, true],
  ['line2', 200, false],
  ['postalCode', 16, false],
];

/** A shipping address as snapshotted on an order: every required field present and bounded. */
export function validateShippingAddress(
  input: Partial<Record<keyof ShippingAddress, unknown>> | undefined,
): ShippingAddress {
  if (!input)
    throw new OrderError('INVALID_ARGUMENT', 'ADDRESS_REQUIRED', 'a shipping address is required');
  const out = {} as ShippingAddress;
  for (const [name, max, required] of FIELDS) {
    const v = typeof input[name] === 'string' ? (input[name] as string).trim() : '';
    if ((required && !v) || v.length > max)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'ADDRESS_INVALID',
        required && !v
          ? `address ${name} is required`
          : `address ${name} has at most ${max} characters`,
        { field: `address.${name}` },
      );
    out[name] = v;
  }
  out.country = out.country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(out.country))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'ADDRESS_INVALID',
      'address country is ISO 3166-1 alpha-2',
      {
        field: 'address.country',
      },
    );
  return out;
}
