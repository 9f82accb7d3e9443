import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Optional } from './validators';
import { MoneyDto } from './money.dto';

/** Requests and responses of the account, membership and administration routes. */

const ROLES = ['customer', 'agent', 'operator', 'admin'] as const;
const CONSENT_PURPOSES = ['MARKETING_EMAIL', 'MARKETING_SMS', 'PERSONALISATION', 'ANALYTICS'];

export class RegisterDto {
  @ApiPropertyOptional({ example: 'li.lei@example.cn', description: 'e-mail and/or phone' })
  @ValidateIf((o: RegisterDto) => o.email !== undefined || o.phone === undefined)
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+8613800138000', description: 'E.164' })
  @Optional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'li.lei@example.cn', description: 'e-mail or E.164 phone' })
  @IsString()
  @Length(1, 254)
  identifier!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  password!: string;
}

/**
 * The second factors a login challenge is finished with at POST /v1/auth/login/mfa (`method`;
 * other kinds of answer add theirs here and their field to MfaLoginDto).
 */
export const MFA_LOGIN_METHODS = ['TOTP', 'SMS', 'RECOVERY_CODE', 'PASSKEY'] as string[];

export class MfaLoginDto {
  @ApiProperty({ description: 'mfaChallenge from the login answer' })
  @IsString()
  @Length(1, 200)
  challenge!: string;

  @ApiPropertyOptional({
    example: '492039',
    description:
      'a 6-digit TOTP code, a recovery code, or (method SMS) the 6-digit code POST /v1/auth/login/mfa/sms sent; required unless method is PASSKEY',
  })
  @ValidateIf((o: MfaLoginDto) => o.method !== 'PASSKEY')
  @IsString()
  @Length(1, 32)
  code?: string;

  @ApiPropertyOptional({
    enum: MFA_LOGIN_METHODS,
    description:
      "which second factor `code` is; left out: a TOTP code, or a recovery code by its shape (the login answer's mfaMethods says which the account has)",
  })
  @Optional()
  @IsIn(MFA_LOGIN_METHODS)
  method?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'method PASSKEY: the AuthenticationResponseJSON of navigator.credentials.get for the options POST /v1/auth/passkey/options answered for this mfaChallenge (required with it)',
  })
  @ValidateIf((o: MfaLoginDto) => o.method === 'PASSKEY')
  @IsObject()
  passkeyResponse?: Record<string, unknown>;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  refreshToken!: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '492039' })
  @IsString()
  @Length(1, 32)
  code!: string;
}

export class ReauthDto {
  @ApiProperty({ description: 'the current password' })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class DisableMfaDto extends ReauthDto {
  @ApiProperty({ description: 'a current TOTP code or a recovery code' })
  @IsString()
  @Length(1, 32)
  code!: string;
}

export class ProfileDto {
  @ApiPropertyOptional({ example: '李雷', maxLength: 64 })
  @Optional()
  @IsString()
  @MaxLength(64)
  displayName?: string;

  @ApiPropertyOptional({
    example: '1990-02-28',
    description: 'a date (YYYY-MM-DD, from 1900 to today); an empty string clears it',
    anyOf: [
      { type: 'string', format: 'date' },
      { type: 'string', maxLength: 0 },
    ],
  })
  @Optional()
  @IsString()
  @Matches(/^(\d{4}-\d{2}-\d{2})?$/, { message: 'birthday is YYYY-MM-DD, or empty to clear it' })
  birthday?: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.cn/a.png' })
  @Optional()
  @IsString()
  @MaxLength(500)
  avatarUrl?: string;

  @ApiPropertyOptional({ example: 'zh-CN' })
  @Optional()
  @IsString()
  @MaxLength(35)
  locale?: string;
}

export class ConsentChangeDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsIn(CONSENT_PURPOSES)
  purpose!: string;

  @ApiProperty()
  @IsBoolean()
  granted!: boolean;
}

export class ConsentsDto {
  @ApiProperty({ type: [ConsentChangeDto] })
  @IsArray()
  @ArrayMaxSize(CONSENT_PURPOSES.length)
  @ValidateNested({ each: true })
  @Type(() => ConsentChangeDto)
  consents!: ConsentChangeDto[];
}

