import type { Passkey } from '../domain/passkey';
import { SoftAuthenticator } from '../testing/soft-authenticator';
import { relyingPartyProblem } from './relying-party';
import { SimpleWebAuthn } from './simple-webauthn.adapter';

const ORIGIN = 'http://localhost:8080';
const ACCOUNT = '0190b000-0000-7000-8000-00000000000a';
const rp = { id: 'localhost', name: 'Emporia', origins: [ORIGIN] };

/** Registers a credential of `authenticator` through the adapter: the stored passkey. */
async function registered(w: SimpleWebAuthn, authenticator: SoftAuthenticator): Promise<Passkey> {
  const reg = await w.registrationOptions({
    accountId: ACCOUNT,
    userName: 'li@example.cn',
    userDisplayName: 'Li',
    exclude: [],
  });
  const v = await w.verifyRegistration(
    w.read(authenticator.create(reg.options as never), 'create')!,
    reg.challenge,
  );
  if ('failed' in v) throw new Error(v.failed);
  return {
    id: v.credentialId,
    accountId: ACCOUNT,
    publicKey: v.publicKey,
    counter: v.counter,
    transports: v.transports,
    backedUp: v.backedUp,
    deviceType: v.deviceType,
    name: 'Passkey 1',
    createdAt: new Date(),
    lastUsedAt: null,
  };
}

describe('SimpleWebAuthn (@simplewebauthn/server) with a soft authenticator', () => {
  const w = new SimpleWebAuthn(rp);

  it('asks for a resident key and user verification, preferred, excluding what is registered', async () => {
    const { options, challenge } = await w.registrationOptions({
      accountId: ACCOUNT,
      userName: 'li@example.cn',
      userDisplayName: 'Li',
      exclude: [{ id: 'AAAA', transports: ['internal'] }],
    });
    expect(options).toMatchObject({
      challenge,
      rp: { id: 'localhost', name: 'Emporia' },
      // the user handle is the account id's 16 bytes
      user: { id: Buffer.from(ACCOUNT.replace(/-/g, ''), 'hex').toString('base64url') },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      excludeCredentials: [{ id: 'AAAA', type: 'public-key', transports: ['internal'] }],
    });
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
  });

  it('verifies a registration and an assertion, and reads the user handle back as the account', async () => {
    const a = new SoftAuthenticator({ origin: ORIGIN });
    const passkey = await registered(w, a);
    expect(passkey).toMatchObject({ counter: 0, transports: ['internal'], backedUp: false });
    const req = await w.authenticationOptions({ allow: [], userVerification: 'preferred' });
    expect(req.options).not.toHaveProperty('allowCredentials.0');
    const answer = w.read(a.get(req.options as never), 'get')!;
    expect(answer).toMatchObject({ credentialId: passkey.id, userHandle: ACCOUNT });
    expect(await w.verifyAssertion(answer, req.challenge, passkey, true)).toEqual({
      counter: 1,
      backedUp: false,
      userVerified: true,
    });
  });

  it('refuses another origin, another relying party, another challenge and a counter that went back', async () => {
    const a = new SoftAuthenticator({ origin: ORIGIN });
    const passkey = await registered(w, a);
    const req = await w.authenticationOptions({ allow: [], userVerification: 'preferred' });
    const verify = (json: string, stored = passkey) =>
      w.verifyAssertion(w.read(json, 'get')!, req.challenge, stored, false);
    expect(await verify(a.get(req.options as never, { origin: 'https://evil.example' }))).toEqual({
      failed: expect.stringContaining('origin'),
    });
    expect(await verify(a.get(req.options as never, { rpId: 'evil.example' }))).toEqual({
      failed: expect.stringContaining('RP ID'),
    });
    expect(await verify(a.get(req.options as never, { challenge: 'b3RoZXI' }))).toEqual({
      failed: expect.stringContaining('challenge'),
    });
    expect(
      await verify(a.get(req.options as never, { counter: 4 }), { ...passkey, counter: 9 }),
    ).toEqual({
      failed: expect.stringContaining('counter'),
    });
  });

  it('requires user verification only when asked to', async () => {
    const a = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
    const passkey = await registered(w, a);
    const req = await w.authenticationOptions({ allow: [], userVerification: 'preferred' });
    const answer = () => w.read(a.get(req.options as never), 'get')!;
    expect(await w.verifyAssertion(answer(), req.challenge, passkey, true)).toEqual({
      failed: expect.stringContaining('verif'),
    });
    expect(await w.verifyAssertion(answer(), req.challenge, passkey, false)).toMatchObject({
      userVerified: false,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['without a response', JSON.stringify({ id: 'AA', rawId: 'AA', type: 'public-key' })],
    ['of another type', JSON.stringify({ id: 'AA', rawId: 'AA', type: 'x', response: {} })],
    [
      'with unreadable client data',
      JSON.stringify({
        id: 'AA',
        rawId: 'AA',
        type: 'public-key',
        response: { clientDataJSON: 'bm9wZQ', authenticatorData: 'AA', signature: 'AA' },
      }),
    ],
    [
      'with a field of the wrong type',
      JSON.stringify({
        id: 'AA',
        rawId: 'AA',
        type: 'public-key',
        response: { clientDataJSON: 1, authenticatorData: 'AA', signature: 'AA' },
      }),
    ],
  ])('reads a response that is %s as nothing', (_what, json) => {
    expect(w.read(json, 'get')).toBeNull();
  });

  it('reads a registration as no assertion, and the other way round', async () => {
    const a = new SoftAuthenticator({ origin: ORIGIN });
    const reg = await w.registrationOptions({
      accountId: ACCOUNT,
      userName: 'x',
      userDisplayName: 'x',
      exclude: [],
    });
    const created = a.create(reg.options as never);
    expect(w.read(created, 'create')).not.toBeNull();
    expect(w.read(created, 'get')).toBeNull();
  });
});

describe('relying party settings', () => {
  it.each([
    [{ id: 'localhost', origins: ['http://localhost:8080'] }, null],
    [{ id: 'shop.example.com', origins: ['https://shop.example.com'] }, null],
    [{ id: 'example.com', origins: ['https://shop.example.com', 'https://example.com'] }, null],
    [{ id: 'https://example.com', origins: ['https://example.com'] }, 'not a domain name'],
    [{ id: 'example.com', origins: [] }, 'at least one origin'],
    [{ id: 'example.com', origins: ['http://example.com'] }, 'must be https'],
    [{ id: 'example.com', origins: ['https://example.com/'] }, 'not an origin'],
    [{ id: 'example.com', origins: ['https://notexample.com'] }, 'not on the relying party id'],
    [{ id: 'localhost', origins: ['http://127.0.0.1:8080'] }, 'must be https'],
  ])('%j: %s', (party, problem) => {
    const got = relyingPartyProblem({ name: 'Emporia', ...party });
    if (problem === null) expect(got).toBeNull();
    else expect(got).toContain(problem);
  });
});
