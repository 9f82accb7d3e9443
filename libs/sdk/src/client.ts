import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { v4 as uuidv4 } from 'uuid';
import type { components, paths } from './gen/openapi';
import { GUEST_TOKEN_ROUTES, IDEMPOTENT_ROUTES } from './gen/routes';
import { ProblemError } from './problem';

export type Tokens = components['schemas']['TokensView'];
/** A step-up: the method and its proof (`POST /v1/me/step-up`). */
export type StepUpInput = components['schemas']['StepUpDto'];
export type Account = components['schemas']['AccountView'];

/** What a client keeps between calls: the signed-in session's tokens, and a guest cart's token. */
export interface StoredSession {
  tokens?: Tokens;
  account?: Account;
  guestToken?: string;
}

/** Where a client keeps its session (in memory by default; `webStorageSessionStore` in a browser). */
export interface SessionStore {
  load(): StoredSession;
  save(session: StoredSession): void;
}

export function memorySessionStore(initial: StoredSession = {}): SessionStore {
  let session = initial;
  return { load: () => session, save: (next) => (session = next) };
}

/**
 * A session kept in a Web Storage (`sessionStorage` keeps it for the tab, surviving a reload;
 * `localStorage` across tabs and restarts). A value that cannot be read is an empty session.
 */
export function webStorageSessionStore(
  storage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  },
  key = 'emporia.session',
): SessionStore {
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        return raw ? (JSON.parse(raw) as StoredSession) : {};
      } catch {
        return {};
      }
    },
    save(session) {
      if (!session.tokens && !session.guestToken) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(session));
    },
  };
}

export interface EmporiaClientOptions {
  /** The gateway's public URL, e.g. `https://api.shop.example` (in a browser, `location.origin`). */
  baseUrl: string;
  /** The fetch to use (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
  store?: SessionStore;
  /** Sent as X-Device-Id on every request, so the platform recognises a new device. */
  deviceId?: string;
  /** Refresh the access token when it expires within this many milliseconds (default 30 s). */
  refreshAheadMs?: number;
  /** Called when the session ended and could not be refreshed (signed out elsewhere, frozen, expired). */
  onSessionEnded?: (reason: ProblemError) => void;
  /** Called whenever the session changes (sign-in, refresh, sign-out). */
  onSessionChange?: (session: StoredSession) => void;
  /** The clock (tests). */
  now?: () => number;
}

export type SignInResult =
  | { status: 'signed-in'; account: Account; mergedGuestCart: boolean }
  | { status: 'mfa-required'; account: Account; challenge: string; expiresAt?: string };

export interface EmporiaClient {
  /**
   * The typed client of every gateway route (openapi-fetch): `api.GET('/v1/products/{id}',
   * { params: { path: { id } } })`. A refused request throws a `ProblemError`; wrap a call in `ok()`
   * for its data alone.
   */
  readonly api: Client<paths>;
  /** Signs in; with MFA on the account, finish with `completeMfa`. A guest cart is merged. */
  signIn(identifier: string, password: string): Promise<SignInResult>;
  /**
   * Finishes a sign-in with a second factor: a TOTP or recovery code (the method read from its
   * shape), or an SMS code with `method: 'SMS'` (sent by `POST /v1/auth/login/mfa/sms`).
   */
  completeMfa(
    challenge: string,
    code: string,
    method?: 'TOTP' | 'SMS' | 'RECOVERY_CODE',
  ): Promise<{ account: Account; recoveryCodesLeft?: number; mergedGuestCart: boolean }>;
  /**
   * Proves a second factor now (`POST /v1/me/step-up`) and keeps the new access token it answers,
   * so the sensitive change that follows (a password, e-mail or phone change, a large order to a
   * new address) is sent with it. Returns until when the step-up holds.
   */
  stepUp(input: StepUpInput): Promise<{ steppedUpAt: string; validUntil: string }>;
  /** Ends the session on the server (its refresh token) and forgets it here. */
  signOut(): Promise<void>;
  /** A new access token now (calls are refreshed on their own; this is for a caller that must). */
  refresh(): Promise<Tokens>;
  /** The guest cart's token, issued on first use and kept in the store. */
  guestToken(): Promise<string>;
  readonly session: StoredSession;
  readonly signedIn: boolean;
}

/** A new Idempotency-Key: keep it to retry a write safely (the same key is the same write). */
export function newIdempotencyKey(): string {
  return uuidv4();
}

/**
 * The data of a call, for `await ok(api.GET(...))`: the client throws a `ProblemError` for a
 * refused request, so a result here always has its data (undefined only for a 204).
 */
export async function ok<R extends { data?: unknown }>(
  call: Promise<R> | R,
): Promise<Exclude<R['data'], undefined>> {
  const result = await call;
  return result.data as Exclude<R['data'], undefined>;
}

/** Codes on a 401 that a fresh access token cures. */
const REFRESHABLE = new Set(['TOKEN_EXPIRED']);
/** Routes that never carry the session's access token. */
const WITHOUT_BEARER = new Set([
  'POST /v1/auth/login',
  'POST /v1/auth/login/mfa',
  'POST /v1/auth/refresh',
  'POST /v1/auth/register',
]);

