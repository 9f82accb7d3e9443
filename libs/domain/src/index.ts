// Small pure-TypeScript pieces every service's domain and application layers share: no
// framework, ORM or I/O here (tag kind:pure), so domain/ may import it.
export { DomainError } from './domain-error';
export type { ErrorKind } from './domain-error';
export { isUuid, UUID_RE } from './ids';
export type { Clock, IdGenerator } from './ports';
export { MAX_PUBLIC_URL_LENGTH, publicUrlProblem } from './public-url';
export type { AddressParts } from './address-fingerprint';
export { addressFingerprint, normaliseFingerprint } from './address-fingerprint';
export {
  ADDRESS_DOUBT_CODES,
  ADDRESS_ERROR_CODES,
  checkAddress,
  prepareAddressCheck,
  regionKeys,
} from './address-check';
export type {
  AddressCheck,
  AddressDoubtCode,
  AddressErrorCode,
  AddressField,
  AddressInput,
  AddressIssue,
  CheckedAddress,
} from './address-check';
