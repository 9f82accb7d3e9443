import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsString, Length, ValidateIf } from 'class-validator';

/**
 * Requests and responses of the account-security routes: the SMS second factor, sessions and
 * devices, step-up, and the sensitive changes (password, e-mail, phone).
 */

/** What a step-up proves (POST /v1/me/step-up `method`). */
export const STEP_UP_METHODS = ['TOTP', 'SMS', 'RECOVERY_CODE', 'PASSKEY', 'PASSWORD'] as string[];
/** The methods answered with a `code`. */
const CODE_METHODS = ['TOTP', 'SMS', 'RECOVERY_CODE'];

export class SmsLoginCodeDto {
  @ApiProperty({ description: 'mfaChallenge from the login answer (SMS among its mfaMethods)' })
  @IsString()
  @Length(1, 200)
  challenge!: string;
}

export class StepUpDto {
  @ApiProperty({
    enum: STEP_UP_METHODS,
    description:
      'one of the methods GET /v1/me/step-up lists: TOTP, SMS (a code from POST /v1/me/step-up/sms), RECOVERY_CODE, PASSKEY, or PASSWORD (an account without a second factor only)',
  })
  @IsIn(STEP_UP_METHODS)
  method!: string;

  @ApiPropertyOptional({
    example: '492039',
    description: 'TOTP, SMS and RECOVERY_CODE: the code (required with them)',
  })
  @ValidateIf((o: StepUpDto) => CODE_METHODS.includes(o.method))
  @IsString()
  @Length(1, 32)
  code?: string;

  @ApiPropertyOptional({ description: 'PASSWORD: the current password (required with it)' })
  @ValidateIf((o: StepUpDto) => o.method === 'PASSWORD')
  @IsString()
  @Length(1, 128)
  password?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "PASSKEY: the WebAuthn AuthenticationResponseJSON navigator.credentials.get answered for GET /v1/me/step-up's passkeyOptions (required with it)",
  })
  @ValidateIf((o: StepUpDto) => o.method === 'PASSKEY')
  @IsObject()
  passkeyResponse?: Record<string, unknown>;
}

export class ChangePasswordDto {
  @ApiProperty({ description: 'the current password' })
  @IsString()
  @Length(1, 128)
  currentPassword!: string;

  @ApiProperty({
    minLength: 10,
    maxLength: 128,
    description: 'the new one: 10 to 128 characters, not a common one',
  })
  @IsString()
  @Length(1, 128)
  newPassword!: string;
}

export class ChangeEmailDto {
  @ApiProperty({ example: 'li.lei@example.cn' })
  @IsString()
  @Length(1, 254)
  email!: string;
}

export class PhoneCodeDto {
  @ApiProperty({ example: '+8613900000000', description: 'the new phone, E.164' })
  @IsString()
  @Length(1, 32)
  phone!: string;
}

export class ChangePhoneDto extends PhoneCodeDto {
  @ApiProperty({
    example: '492039',
    description: 'the code POST /v1/me/phone/code sent to the new phone',
  })
  @IsString()
  @Length(1, 32)
  code!: string;
}

export class SmsMfaDto {
  @ApiProperty({ description: 'true: SMS codes to the account phone become a second factor' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({
    example: '492039',
    description:
      'turning on: the code POST /v1/me/mfa/sms/code sent to the account phone (required then)',
  })
  @ValidateIf((o: SmsMfaDto) => o.enabled === true)
  @IsString()
  @Length(1, 32)
  code?: string;
}

// ---- responses

export class SmsCodeView {
  @ApiProperty({ example: '+86138****8000', description: 'where the code went, masked' })
  maskedPhone!: string;
  @ApiProperty({ format: 'date-time', description: 'the code works until then' })
  expiresAt!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'no other code is sent before then (429 SMS_CODE_COOLDOWN with Retry-After)',
  })
  resendAfter!: string;
}

export class SessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the X-Device-Id it signed in with' })
  deviceId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Chrome 131 on Windows' })
  deviceName!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the client address it last used' })
  ip!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '浙江省杭州市' }) place!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastUsedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'the session of this request' }) current!: boolean;
  @ApiProperty({ example: 'PASSWORD+SMS' }) signedInWith!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'when a second factor was last proved in it (sign-in or step-up)',
  })
  secondFactorAt!: string | null;
}

export class DeviceView {
  @ApiProperty() deviceId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Safari 18 on iPhone' })
  name!: string | null;
  @ApiProperty({ format: 'date-time' }) firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
  @ApiProperty({ nullable: true, type: String, example: '上海市' }) lastPlace!: string | null;
  @ApiProperty() activeSessions!: number;
}

export class SessionsView {
  @ApiProperty({ type: [SessionView], description: 'live sessions, most recently used first' })
  sessions!: SessionView[];
  @ApiProperty({ type: [DeviceView], description: 'devices signed in from, most recent first' })
  devices!: DeviceView[];
}

export class SessionsEndedView {
  @ApiProperty({ description: 'how many sessions ended' }) sessionsEnded!: number;
}

export class StepUpOptionsView {
  @ApiProperty({
    type: [String],
    example: ['TOTP', 'SMS', 'RECOVERY_CODE'],
    description:
      'what this account can step up with: TOTP, SMS, PASSKEY, RECOVERY_CODE, or PASSWORD (only when it has no second factor)',
  })
  methods!: string[];
  @ApiProperty({ nullable: true, type: String, example: '+86138****8000' })
  maskedPhone!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      'PASSKEY: PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get (the account passkeys)',
  })
  passkeyOptions!: Record<string, unknown> | null;
}

export class StepUpView {
  @ApiProperty({
    description:
      'a new access token of the same session, its mfa_at now; send it with the sensitive change. The refresh token is unchanged',
  })
  accessToken!: string;
  @ApiProperty({ format: 'date-time' }) accessExpiresAt!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ format: 'date-time' }) steppedUpAt!: string;
  @ApiProperty({
    format: 'date-time',
    description: 'sensitive changes are allowed until then without another step-up',
  })
  validUntil!: string;
}

export class SmsMfaView {
  @ApiProperty() smsMfaEnabled!: boolean;
}
