import { userV1 } from '@emporia/contracts';
import type {
  AccountDetailsView,
  AccountView,
  AddressView,
  ConsentView,
  LoginView,
  MembershipView,
  ProfileView,
  TierView,
  TokensView,
} from './dto/user.dto';
import type { AddressDto, MfaLoginDto } from './dto/user.dto';

const STATUS: Record<string, string> = {
  ACCOUNT_STATUS_ACTIVE: 'active',
  ACCOUNT_STATUS_FROZEN: 'frozen',
  ACCOUNT_STATUS_DELETED: 'deleted',
};

const orNull = (s: string | undefined) => (s ? s : null);

export const accountView = (a: userV1.Account): AccountView => ({
  id: a.id,
  email: orNull(a.email),
  phone: orNull(a.phone),
  roles: a.roles,
  status: STATUS[a.status as unknown as string] ?? String(a.status).toLowerCase(),
  createdAt: a.createdAt,
});

export const tokensView = (t: userV1.TokenPair): TokensView => ({
  accessToken: t.accessToken,
  accessExpiresAt: t.accessExpiresAt,
  refreshToken: t.refreshToken,
  refreshExpiresAt: t.refreshExpiresAt,
  tokenType: t.tokenType || 'Bearer',
});

/**
 * A login's answer: the tokens, or (with MFA) the challenge to finish at /v1/auth/login/mfa, the
 * second factors it may be finished with and, for SMS, the phone the code goes to (masked).
 */
export const loginView = (r: userV1.LoginResponse): LoginView =>
  r.mfaRequired
    ? {
        account: accountView(r.account!),
        mfaRequired: true,
        mfaChallenge: r.mfaChallenge,
        mfaChallengeExpiresAt: r.mfaChallengeExpiresAt,
        mfaMethods: r.mfaMethods,
        mfaPhoneMasked: orNull(r.mfaPhoneMasked),
      }
    : { account: accountView(r.account!), mfaRequired: false, tokens: tokensView(r.tokens!) };

/** The second step of a login: the challenge and the answer, of the `method` given (else guessed). */
export const mfaLoginRequest = (body: MfaLoginDto): userV1.CompleteMfaLoginRequest => ({
  mfaChallenge: body.challenge,
  code: body.code ?? '',
  method: body.method ?? '',
  passkeyResponseJson: body.passkeyResponse ? JSON.stringify(body.passkeyResponse) : '',
});

/** The X-Device-Id a login remembers (the first one, at most 200 characters). */
export const deviceIdOf = (header: string | string[] | undefined): string =>
  (Array.isArray(header) ? header[0] : (header ?? '')).slice(0, 200);

/** The User-Agent a session remembers (the first one, at most 512 characters). */
export const userAgentOf = (header: string | string[] | undefined): string =>
  (Array.isArray(header) ? header[0] : (header ?? '')).slice(0, 512);

/**
 * The client of a sign-in, refresh or step-up as the user service records it on the session:
 * its address (`req.ip`: X-Forwarded-For with TRUST_PROXY) and User-Agent.
 */
export const clientOf = (req: {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}): { ip: string; userAgent: string } => ({
  ip: req.ip,
  userAgent: userAgentOf(req.headers['user-agent']),
});

export const profileView = (p: userV1.Profile | undefined): ProfileView => ({
  displayName: p?.displayName ?? '',
  birthday: orNull(p?.birthday),
  avatarUrl: orNull(p?.avatarUrl),
  locale: orNull(p?.locale),
});

export const consentView = (c: userV1.Consent): ConsentView => ({
  purpose: c.purpose,
  granted: c.granted,
  updatedAt: orNull(c.updatedAt),
});

export const detailsView = (d: userV1.AccountDetails): AccountDetailsView => ({
  account: accountView(d.account!),
  profile: profileView(d.profile),
  consents: d.consents.map(consentView),
  mfaEnabled: d.mfaEnabled,
  totpEnabled: d.totpEnabled,
  smsMfaEnabled: d.smsMfaEnabled,
  passkeyCount: d.passkeyCount,
  recoveryCodesLeft: d.recoveryCodesLeft,
});

export const addressView = (a: userV1.Address): AddressView => ({
  id: a.id,
  recipient: a.recipient,
  phone: a.phone,
  country: a.country,
  province: a.province,
  city: a.city,
  district: a.district,
  line1: a.line1,
  line2: a.line2,
  postalCode: a.postalCode,
  provinceCode: a.provinceCode,
  cityCode: a.cityCode,
  districtCode: a.districtCode,
  isDefault: a.isDefault,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

export const addressToProto = (a: AddressDto, id = ''): userV1.Address => ({
  id,
  recipient: a.recipient,
  phone: a.phone,
  country: a.country,
  province: a.province,
  city: a.city,
  district: a.district ?? '',
  line1: a.line1,
  line2: a.line2 ?? '',
  postalCode: a.postalCode ?? '',
  isDefault: a.isDefault ?? false,
  createdAt: '',
  updatedAt: '',
  // output only: the user service sets them from the names
  provinceCode: '',
  cityCode: '',
  districtCode: '',
});

export const membershipView = (m: userV1.Membership): MembershipView => ({
  tierCode: m.tierCode,
  tierName: m.tierName,
  rollingSpend: {
    amountMinor: Number(m.rollingSpend?.amountMinor ?? 0),
    currency: m.rollingSpend?.currency ?? '',
  },
  pointsBalance: Number(m.pointsBalance),
  lots: m.lots.map((l) => ({
    sourceRef: l.sourceRef,
    points: Number(l.points),
    remaining: Number(l.remaining),
    earnedAt: l.earnedAt,
    expiresAt: l.expiresAt,
  })),
});

export const tierView = (t: userV1.Tier): TierView => ({
  code: t.code,
  name: t.name,
  minSpend: {
    amountMinor: Number(t.minSpend?.amountMinor ?? 0),
    currency: t.minSpend?.currency ?? '',
  },
  members: Number(t.members),
});
