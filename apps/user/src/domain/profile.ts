import { checkAddress } from '@emporia/domain';
import { normalisePhone } from './account';
import { UserError } from './user-error';

const invalid = (code: string, message: string, field?: string) =>
  new UserError('INVALID_ARGUMENT', code, message, field ? { field } : undefined);

export interface Profile {
  displayName: string;
  /** YYYY-MM-DD or null. */
  birthday: string | null;
  avatarUrl: string | null;
  locale: string | null;
}

export const EMPTY_PROFILE: Profile = {
  displayName: '',
  birthday: null,
  avatarUrl: null,
  locale: null,
};

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Validates a whole profile; empty strings mean "not set". */
export function validateProfile(
  input: Partial<Record<keyof Profile, unknown>>,
  now: Date,
): Profile {
  const displayName = text(input.displayName);
  if (displayName.length > 64)
    throw invalid('PROFILE_INVALID', 'display_name has at most 64 characters', 'display_name');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(displayName))
    throw invalid('PROFILE_INVALID', 'display_name has control characters', 'display_name');
  const birthday = text(input.birthday) || null;
  if (birthday !== null) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthday);
    const d = m ? new Date(`${birthday}T00:00:00Z`) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== birthday)
      throw invalid('PROFILE_INVALID', 'birthday is a date YYYY-MM-DD', 'birthday');
    if (Number(m[1]) < 1900 || d.getTime() > now.getTime())
      throw invalid('PROFILE_INVALID', 'birthday is between 1900 and today', 'birthday');
  }
  const avatarUrl = text(input.avatarUrl) || null;
  if (avatarUrl !== null) {
    let ok = avatarUrl.length <= 500;
    try {
      ok = ok && new URL(avatarUrl).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok)
      throw invalid(
        'PROFILE_INVALID',
        'avatar_url is an https URL (500 characters at most)',
        'avatar_url',
      );
  }
  const locale = text(input.locale) || null;
  if (locale !== null && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(locale))
    throw invalid('PROFILE_INVALID', 'locale is a BCP 47 tag such as zh-CN', 'locale');
  return { displayName, birthday, avatarUrl, locale };
}

export const CONSENT_PURPOSES = [
  'MARKETING_EMAIL',
  'MARKETING_SMS',
  'PERSONALISATION',
  'ANALYTICS',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export interface Consent {
  purpose: ConsentPurpose;
  granted: boolean;
  updatedAt: Date | null;
}

/** Every purpose, not granted unless recorded: consent is opt-in. */
export function consentView(recorded: readonly Consent[]): Consent[] {
  return CONSENT_PURPOSES.map(
    (purpose) =>
      recorded.find((c) => c.purpose === purpose) ?? { purpose, granted: false, updatedAt: null },
  );
}

export function validateConsentChanges(
  changes: readonly { purpose: string; granted: boolean }[],
): { purpose: ConsentPurpose; granted: boolean }[] {
  const seen = new Set<string>();
  return changes.map((c) => {
    if (!(CONSENT_PURPOSES as readonly string[]).includes(c.purpose))
      throw invalid(
        'CONSENT_PURPOSE_UNKNOWN',
        `'${c.purpose}' is not a consent purpose; use one of ${CONSENT_PURPOSES.join(', ')}`,
        'purpose',
      );
    if (seen.has(c.purpose))
      throw invalid('CONSENT_PURPOSE_DUPLICATE', `${c.purpose} is listed twice`, 'purpose');
    seen.add(c.purpose);
    return { purpose: c.purpose as ConsentPurpose, granted: Boolean(c.granted) };
  });
}

export const MAX_ADDRESSES = 20;

export interface AddressFields {
  recipient: string;
  phone: string;
  country: string;
  province: string;
  city: string;
  district: string;
  line1: string;
  line2: string;
  postalCode: string;
  /** GB/T 2260 codes of a Chinese address, from the names (libs/domain checkAddress). */
  provinceCode: string;
  cityCode: string;
  districtCode: string;
}

export interface Address extends AddressFields {
  id: string;
  accountId: string;
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const field = (
  input: Partial<Record<keyof AddressFields, unknown>>,
  name: keyof AddressFields,
  wire: string,
  max: number,
  required: boolean,
): string => {
  const v = text(input[name]);
  if (required && !v) throw invalid('ADDRESS_INVALID', `${wire} is required`, wire);
  if (v.length > max)
    throw invalid('ADDRESS_INVALID', `${wire} has at most ${max} characters`, wire);
  return v;
};

const WIRE: Record<string, string> = { postalCode: 'postal_code' };

/**
 * Validates a shipping address; the phone is normalised to E.164. An address that cannot be
 * delivered (libs/domain `checkAddress`: a Chinese province, city and district that do not go
 * together, a missing district, a placeholder or repeated detail line, a phone that is not a
 * number of any country) is refused naming the field and the reason; Chinese names are stored as
 * the national divisions spell them, with their GB/T 2260 codes.
 */
export function validateAddress(
  input: Partial<Record<keyof AddressFields, unknown>>,
): AddressFields {
  const country = field(input, 'country', 'country', 2, true).toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    throw invalid('ADDRESS_INVALID', 'country is an ISO 3166-1 alpha-2 code such as CN', 'country');
  let phone: string;
  try {
    phone = normalisePhone(field(input, 'phone', 'phone', 32, true));
  } catch {
    throw invalid('ADDRESS_INVALID', 'phone is an E.164 number such as +8613800138000', 'phone');
  }
  const postalCode = field(input, 'postalCode', 'postal_code', 16, false);
  if (postalCode && !/^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(postalCode))
    throw invalid(
      'ADDRESS_INVALID',
      'postal_code has letters, digits, spaces or dashes',
      'postal_code',
    );
  const checked = checkAddress({
    recipient: field(input, 'recipient', 'recipient', 64, true),
    phone,
    country,
    province: field(input, 'province', 'province', 64, true),
    city: field(input, 'city', 'city', 64, true),
    district: field(input, 'district', 'district', 64, false),
    line1: field(input, 'line1', 'line1', 200, true),
    line2: field(input, 'line2', 'line2', 200, false),
    postalCode,
  });
  const [first] = checked.errors;
  if (first) {
    const wire = WIRE[first.field] ?? first.field;
    throw new UserError('INVALID_ARGUMENT', 'ADDRESS_INVALID', `${wire}: ${first.message}`, {
      field: wire,
      reason: first.code,
    });
  }
  return checked.address;
}

/**
 * Which address is the default after a deletion: unchanged when the default survives, else the
 * most recently updated remaining one, or none.
 */
export function defaultAfterDelete(remaining: readonly Address[]): string | null {
  if (remaining.length === 0) return null;
  const current = remaining.find((a) => a.isDefault);
  if (current) return current.id;
  return [...remaining].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0].id;
}
