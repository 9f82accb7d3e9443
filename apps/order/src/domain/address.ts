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

/** Every required field present and bounded, the country ISO 3166-1 alpha-2. */
export function shippingAddressFields(
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

/**
 * A checkout's shipping address: its fields, and deliverable (libs/domain `checkAddress`: a
 * Chinese province, city and district that go together, a district where the city has them, a
 * detail line that is not a placeholder or repeated text, a real phone number). Refused otherwise
 * with `ADDRESS_INVALID` naming the field (`address.district`) and the reason
 * (`DISTRICT_NOT_IN_CITY`). Chinese names are snapshotted as the national divisions spell them,
 * with their GB/T 2260 codes; what is doubtful (DETAIL_VAGUE, PHONE_OTHER_COUNTRY, …) is not
 * refused but returned for risk (ADDRESS_QUALITY rules). One check for both.
 */
export function checkShippingAddress(
  input: Partial<Record<keyof ShippingAddress, unknown>> | undefined,
): { address: ShippingAddress; doubts: string[] } {
  const { address, errors, doubts } = checkAddress(shippingAddressFields(input));
  const [first] = errors;
  if (first)
    throw new OrderError(
      'INVALID_ARGUMENT',
      'ADDRESS_INVALID',
      `address ${first.field}: ${first.message}`,
      { field: `address.${first.field}`, reason: first.code },
    );
  return { address, doubts: doubts.map((d) => d.code) };
}

/**
 * An imported order's address (sold and paid on another marketplace): its fields are checked,
 * but it is never refused for its quality — the order exists and an earlier import of it must
 * still be found. Names and codes are the divisions' when the whole address resolves.
 */
export function importedShippingAddress(
  input: Partial<Record<keyof ShippingAddress, unknown>> | undefined,
): ShippingAddress {
  const fields = shippingAddressFields(input);
  const { address, errors } = checkAddress(fields);
  return errors.length === 0 ? address : fields;
}