export class AddressDto {
  @ApiProperty({ example: '韩梅梅' }) @IsString() @MaxLength(64) recipient!: string;
  @ApiProperty({ example: '+8613900000000' }) @IsString() @MaxLength(32) phone!: string;
  @ApiProperty({ example: 'CN', description: 'ISO 3166-1 alpha-2' })
  @IsString()
  @MaxLength(2)
  country!: string;
  @ApiProperty({ example: '浙江省' }) @IsString() @MaxLength(64) province!: string;
  @ApiProperty({ example: '杭州市' }) @IsString() @MaxLength(64) city!: string;
  @ApiPropertyOptional({ example: '西湖区' })
  @Optional()
  @IsString()
  @MaxLength(64)
  district?: string;
  @ApiProperty({ example: '文三路 100 号' }) @IsString() @MaxLength(200) line1!: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(200) line2?: string;
  @ApiPropertyOptional({ example: '310000' })
  @Optional()
  @IsString()
  @MaxLength(16)
  postalCode?: string;
  @ApiPropertyOptional({ description: 'make this the default address' })
  @Optional()
  @IsBoolean()
  isDefault?: boolean;
}

export class FreezeDto {
  @ApiProperty({ example: 'chargeback fraud, ticket 4711', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class TierDto {
  @ApiProperty({ example: 'GOLD', pattern: '^[A-Z][A-Z0-9_]*$' })
  @IsString()
  @Length(1, 32)
  code!: string;

  @ApiProperty({ example: 'Gold' })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiProperty({ type: MoneyDto, description: 'rolling 12-month spend that reaches the tier' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  minSpend!: MoneyDto;
}

export class TiersDto {
  @ApiProperty({ type: [TierDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => TierDto)
  tiers!: TierDto[];
}

export class RolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true })
  roles!: string[];
}

// ---- responses

export class AccountView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiProperty({ enum: ['active', 'frozen', 'deleted'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** An operator's search for an account by what it signs in with. */
export class FindAccountQuery {
  @ApiProperty({
    example: 'li.lei@example.com',
    minLength: 1,
    maxLength: 254,
    description:
      'the e-mail address (any case) or E.164 phone number (+8613800138000: encode + as %2B) the account signs in with, compared as login compares it; anything else is 400 EMAIL_INVALID or PHONE_INVALID',
  })
  @IsString()
  @Length(1, 254)
  identifier!: string;
}

export class AccountList {
  @ApiProperty({
    type: [AccountView],
    description: 'the account with that identifier, or none (an erased account never appears)',
  })
  items!: AccountView[];
}

export class TokensView {
  @ApiProperty({ description: 'ES256 JWT; send as Authorization: Bearer' }) accessToken!: string;
  @ApiProperty({ format: 'date-time' }) accessExpiresAt!: string;
  @ApiProperty({ description: 'single use: each refresh returns a new one' })
  refreshToken!: string;
  @ApiProperty({ format: 'date-time' }) refreshExpiresAt!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
}

export class LoginView {
  @ApiProperty({ type: AccountView }) account!: AccountView;
  @ApiProperty({ description: 'true: finish with POST /v1/auth/login/mfa' }) mfaRequired!: boolean;
  @ApiPropertyOptional({ type: TokensView }) tokens?: TokensView;
  @ApiPropertyOptional() mfaChallenge?: string;
  @ApiPropertyOptional({ format: 'date-time' }) mfaChallengeExpiresAt?: string;
  @ApiPropertyOptional({
    type: [String],
    example: ['TOTP', 'SMS', 'RECOVERY_CODE'],
    description:
      'with mfaRequired: the second factors the challenge may be finished with (TOTP, SMS, PASSKEY, RECOVERY_CODE); SMS: ask for the code with POST /v1/auth/login/mfa/sms, then POST /v1/auth/login/mfa with method SMS',
  })
  mfaMethods?: string[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '+86138****8000',
    description: 'with mfaRequired and SMS among mfaMethods: the phone the code goes to, masked',
  })
  mfaPhoneMasked?: string | null;
}

export class MfaLoginView {
  @ApiProperty({ type: AccountView }) account!: AccountView;
  @ApiProperty({ type: TokensView }) tokens!: TokensView;
  @ApiPropertyOptional({ description: 'recovery codes left, when one was used' })
  recoveryCodesLeft?: number;
}

export class ProfileView {
  @ApiProperty() displayName!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) birthday!: string | null;
  @ApiProperty({ nullable: true, type: String }) avatarUrl!: string | null;
  @ApiProperty({ nullable: true, type: String }) locale!: string | null;
}

export class ConsentView {
  @ApiProperty({ enum: CONSENT_PURPOSES }) purpose!: string;
  @ApiProperty() granted!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

export class ConsentsView {
  @ApiProperty({ type: [ConsentView] }) consents!: ConsentView[];
}

export class AccountDetailsView {
  @ApiProperty({ type: AccountView }) account!: AccountView;
  @ApiProperty({ type: ProfileView }) profile!: ProfileView;
  @ApiProperty({ type: [ConsentView] }) consents!: ConsentView[];
  @ApiProperty({ description: 'a second factor is asked at sign-in (TOTP or SMS codes are on)' })
  mfaEnabled!: boolean;
  @ApiProperty({ description: 'an authenticator app (TOTP) is enrolled' }) totpEnabled!: boolean;
  @ApiProperty({ description: 'SMS codes to the account phone are a second factor' })
  smsMfaEnabled!: boolean;
  @ApiProperty({ description: 'passkeys registered' }) passkeyCount!: number;
  @ApiProperty({ description: 'unused recovery codes' }) recoveryCodesLeft!: number;
}

export class AddressView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() phone!: string;
  @ApiProperty() country!: string;
  @ApiProperty() province!: string;
  @ApiProperty() city!: string;
  @ApiProperty() district!: string;
  @ApiProperty() line1!: string;
  @ApiProperty() line2!: string;
  @ApiProperty() postalCode!: string;
  @ApiProperty({
    example: '330000',
    description:
      'GB/T 2260 code of the province, set from the names when saved; "" outside China or when unknown',
  })
  provinceCode!: string;
  @ApiProperty({
    example: '330100',
    description: 'GB/T 2260 code of the city; "" outside China or when unknown',
  })
  cityCode!: string;
  @ApiProperty({
    example: '330106',
    description:
      'GB/T 2260 code of the district; "" outside China, when unknown, or for a city without districts',
  })
  districtCode!: string;
  @ApiProperty() isDefault!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AddressList {
  @ApiProperty({ type: [AddressView], description: 'the default first' }) items!: AddressView[];
}

export class PointsLotView {
  @ApiProperty() sourceRef!: string;
  @ApiProperty() points!: number;
  @ApiProperty() remaining!: number;
  @ApiProperty({ format: 'date-time' }) earnedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class MembershipView {
  @ApiProperty() tierCode!: string;
  @ApiProperty() tierName!: string;
  @ApiProperty({ type: MoneyDto, description: 'net spend over the last 12 months' })
  rollingSpend!: MoneyDto;
  @ApiProperty() pointsBalance!: number;
  @ApiProperty({ type: [PointsLotView], description: 'earliest expiry first' })
  lots!: PointsLotView[];
}

export class MfaEnrolmentView {
  @ApiProperty({ description: 'otpauth:// URI to show as a QR code' }) otpauthUri!: string;
  @ApiProperty({ description: 'the secret in base32, for manual entry' }) secret!: string;
}

export class RecoveryCodesView {
  @ApiProperty({ type: [String], description: 'single-use; shown only now' })
  recoveryCodes!: string[];
}

export class TierView {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: MoneyDto }) minSpend!: MoneyDto;
  @ApiProperty() members!: number;
}

export class TierList {
  @ApiProperty({ type: [TierView] }) items!: TierView[];
  @ApiPropertyOptional({ description: 'members queued for re-evaluation (after a change)' })
  membersToReevaluate?: number;
}

export class SigningKeyView {
  @ApiProperty() kid!: string;
}

export class ErasureView {
  @ApiProperty({ format: 'date-time' }) deletedAt!: string;
}
