import { MessagingTables1764000000000 } from '@emporia/messaging';
import { UserSchema1764000000200 } from './1764000000200-user-schema';
import { MembershipPoints1764000000300 } from './1764000000300-membership-points';
import { KnownLogins1764000000400 } from './1764000000400-known-logins';
import { MfaProfilesPrivacy1764000000500 } from './1764000000500-mfa-profiles-privacy';
import { MembershipEvaluatedAt1764000000600 } from './1764000000600-membership-evaluated-at';
import { TokenRevocations1764000000700 } from './1764000000700-token-revocations';
import { AddressCodes1764000000800 } from './1764000000800-address-codes';
import { Passkeys1764000000900 } from './1764000000900-passkeys';
import { SessionsStepUpSms1764000001000 } from './1764000001000-sessions-step-up-sms';

/** Every migration of the user database, in order. Never `synchronize`. */
export const USER_MIGRATIONS = [
  MessagingTables1764000000000,
  UserSchema1764000000200,
  MembershipPoints1764000000300,
  KnownLogins1764000000400,
  MfaProfilesPrivacy1764000000500,
  MembershipEvaluatedAt1764000000600,
  TokenRevocations1764000000700,
  AddressCodes1764000000800,
  Passkeys1764000000900,
  SessionsStepUpSms1764000001000,
];
