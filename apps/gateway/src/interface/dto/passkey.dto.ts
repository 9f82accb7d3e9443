import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsString, Length, MaxLength } from 'class-validator';
import { AccountView, TokensView } from './user.dto';
import { BodyMayBeOmitted, Optional } from './validators';

/** Requests and responses of the passkey (WebAuthn) routes. */

const WEBAUTHN_JSON = {
  type: 'object',
  additionalProperties: true,
} as const;

export class PasskeyRegistrationDto {
  @ApiProperty({
    ...WEBAUTHN_JSON,
    description:
      'the RegistrationResponseJSON of navigator.credentials.create for the options of POST /v1/me/passkeys/registration-options (PublicKeyCredential.toJSON()): id, rawId, type "public-key", response {clientDataJSON, attestationObject, transports}, clientExtensionResults',
  })
  @IsObject()
  response!: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'iPhone',
    maxLength: 60,
    description: 'what to call it, 1 to 60 characters; left out: "Passkey <n>"',
  })
  @Optional()
  @IsString()
  @MaxLength(60)
  name?: string;
}

export class PasskeyRenameDto {
  @ApiProperty({ example: 'Work laptop', minLength: 1, maxLength: 60 })
  @IsString()
  @Length(1, 60)
  name!: string;
}

@BodyMayBeOmitted()
export class PasskeyOptionsDto {
  @ApiPropertyOptional({
    description:
      "the second step of a password login: the login answer's mfaChallenge (PASSKEY among its mfaMethods). Left out: a sign-in without a password, with any passkey of this site",
  })
  @Optional()
  @IsString()
  @Length(1, 200)
  mfaChallenge?: string;
}

export class PasskeyLoginDto {
  @ApiProperty({ description: 'passkeyChallenge from POST /v1/auth/passkey/options' })
  @IsString()
  @Length(1, 200)
  passkeyChallenge!: string;

  @ApiProperty({
    ...WEBAUTHN_JSON,
    description:
      'the AuthenticationResponseJSON of navigator.credentials.get for those options (PublicKeyCredential.toJSON()): id, rawId, type "public-key", response {clientDataJSON, authenticatorData, signature, userHandle}, clientExtensionResults',
  })
  @IsObject()
  response!: Record<string, unknown>;
}

// ---- responses

export class PasskeyView {
  @ApiProperty({ description: 'the credential id (base64url)', example: 'hJ3kZ0v8Qn6f1XyT' })
  id!: string;
  @ApiProperty({ example: 'Passkey 1' }) name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'null: never' })
  lastUsedAt!: string | null;
  @ApiProperty({ description: 'synced to other devices by its provider (a multi-device passkey)' })
  backedUp!: boolean;
  @ApiProperty({ type: [String], example: ['internal', 'hybrid'] }) transports!: string[];
}

export class PasskeyList {
  @ApiProperty({ type: [PasskeyView], description: 'newest first' }) items!: PasskeyView[];
}

export class RegisteredPasskeyView {
  @ApiProperty({ type: PasskeyView }) passkey!: PasskeyView;
  @ApiProperty({
    type: [String],
    description:
      "fresh recovery codes when this is the account's first passkey and it had none left, else empty: single use, shown only now. With the password they sign in when every passkey is lost (and MFA is on)",
  })
  recoveryCodes!: string[];
}

export class PasskeyCreationOptionsView {
  @ApiProperty({
    ...WEBAUTHN_JSON,
    description:
      'PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create (PublicKeyCredential.parseCreationOptionsFromJSON): a resident key and user verification preferred, the passkeys the account has excluded; the challenge works once, for 5 minutes',
  })
  options!: Record<string, unknown>;
}

export class PasskeyRequestOptionsView {
  @ApiProperty({
    ...WEBAUTHN_JSON,
    description:
      "PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get (PublicKeyCredential.parseRequestOptionsFromJSON): without mfaChallenge any passkey of this site (allowCredentials empty), with it only the account's; the challenge works once, for 5 minutes",
  })
  options!: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'without mfaChallenge: give it back to POST /v1/auth/passkey. With it, finish at POST /v1/auth/login/mfa with method PASSKEY instead',
  })
  passkeyChallenge?: string;
}

export class PasskeyLoginView {
  @ApiProperty({ type: AccountView }) account!: AccountView;
  @ApiProperty({ type: TokensView }) tokens!: TokensView;
}
