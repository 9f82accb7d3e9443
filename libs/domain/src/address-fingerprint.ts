/** The parts of a postal address that say where it is. */
export interface AddressParts {
  country?: string;
  province?: string;
  city?: string;
  district?: string;
  line1?: string;
  line2?: string;
}

/**
 * A normalised fingerprint of an address (case and whitespace ignored), for risk's velocity
 * counters and lists. Order sends it with a checkout and review with a review: one function, so
 * both count the same place.
 */
export function addressFingerprint(a: AddressParts): string {
  return [a.country, a.province, a.city, a.district, a.line1, a.line2]
    .map((p) => (p ?? '').toLowerCase().replace(/\s+/g, ''))
    .join('|');
}
