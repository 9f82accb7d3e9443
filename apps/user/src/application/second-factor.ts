import { Inject, Injectable } from '@nestjs/common';
import type { Account } from '../domain/account';
import { normaliseRecoveryCode, readSecondFactor, wrongMfaCode } from '../domain/mfa';
import { passkeyVerificationFailed, type ChallengeExpectation } from '../domain/passkey';
import type { SignInMethod } from '../domain/refresh-token-family';
import { maskPhone, smsCodeExpired, smsCodeInvalid, type SmsCodePurpose } from '../domain/sms-code';
import { UserError } from '../domain/user-error';
import { PasskeyCeremonies } from './passkey-ceremonies';
import {
  MFA_SETTINGS,
  type MfaSettings,
  TOKEN_SECRETS,
  type TokenSecrets,
  type UserTx,
} from './ports';
import { ONE_TIME_CODE_HASHER, type OneTimeCodeHasher } from './security.ports';
import { useSmsCode } from './sms-codes';

/** The second factors there are; PASSWORD is a step-up's for an account without any. */
export type FactorMethod = 'TOTP' | 'SMS' | 'PASSKEY' | 'RECOVERY_CODE';
export const FACTOR_METHODS: readonly FactorMethod[] = ['TOTP', 'SMS', 'PASSKEY', 'RECOVERY_CODE'];

/** What a session opened with each factor says it was signed in with. */
export const SIGNED_IN_WITH: Record<FactorMethod, SignInMethod> = {
  TOTP: 'PASSWORD+TOTP',
  SMS: 'PASSWORD+SMS',
  PASSKEY: 'PASSWORD+PASSKEY',
  RECOVERY_CODE: 'PASSWORD+RECOVERY_CODE',
};

/** The account's second factors as they stand. */
export interface SecondFactors {
  totp: boolean;
  sms: boolean;
  /** The number SMS codes go to (the account's phone). */
  phone: string | null;
  passkeys: number;
  recoveryCodes: number;
}

export async function secondFactorsOf(tx: UserTx, account: Account): Promise<SecondFactors> {
  // one after the other: a transaction is one connection, which answers one query at a time (pg
  // queues a query sent while another runs, with a deprecation warning; pg 9 refuses it)
  const totp = await tx.mfa.find(account.id);
  const smsAt = await tx.security.smsMfaEnabledAt(account.id);
  const passkeys = await tx.passkeys.count(account.id);
  const recoveryCodes = await tx.mfa.recoveryCodesLeft(account.id);
  return {
    totp: totp?.status === 'ACTIVE',
    sms: smsAt !== null && account.phone !== null,
    phone: account.phone,
    passkeys,
    recoveryCodes,
  };
}

/** A sign-in asks for a second factor: TOTP is on or SMS codes are on. */
export const asksSecondFactorAtLogin = (f: SecondFactors) => f.totp || f.sms;

/** The account has a second factor of any kind (else a step-up takes the password). */
export const hasSecondFactor = (f: SecondFactors) => f.totp || f.sms || f.passkeys > 0;

/** What the account can answer a challenge with, in this order; recovery codes while any are left. */
export function methodsOf(f: SecondFactors): FactorMethod[] {
  const on: Record<FactorMethod, boolean> = {
    TOTP: f.totp,
    SMS: f.sms,
    PASSKEY: f.passkeys > 0,
    RECOVERY_CODE: hasSecondFactor(f) && f.recoveryCodes > 0,
  };
  return FACTOR_METHODS.filter((m) => on[m]);
}

export const maskedPhoneOf = (f: SecondFactors) => (f.sms && f.phone ? maskPhone(f.phone) : '');

/**
 * The method of a submission: the one named, or (none named, as before methods existed) a
 * recovery code by its shape, else TOTP.
 */
