import { checkAddress } from '@emporia/domain';
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

/**
 * A shipping address as snapshotted on an order: every required field present and bounded, and
 * deliverable (libs/domain `checkAddress`: a Chinese province, city and district that go
 * together, a district where the city has them, a detail line that is not a placeholder or
 * repeated text, a real phone number). Refused otherwise with `ADDRESS_INVALID` naming the field
 * (`address.district`) and the reason (`DISTRICT_NOT_IN_CITY`). Chinese names are snapshotted as
 * the national divisions spell them, with their GB/T 2260 codes.
 */
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
  const { address, errors } = checkAddress(out);
  const [first] = errors;
  if (first)
    throw new OrderError(
      'INVALID_ARGUMENT',
      'ADDRESS_INVALID',
      `address ${first.field}: ${first.message}`,
      { field: `address.${first.field}`, reason: first.code },
    );
  return address;
}

/**
 * What is doubtful about a snapshotted address (DETAIL_VAGUE, PHONE_OTHER_COUNTRY, …): not
 * refused, sent to risk with the order (ADDRESS_QUALITY rules).
 */
export const addressDoubts = (a: ShippingAddress): string[] =>
  checkAddress(a).doubts.map((d) => d.code);
