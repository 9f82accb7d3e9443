import { createServer, type Server } from 'node:http';
import type { Browser, CDPSession, Page } from 'playwright-core';
import {
  freePort,
  launchChromium,
  newPage,
  startPlatform,
  totpNow,
  type Api,
  type Platform,
} from '@emporia/testing';

jest.setTimeout(300_000);

const PASSWORD = 'a long enough password';

/**
 * In the page (a string: the tests compile without the DOM library): navigator.credentials with
 * the options a route answered, the credential back as its JSON (PublicKeyCredential.toJSON).
 */
const CREATE = `async (options) => {
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
  });
  return credential.toJSON();
}`;
const GET = `async (options) => {
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  });
  return credential.toJSON();
}`;

type Json = Record<string, unknown>;

/** A browser tab with a platform authenticator of its own (Chrome's virtual authenticator). */
interface Device {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  create(options: Json): Promise<Json>;
  get(options: Json): Promise<Json>;
}

/**
 * Passkeys through the gateway in Debian's Chromium (Playwright), with the DevTools protocol's
 * virtual authenticator (CTAP2, internal, resident keys, user verification) answering
 * navigator.credentials.create/get on the gateway's origin, http://localhost:<port> (a secure
 * context; the relying party is `localhost`, which startPlatform gives the user service).
 */