export function factorMethod(method: string | undefined, code: string | undefined): FactorMethod {
  const m = (method ?? '').trim().toUpperCase();
  if (!m) return normaliseRecoveryCode(code ?? '') !== null ? 'RECOVERY_CODE' : 'TOTP';
  if ((FACTOR_METHODS as readonly string[]).includes(m)) return m as FactorMethod;
  throw new UserError(
    'INVALID_ARGUMENT',
    'MFA_METHOD_INVALID',
    `method must be one of ${FACTOR_METHODS.join(', ')}`,
  );
}

export interface FactorProof {
  method: FactorMethod;
  code?: string;
  passkeyResponseJson?: string;
  /** SMS: the code's purpose and what it is bound to (the MFA challenge, or the session). */
  sms: { purpose: SmsCodePurpose; subject: string };
  /** PASSKEY: what the assertion's challenge must have been issued for. */
  passkey: ChallengeExpectation;
}

/**
 * A proof that was refused: `error` to throw once the transaction committed (what was used up
 * stays used up), and whether it counts as a failed attempt (throttle and account lock).
 */
export type ProofOutcome = { ok: true } | { ok: false; error: UserError; counts: boolean };

const unavailable = (method: FactorMethod) =>
  new UserError(
    'FAILED_PRECONDITION',
    'MFA_METHOD_UNAVAILABLE',
    `this account cannot use ${method} as a second factor`,
  );

/**
 * Checks a second factor and uses it up, in the caller's transaction: a TOTP step, a recovery
 * code, an SMS code or a passkey assertion works once. A method the account does not have
 * throws MFA_METHOD_UNAVAILABLE at once (nothing written).
 */
@Injectable()
export class SecondFactorCheck {
  constructor(
    @Inject(MFA_SETTINGS) private readonly mfa: MfaSettings,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(ONE_TIME_CODE_HASHER) private readonly codeHasher: OneTimeCodeHasher,
    private readonly passkeys: PasskeyCeremonies,
  ) {}

  async prove(
    tx: UserTx,
    account: Account,
    factors: SecondFactors,
    proof: FactorProof,
    now: Date,
  ): Promise<ProofOutcome> {
    if (!methodsOf(factors).includes(proof.method)) throw unavailable(proof.method);
    const code = proof.code ?? '';
    switch (proof.method) {
      case 'TOTP': {
        const credential = (await tx.mfa.find(account.id))!;
        const factor = readSecondFactor(this.mfa.hmac, credential, code, now);
        if (factor?.kind !== 'TOTP') return { ok: false, error: wrongMfaCode(), counts: true };
        await tx.mfa.save({ ...credential, lastUsedCounter: factor.counter });
        return { ok: true };
      }
      case 'RECOVERY_CODE': {
        const normalised = normaliseRecoveryCode(code);
        const used =
          normalised !== null &&
          (await tx.mfa.useRecoveryCode(account.id, this.secrets.hash(normalised), now));
        return used ? { ok: true } : { ok: false, error: wrongMfaCode(), counts: true };
      }
      case 'SMS': {
        const r = await useSmsCode(
          tx,
          this.codeHasher,
          { accountId: account.id, ...proof.sms },
          code,
          now,
        );
        if (r.outcome === 'OK') return { ok: true };
        return r.outcome === 'WRONG'
          ? { ok: false, error: smsCodeInvalid(r.attemptsLeft), counts: true }
          : { ok: false, error: smsCodeExpired(), counts: false };
      }
      case 'PASSKEY': {
        const answer = this.passkeys.read(proof.passkeyResponseJson ?? '', 'get');
        const r = await this.passkeys.checkAssertion(tx, answer, proof.passkey, false, now);
        if (r.ok) return { ok: true };
        if (r.reason === 'CHALLENGE') return { ok: false, error: r.error, counts: false };
        const why = r.reason === 'NOT_VERIFIED' ? r.why : 'not a passkey of this account';
        return {
          ok: false,
          error: passkeyVerificationFailed(proof.passkey.ceremony, why),
          counts: true,
        };
      }
    }
  }
}
