import { canonicalParts } from './address-check';

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
 * A normalised fingerprint of an address, `country|province|city|district|line1|line2`, for
 * risk's velocity counters and lists. Order sends it with a checkout and review with a review:
 * one function, so both count the same place. Chinese provinces, cities and districts are the
 * GB/T 2260 names however they were written (北京 / 北京市, 朝阳 / 朝阳区, traditional
 * characters); every part is lower case, simplified, full-width forms made ASCII, without white
 * space, punctuation or symbols.
 */
export function addressFingerprint(a: AddressParts): string {
  return canonicalParts(a).join('|');
}

/**
 * A fingerprint written by hand (a list entry such as `CN|江苏|南京|鼓楼|中山路 1 号|`),
 * normalised as `addressFingerprint` would have made it. Fewer than six parts are padded.
 */
export function normaliseFingerprint(value: string): string {
  const [country, province, city, district, line1, line2] = value.split('|');
  return addressFingerprint({ country, province, city, district, line1, line2 });
}