/** A client of the gateway for browsers and Node.js: typed routes, sessions, idempotency, problems. */
export function createEmporiaClient(options: EmporiaClientOptions): EmporiaClient {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const store = options.store ?? memorySessionStore();
  const now = options.now ?? Date.now;
  const refreshAheadMs = options.refreshAheadMs ?? 30_000;
  const save = (session: StoredSession) => {
    store.save(session);
    options.onSessionChange?.(session);
  };

  /** Throws the problem of every refused answer. */
  const problems: Middleware = {
    async onResponse({ request, response }) {
      if (!response.ok) throw await ProblemError.from(request, response);
      return undefined;
    },
  };
  // sign-in and refresh: no session handling, only problems
  const headers = options.deviceId ? { 'x-device-id': options.deviceId } : undefined;
  const bare = createClient<paths>({ baseUrl: options.baseUrl, fetch: baseFetch, headers });
  bare.use(problems);

  let refreshing: Promise<Tokens> | undefined;
  const refresh = (): Promise<Tokens> => {
    refreshing ??= (async () => {
      const refreshToken = store.load().tokens?.refreshToken;
      try {
        if (!refreshToken)
          throw new ProblemError(
            {
              type: 'about:blank',
              title: 'Unauthorized',
              status: 401,
              detail: 'not signed in',
              code: 'AUTHENTICATION_REQUIRED',
            },
            'POST',
            '/v1/auth/refresh',
          );
        const tokens = await ok(bare.POST('/v1/auth/refresh', { body: { refreshToken } }));
        save({ ...store.load(), tokens });
        return tokens;
      } catch (error) {
        if (error instanceof ProblemError && error.status === 401) {
          const { guestToken } = store.load();
          save({ guestToken });
          options.onSessionEnded?.(error);
        }
        throw error;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const retries = new Map<string, Request>();
  const session: Middleware = {
    async onRequest({ request, schemaPath, id }) {
      const route = `${request.method} ${schemaPath}`;
      if (IDEMPOTENT_ROUTES.has(route) && !request.headers.has('idempotency-key'))
        request.headers.set('idempotency-key', newIdempotencyKey());
      const { guestToken } = store.load();
      let { tokens } = store.load();
      if (tokens && !WITHOUT_BEARER.has(route) && !request.headers.has('authorization')) {
        if (Date.parse(tokens.accessExpiresAt) - now() < refreshAheadMs)
          tokens = await refresh().catch(() => undefined);
        if (tokens) {
          request.headers.set('authorization', `Bearer ${tokens.accessToken}`);
          // a copy to send again with a new token if this one turns out expired
          retries.set(id, request.clone());
        }
      } else if (!tokens && guestToken && GUEST_TOKEN_ROUTES.has(route))
        request.headers.set('x-guest-token', guestToken);
      return request;
    },
    async onResponse({ response, id }) {
      const copy = retries.get(id);
      retries.delete(id);
      if (response.status !== 401 || !copy) return undefined;
      const code = await response
        .clone()
        .json()
        .then((p: unknown) => (p as { code?: unknown } | null)?.code)
        .catch(() => undefined);
      if (typeof code !== 'string' || !REFRESHABLE.has(code)) return undefined;
      const tokens = await refresh().catch(() => undefined);
      if (!tokens) return undefined;
      copy.headers.set('authorization', `Bearer ${tokens.accessToken}`);
      return baseFetch(copy);
    },
    onError({ id }) {
      retries.delete(id);
      return undefined;
    },
  };

  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: baseFetch, headers });
  // problems run last on a response (middlewares see responses in reverse order)
  api.use(problems, session);

  const mergeGuestCart = async (): Promise<boolean> => {
    const { guestToken } = store.load();
    if (!guestToken) return false;
    try {
      await api.POST('/v1/cart/merge', { body: { guestToken } });
      return true;
    } catch (error) {
      // a guest token the server no longer knows (expired, merged elsewhere) has nothing to merge
      if (error instanceof ProblemError && error.status < 500) return false;
      throw error;
    } finally {
      const current = store.load();
      if (current.guestToken === guestToken) save({ ...current, guestToken: undefined });
    }
  };

  return {
    api,
    async signIn(identifier, password) {
      const login = await ok(bare.POST('/v1/auth/login', { body: { identifier, password } }));
      if (login.mfaRequired || !login.tokens)
        return {
          status: 'mfa-required',
          account: login.account,
          challenge: login.mfaChallenge ?? '',
          expiresAt: login.mfaChallengeExpiresAt,
        };
      save({ ...store.load(), tokens: login.tokens, account: login.account });
      return {
        status: 'signed-in',
        account: login.account,
        mergedGuestCart: await mergeGuestCart(),
      };
    },
    async completeMfa(challenge, code, method) {
      const done = await ok(
        bare.POST('/v1/auth/login/mfa', {
          body: method ? { challenge, code, method } : { challenge, code },
        }),
      );
      save({ ...store.load(), tokens: done.tokens, account: done.account });
      return {
        account: done.account,
        recoveryCodesLeft: done.recoveryCodesLeft,
        mergedGuestCart: await mergeGuestCart(),
      };
    },
    async stepUp(input) {
      const done = await ok(api.POST('/v1/me/step-up', { body: input }));
      const { tokens } = store.load();
      if (tokens)
        save({
          ...store.load(),
          tokens: {
            ...tokens,
            accessToken: done.accessToken,
            accessExpiresAt: done.accessExpiresAt,
          },
        });
      return { steppedUpAt: done.steppedUpAt, validUntil: done.validUntil };
    },
    async signOut() {
      const { tokens, guestToken } = store.load();
      save({ guestToken });
      if (!tokens) return;
      try {
        await bare.POST('/v1/auth/logout', {
          body: { refreshToken: tokens.refreshToken },
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        });
      } catch (error) {
        // a session already ended on the server is signed out
        if (!(error instanceof ProblemError && error.status === 401)) throw error;
      }
    },
    refresh,
    async guestToken() {
      const existing = store.load().guestToken;
      if (existing) return existing;
      const { guestToken } = await ok(bare.POST('/v1/cart/guest-token'));
      save({ ...store.load(), guestToken });
      return guestToken;
    },
    get session() {
      return store.load();
    },
    get signedIn() {
      return store.load().tokens !== undefined;
    },
  };
}
