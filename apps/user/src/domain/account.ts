import { checkPasswordPolicy } from './password-policy';
import { UserError } from './user-error';

export type Role = 'customer' | 'agent' | 'operator' | 'admin';
export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'DELETED';
export const ROLES: readonly Role[] = ['customer', 'agent', 'operator', 'admin'];

export interface Account {
  id: string;
  email: string | null;
  phone: string | null;
  passwordHash: string;
  roles: Role[];
  status: AccountStatus;
  createdAt: Date;
}

const invalid = (code: string, message: string) => new UserError('INVALID_ARGUMENT', code, message);

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PHONE_RE = /^\+[1-9]\d{6,14}$/;

/** E-mail addresses compare case-insensitively; stored lower-case. */
export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !EMAIL_RE.test(e))
    throw invalid('EMAIL_INVALID', `'${email}' is not an e-mail address`);
  return e;
}

/** Phones are E.164: '+', country code, number; spaces and dashes are dropped. */
export function normalisePhone(phone: string): string {
  const p = phone.replace(/[\s()-]/g, '');
  if (!PHONE_RE.test(p))
    throw invalid(
      'PHONE_INVALID',
      `'${phone}' is not an E.164 phone number such as +8613800138000`,
    );
  return p;
}

/** Validates registration input: email or phone (or both), and the password policy. */
export function registration(input: { email?: string; phone?: string; password: string }): {
  email: string | null;
  phone: string | null;
} {
  const email = input.email ? normaliseEmail(input.email) : null;
  const phone = input.phone ? normalisePhone(input.phone) : null;
  if (!email && !phone)
    throw invalid('IDENTIFIER_REQUIRED', 'register with an e-mail address or a phone number');
  checkPasswordPolicy(input.password, [email ?? '', phone ?? '']);
  return { email, phone };
}

/** Login identifiers are either; anything else cannot match an account. */
export function parseIdentifier(identifier: string): { email: string } | { phone: string } {
  const v = (identifier ?? '').trim();
  if (v.includes('@')) return { email: normaliseEmail(v) };
  return { phone: normalisePhone(v) };
}

export function assertCanLogIn(account: Account): void {
  assertNotDeleted(account);
  if (account.status === 'FROZEN') {
    throw new UserError(
      'PERMISSION_DENIED',
      'ACCOUNT_FROZEN',
      'this account is frozen; contact support',
    );
  }
}

/**
 * Freezing is idempotent; `changed` says whether the status moved. An erased account is gone:
 * it can be neither frozen nor unfrozen (ACCOUNT_NOT_FOUND), so it can never come back.
 */
export function setFrozen(
  account: Account | null,
  frozen: boolean,
  id = account?.id,
): { account: Account; changed: boolean } {
  account = assertNotDeleted(account, id);
  const status: AccountStatus = frozen ? 'FROZEN' : 'ACTIVE';
  return account.status === status
    ? { account, changed: false }
    : { account: { ...account, status }, changed: true };
}

export type LoginAnomalyKind = 'NEW_DEVICE' | 'NEW_IP';

/**
 * What is unusual about a successful login, given what the account used before. The first
 * login of an account is never an anomaly; an absent device id is not a new device.
 */
export function loginAnomalies(
  seen: { anyBefore: boolean; deviceKnown: boolean; ipKnown: boolean },
  deviceId: string,
): LoginAnomalyKind[] {
  if (!seen.anyBefore) return [];
  const kinds: LoginAnomalyKind[] = [];
  if (deviceId && !seen.deviceKnown) kinds.push('NEW_DEVICE');
  if (!seen.ipKnown) kinds.push('NEW_IP');
  return kinds;
}

/** An erased account is gone for every purpose but accounting. */
export function assertNotDeleted(account: Account | null, id = account?.id): Account {
  if (!account || account.status === 'DELETED')
    throw new UserError('NOT_FOUND', 'ACCOUNT_NOT_FOUND', `account ${id} does not exist`);
  return account;
}

/**
 * Operators erase accounts on a verified request, but never their own through that route: an
 * admin erasing themselves re-authenticates with their password like any customer.
 */
export function assertOperatorMayErase(operatorId: string | undefined, accountId: string): void {
  if (operatorId && operatorId.toLowerCase() === accountId.toLowerCase())
    throw new UserError(
      'PERMISSION_DENIED',
      'CANNOT_ERASE_OWN_ACCOUNT',
      'an operator cannot erase their own account on the admin route; use DELETE /v1/me with your password',
    );
}

/**
 * Operators do not freeze their own account, and nobody changes their own roles: either would
 * lock them (or, for the last admin, everyone) out by a slip; another operator or admin must.
 */
export function assertNotOwnAccount(
  operatorId: string | undefined,
  accountId: string,
  what: 'freeze' | 'change the roles of',
): void {
  if (operatorId && operatorId.toLowerCase() === accountId.toLowerCase())
    throw new UserError(
      'PERMISSION_DENIED',
      'CANNOT_CHANGE_OWN_ACCOUNT',
      `an operator cannot ${what} their own account; ask another operator or admin`,
    );
}

/** True when `after` lacks a role `before` had: tokens carrying the old roles must go. */
export function rolesReduced(before: readonly Role[], after: readonly Role[]): boolean {
  return before.some((r) => !after.includes(r));
}

/** Roles are a non-empty set of known roles; order and repeats do not matter. */
export function validateRoles(roles: readonly string[]): Role[] {
  const set = [...new Set(roles.map((r) => r.trim().toLowerCase()))];
  const unknown = set.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0)
    throw invalid(
      'ROLE_UNKNOWN',
      `unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`,
    );
  if (set.length === 0) throw invalid('ROLES_EMPTY', 'an account has at least one role');
  return ROLES.filter((r) => set.includes(r));
}

/**
 * Erasure: identifiers and the password go; the id stays so accounting rows (spend, points
 * ledger) remain consistent without pointing at a person.
 */
export function anonymise(account: Account): Account {
  if (account.status === 'DELETED') return account;
  return { ...account, email: null, phone: null, passwordHash: '!erased', status: 'DELETED' };
}
