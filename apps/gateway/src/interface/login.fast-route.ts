import type { UserBackend } from '../application/ports';
import type { LoginView } from './dto/user.dto';
import { PASS, type FastRoute } from './fast-route';
import { clientOf, deviceIdOf, loginView } from './user-mappers';

/**
 * `POST /v1/auth/login` on the fast-route kit: the same answer as the Nest route
 * (AuthHttpController.login) without Nest's router and ValidationPipe. A public route with no
 * gateway rate limit (the user service throttles sign-ins per account and address). The body is
 * checked here (`credentialsOf`) for exactly what LoginDto accepts; anything else is left to the
 * Nest route, which answers its 400 problem as always.
 */
export function loginRoute(users: UserBackend): FastRoute {
  return {
    method: 'POST',
    url: '/v1/auth/login',
    handle: async ({ req, ctx }): Promise<LoginView | typeof PASS> => {
      const credentials = credentialsOf(req.body);
      if (credentials === undefined) return PASS;
      const r = await users.login(ctx, {
        ...credentials,
        ...clientOf(req),
        deviceId: deviceIdOf(req.headers['x-device-id']),
      });
      return loginView(r);
    },
  };
}

/**
 * The credentials of a body LoginDto accepts as it is (an object with exactly `identifier`, a
 * string of 1 to 254 characters, and `password`, 1 to 128), or undefined (left to the Nest
 * route). Strings holding UTF-16 surrogates or variation selectors are left to it too:
 * class-validator counts a pair as one character and a selector as none, `length` each unit.
 */
export function credentialsOf(body: unknown): { identifier: string; password: string } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 2) return undefined;
  const { identifier, password } = body as { identifier?: unknown; password?: unknown };
  return plain(identifier, 254) && plain(password, 128) ? { identifier, password } : undefined;
}

/** What class-validator's length does not count as a character: surrogates, variation selectors. */
const SURROGATE = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;

function plain(s: unknown, max: number): s is string {
  return typeof s === 'string' && s.length >= 1 && s.length <= max && !SURROGATE.test(s);
}