describe('passkeys in the browser: gateway → user', () => {
  let platform: Platform;
  let api: Api;
  let browser: Browser;
  let origin: string;
  let elsewhere: Server;
  let elsewhereOrigin: string;
  const email = (name: string) => `${name}.${platform.suffix}@example.cn`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** A tab at `url` (on the gateway's origin unless said) with its own virtual authenticator. */
  const device = async (url = `${origin}/v1/auth/jwks`): Promise<Device> => {
    const page = await newPage(browser);
    await page.goto(url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const run = (script: string, options: Json) =>
      page.evaluate(`(${script})(${JSON.stringify(options)})`) as Promise<Json>;
    return {
      page,
      cdp,
      authenticatorId,
      create: (options) => run(CREATE, options),
      get: (options) => run(GET, options),
    };
  };

  /** Registers a passkey of `d`'s authenticator with the (stepped-up) access token. */
  const registerPasskey = async (d: Device, token: string, name: string) => {
    const begun = await api(
      'POST',
      '/v1/me/passkeys/registration-options',
      undefined,
      bearer(token),
    );
    expect(begun.status).toBe(200);
    expect(begun.body.options.authenticatorSelection).toMatchObject({
      residentKey: 'preferred',
      userVerification: 'preferred',
    });
    const response = await d.create(begun.body.options);
    return api('POST', '/v1/me/passkeys', { response, name }, bearer(token));
  };

  /** A sign-in without a password with `d`'s passkey. */
  const passwordless = async (d: Device, headers: Record<string, string> = {}) => {
    const begun = await api('POST', '/v1/auth/passkey/options');
    expect(begun.status).toBe(200);
    expect(begun.body.options.allowCredentials ?? []).toEqual([]);
    const response = await d.get(begun.body.options);
    return api(
      'POST',
      '/v1/auth/passkey',
      { passkeyChallenge: begun.body.passkeyChallenge, response },
      { 'x-device-id': 'e2e-browser', ...headers },
    );
  };

  beforeAll(async () => {
    platform = await startPlatform({ user: true });
    api = platform.api;
    origin = platform.gatewayUrl.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
    // a page on another origin (another port of localhost: the same relying party id)
    const port = await freePort();
    elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>not the shop</p>');
    });
    await new Promise<void>((resolve) => elsewhere.listen(port, '127.0.0.1', resolve));
    elsewhereOrigin = `http://localhost:${port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (elsewhere ? elsewhere.close(resolve) : resolve(undefined)));
    await platform?.stop();
  });

  it('registers two passkeys, signs in with them, renames one, removes one', async () => {
    // an account with TOTP on, signed in with a second factor proved in the session
    expect(
      (await api('POST', '/v1/auth/register', { email: email('pk'), password: PASSWORD })).status,
    ).toBe(201);
    const first = await api('POST', '/v1/auth/login', {
      identifier: email('pk'),
      password: PASSWORD,
    });
    let token: string = first.body.tokens.accessToken;
    const stepUp = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSWORD', password: PASSWORD },
      bearer(token),
    );
    expect(stepUp.status).toBe(200);
    token = stepUp.body.accessToken;
    const enrol = await api('POST', '/v1/me/mfa/enrolment', undefined, bearer(token));
    expect(enrol.status).toBe(201);
    const confirmed = await api(
      'POST',
      '/v1/me/mfa/enrolment/confirm',
      { code: totpNow(enrol.body.secret) },
      bearer(token),
    );
    expect(confirmed.status).toBe(200);

    // two devices, each with its own authenticator: a phone and a laptop
    const phone = await device();
    const laptop = await device();
    const one = await registerPasskey(phone, token, 'Phone');
    expect(one.status).toBe(201);
    expect(one.body.passkey).toMatchObject({ name: 'Phone', lastUsedAt: null });
    // TOTP brought recovery codes already: none with the first passkey
    expect(one.body.recoveryCodes).toEqual([]);
    const two = await registerPasskey(laptop, token, 'Laptop');
    expect(two.status).toBe(201);
    const stored = await phone.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: phone.authenticatorId,
    });
    expect(stored.credentials).toHaveLength(1);
    expect(stored.credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    let list = await api('GET', '/v1/me/passkeys', undefined, bearer(token));
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['Laptop', 'Phone']);
    const [laptopKey, phoneKey] = list.body.items;

    // without a password: the phone's passkey names the account itself (a resident key)
    const signedIn = await passwordless(phone);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.account.email).toBe(email('pk'));
    const me = await api('GET', '/v1/me', undefined, bearer(signedIn.body.tokens.accessToken));
    expect(me.body).toMatchObject({ passkeyCount: 2, totpEnabled: true });

    // a password login with TOTP on: the laptop's passkey as its second factor
    const login = await api('POST', '/v1/auth/login', {
      identifier: email('pk'),
      password: PASSWORD,
    });
    expect(login.body).toMatchObject({ mfaRequired: true });
    expect(login.body.mfaMethods).toEqual(expect.arrayContaining(['TOTP', 'PASSKEY']));
    const second = await api('POST', '/v1/auth/passkey/options', {
      mfaChallenge: login.body.mfaChallenge,
    });
    expect(second.status).toBe(200);
    expect(second.body.passkeyChallenge).toBeUndefined();
    expect(second.body.options.allowCredentials.map((c: { id: string }) => c.id).sort()).toEqual(
      [laptopKey.id, phoneKey.id].sort(),
    );
    const finished = await api('POST', '/v1/auth/login/mfa', {
      challenge: login.body.mfaChallenge,
      method: 'PASSKEY',
      passkeyResponse: await laptop.get(second.body.options),
    });
    expect(finished.status).toBe(200);
    expect(finished.body.account.email).toBe(email('pk'));
    token = finished.body.tokens.accessToken;

    // renaming and removing are sensitive: a step-up first, here with the phone's passkey
    const ways = await api('GET', '/v1/me/step-up', undefined, bearer(token));
    expect(ways.body.methods).toEqual(expect.arrayContaining(['TOTP', 'PASSKEY']));
    const proved = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSKEY', passkeyResponse: await phone.get(ways.body.passkeyOptions) },
      bearer(token),
    );
    expect(proved.status).toBe(200);
    token = proved.body.accessToken;
    const renamed = await api(
      'PATCH',
      `/v1/me/passkeys/${phoneKey.id}`,
      { name: '我的手机' },
      bearer(token),
    );
    expect([renamed.status, renamed.body.name]).toEqual([200, '我的手机']);
    const removed = await api(
      'DELETE',
      `/v1/me/passkeys/${laptopKey.id}`,
      undefined,
      bearer(token),
    );
    expect(removed.status).toBe(204);
    list = await api('GET', '/v1/me/passkeys', undefined, bearer(token));
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: phoneKey.id,
        name: '我的手机',
        lastUsedAt: expect.any(String),
      }),
    ]);

    // the removed passkey is still in the laptop's authenticator, but signs in no more
    const refused = await passwordless(laptop);
    expect([refused.status, refused.body.code]).toEqual([401, 'PASSKEY_NOT_FOUND']);
    expect((await passwordless(phone)).status).toBe(200);
  });

  it('refuses an assertion made on another origin, and changes without a step-up', async () => {
    expect(
      (await api('POST', '/v1/auth/register', { email: email('origin'), password: PASSWORD }))
        .status,
    ).toBe(201);
    const login = await api('POST', '/v1/auth/login', {
      identifier: email('origin'),
      password: PASSWORD,
    });
    const plain: string = login.body.tokens.accessToken;
    // no step-up in this session yet: the passkey routes that change something refuse
    const refused = await api(
      'POST',
      '/v1/me/passkeys/registration-options',
      undefined,
      bearer(plain),
    );
    expect([refused.status, refused.body.code]).toEqual([403, 'STEP_UP_REQUIRED']);
    expect(refused.body.methods).toEqual(['PASSWORD']);
    const stepUp = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSWORD', password: PASSWORD },
      bearer(plain),
    );
    const token: string = stepUp.body.accessToken;
    const tab = await device();
    const registered = await registerPasskey(tab, token, '');
    expect(registered.status).toBe(201);
    // no TOTP and no codes left: the first passkey brings recovery codes, named "Passkey 1"
    expect(registered.body.passkey.name).toBe('Passkey 1');
    expect(registered.body.recoveryCodes).toHaveLength(10);

    // the same tab on another origin (another port: the browser allows rp id localhost there)
    // signs the shop's challenge; its client data names that origin: refused
    await tab.page.goto(`${elsewhereOrigin}/`);
    const begun = await api('POST', '/v1/auth/passkey/options');
    const response = await tab.get(begun.body.options);
    const answer = await api('POST', '/v1/auth/passkey', {
      passkeyChallenge: begun.body.passkeyChallenge,
      response,
    });
    expect([answer.status, answer.body.code]).toEqual([401, 'PASSKEY_VERIFICATION_FAILED']);
    expect(answer.body.detail).toContain('origin');
    // the challenge was used up by that attempt
    await tab.page.goto(`${origin}/v1/auth/jwks`);
    const again = await api('POST', '/v1/auth/passkey', {
      passkeyChallenge: begun.body.passkeyChallenge,
      response: await tab.get(begun.body.options),
    });
    expect([again.status, again.body.code]).toEqual([401, 'PASSKEY_CHALLENGE_INVALID']);
    expect((await passwordless(tab)).status).toBe(200);

    // bad input is a 400, never a 500
    const bad = await api('POST', '/v1/auth/passkey', {
      passkeyChallenge: 'x',
      response: { id: 'not base64url!' },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'PASSKEY_RESPONSE_INVALID']);
  });
});
