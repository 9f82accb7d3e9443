import type { userV1 } from '@emporia/contracts';
import {
  PasskeyLoginDto,
  PasskeyOptionsDto,
  PasskeyRegistrationDto,
  PasskeyRenameDto,
} from './dto/passkey.dto';
import { MfaLoginDto } from './dto/user.dto';
import { passkeyView } from './passkeys.http-controller';
import { mfaLoginRequest } from './user-mappers';
import { validationPipe } from './validation';

const body = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'body', metatype });
const refused = (metatype: new () => object, value: unknown, field: string) =>
  expect(body(metatype, value)).rejects.toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: expect.arrayContaining([expect.objectContaining({ field })]),
  });

const webauthnJson = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} };

describe('passkey routes: bodies and answers', () => {
  it('takes the WebAuthn response as an object and a name of at most 60 characters', async () => {
    await expect(body(PasskeyRegistrationDto, { response: webauthnJson })).resolves.toBeTruthy();
    await expect(
      body(PasskeyRegistrationDto, { response: webauthnJson, name: 'x'.repeat(60) }),
    ).resolves.toBeTruthy();
    await refused(PasskeyRegistrationDto, { response: webauthnJson, name: 'x'.repeat(61) }, 'name');
    await refused(PasskeyRegistrationDto, { response: JSON.stringify(webauthnJson) }, 'response');
    await refused(PasskeyRegistrationDto, {}, 'response');
    await refused(PasskeyRenameDto, { name: '' }, 'name');
    await refused(PasskeyLoginDto, { response: webauthnJson }, 'passkeyChallenge');
    await refused(PasskeyOptionsDto, { mfaChallenge: '' }, 'mfaChallenge');
    await expect(body(PasskeyOptionsDto, {})).resolves.toEqual({});
  });

  it('finishes an MFA step with a passkey instead of a code', async () => {
    const dto = (await body(MfaLoginDto, {
      challenge: 'ch',
      method: 'PASSKEY',
      passkeyResponse: webauthnJson,
    })) as MfaLoginDto;
    expect(mfaLoginRequest(dto)).toEqual({
      mfaChallenge: 'ch',
      code: '',
      method: 'PASSKEY',
      passkeyResponseJson: JSON.stringify(webauthnJson),
    });
    await refused(MfaLoginDto, { challenge: 'ch', method: 'PASSKEY' }, 'passkeyResponse');
    // any other method still needs its code
    await refused(MfaLoginDto, { challenge: 'ch', method: 'TOTP' }, 'code');
  });

  it('shows a passkey without its key: never used is null', () => {
    const p: userV1.Passkey = {
      id: 'cred',
      name: 'Phone',
      createdAt: '2026-03-01T10:00:00.000Z',
      lastUsedAt: '',
      backedUp: true,
      transports: ['internal', 'hybrid'],
    };
    expect(passkeyView(p)).toEqual({ ...p, lastUsedAt: null });
    expect(passkeyView({ ...p, lastUsedAt: '2026-03-02T10:00:00.000Z' }).lastUsedAt).toBe(
      '2026-03-02T10:00:00.000Z',
    );
  });
});
