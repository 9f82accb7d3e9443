import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemError, problemBody } from './problem';
import { routeDuration } from './request-context';

/**
 * The gateway's HTTP hygiene: security headers on every answer (helmet), `no-store` on answers that carry
 * tokens or secrets, 405 with `Allow` for a known path, and problem+json (never echoing the URL)
 * for what Fastify and Node answer before any route: a URI or path parameter too long (414),
 * headers too large (431), a malformed request (400).
 */

/** Longest request target (path and query) taken; longer is 414. Node stops at 16 KiB of headers. */
export const MAX_URL_LENGTH = 8192;
/** Longest path parameter (Fastify's default maxParamLength); ids are 36 characters. Longer is 414. */
export const MAX_PARAM_LENGTH = 100;

/** Routes whose answers carry tokens, MFA secrets or recovery codes: never stored by a cache. */
export const NO_STORE_ROUTES: ReadonlySet<string> = new Set([
  '/v1/auth/register',
  '/v1/auth/login',
  '/v1/auth/login/mfa',
  '/v1/auth/refresh',
  '/v1/me/mfa/enrolment',
  '/v1/me/mfa/enrolment/confirm',
]);

const isDocs = (url = '') =>
  url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
/**
 * The console's inline style elements, allowed by hash (no `'unsafe-inline'`): React Aria adds two
 * rules of its own at run time — `touch-action` on pressable elements (usePress) and, on iOS,
 * `overscroll-behavior` under a modal (usePreventScroll). console-csp.spec.ts recomputes them from
 * the installed React Aria, so an upgrade that changes them fails there, not in a browser.
 */
export const CONSOLE_STYLE_HASHES = [
  "'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o='",
  "'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='",
];

/** The operator console's pages and assets (apps/console, served under /admin). */
export const isConsole = (url = '') =>
  url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?');

/**
 * Security headers from helmet, its defaults for an API: nothing may frame, sniff or embed the
 * answers (X-Frame-Options DENY, a CSP of `'none'`), no referrer; HSTS only when
 * `hstsMaxAgeSeconds` > 0 (behind TLS). Swagger UI at /docs gets its own scripts, styles and
 * images; the operator console at /admin its own scripts, styles, images and API calls (same
 * origin only, no inline script). The helmet middlewares are built once (@fastify/helmet built
 * one per request) and run once (`helmetHeaders`): each request gets the headers they set.
 */
export async function registerSecurityHeaders(
  app: NestFastifyApplication,
  hstsMaxAgeSeconds: number,
): Promise<ReturnType<typeof helmetHeaders>> {
  const csp = (docs: boolean, value: string) => [docs ? value : "'none'"];
  const headersFor = (docs: boolean) =>
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: csp(docs, "'self'"),
          scriptSrc: csp(docs, "'self'"),
          styleSrc: csp(docs, "'self' 'unsafe-inline'"),
          imgSrc: csp(docs, "'self' data:"),
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity:
        hstsMaxAgeSeconds > 0 ? { maxAge: hstsMaxAgeSeconds, includeSubDomains: true } : false,
    });
  const api = helmetHeaders(headersFor(false));
  const docs = helmetHeaders(headersFor(true));
  const console = helmetHeaders(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", ...CONSOLE_STYLE_HASHES],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity:
        hstsMaxAgeSeconds > 0 ? { maxAge: hstsMaxAgeSeconds, includeSubDomains: true } : false,
    }),
  );
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply, done) => {
      const url = req.raw.url;
      const { set, removed } = isConsole(url) ? console : isDocs(url) ? docs : api;
      const res = reply.raw;
      for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
      for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
      done();
    });
  // the API's headers, for answers made before Fastify (the flash-sale shortcut)
  return Promise.resolve(api);
}

/**
 * What a helmet middleware does to a response, found once by running it on a recording stand-in:
 * its options here are static (no nonces, nothing read from the request), so every response gets
 * the same headers, set per request without running its dozen middlewares each time.
 */
export function helmetHeaders(middleware: ReturnType<typeof helmet>): {
  set: [string, string | string[]][];
  removed: string[];
} {
  const set = new Map<string, string | string[]>();
  const removed = new Set<string>();
  const res = {
    setHeader(name: string, value: string | string[]) {
      removed.delete(name.toLowerCase());
      set.set(name.toLowerCase(), value);
      return res;
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase());
      removed.add(name.toLowerCase());
    },
  };
  let failed: unknown;
  let called = false;
  middleware({ url: '/', headers: {} } as never, res as never, (err?: unknown) => {
    called = true;
    failed = err;
  });
  if (!called || failed) throw new Error(`helmet did not finish synchronously: ${String(failed)}`);
  return { set: [...set], removed: [...removed] };
}

/**
 * Answers made before any route or hook runs (a malformed request line, headers too large)
 * carry the least of those headers by hand: they are problem+json and embed nothing.
 */
const RAW_ANSWER_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** Every route's methods by path pattern, to tell 405 (known path) from 404. */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  /** Routes without parameters by path: such a path is theirs alone, whatever a pattern matches. */
  private readonly statics = new Map<string, Set<string>>();

  /** Records routes as Fastify registers them; call before the app initialises its routes. */
  track(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const segments = route.url.split('/');
      if (!segments.some((s) => s.startsWith(':') || s.includes('*'))) {
        const known = this.statics.get(route.url) ?? new Set<string>();
        methods.forEach((m) => known.add(m));
        this.statics.set(route.url, known);
      }
      const source = segments
        .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      const existing = this.routes.find((r) => r.pattern.source === `^${source}$`);
      if (existing) methods.forEach((m) => existing.methods.add(m));
      else this.routes.push({ pattern: new RegExp(`^${source}$`), methods: new Set(methods) });
    });
  }

  /**
   * The methods a path takes (sorted), empty when no route has that path. A path of a route
   * without parameters takes that route's methods only (`/v1/admin/promotions/preview` is not an
   * id of `/v1/admin/promotions/{id}`).
   */
  allowed(url: string): string[] {
    const path = url.split('?')[0];
    const own = this.statics.get(path);
    if (own) return [...own].sort();
    const methods = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  }

  /**
   * For a request Fastify would give to a pattern although its path is a route's without
   * parameters that does not take its method (`PUT /v1/admin/promotions/preview` reaching
   * `PUT /v1/admin/promotions/{id}`): that path's methods, to answer 405; otherwise undefined.
   */
  shadowed(method: string, url: string): string[] | undefined {
    const own = this.statics.get(url.split('?')[0]);
    if (!own || own.has(method) || (method === 'HEAD' && own.has('GET'))) return undefined;
    return [...own].sort();
  }
}

/** No-store on answers with tokens, and the URL length limit, as Fastify hooks. */
export function installHttpHygiene(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req: FastifyRequest, _reply, done) => {
    if (req.url.length > MAX_URL_LENGTH)
      return done(
        new ProblemError(
          414,
          'URI_TOO_LONG',
          `the request URI is longer than ${MAX_URL_LENGTH} characters`,
        ),
      );
    done();
  });
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (NO_STORE_ROUTES.has(req.routeOptions.url ?? ''))
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    done(null, payload);
  });
}

/**
 * Fastify server options for what is answered before any route: problem+json without the URL
 * (an over-long URL is no one's business to read back), with the security headers; and no plain
 * 503 of Fastify's while it closes (see installDrain).
 */
export function edgeServerOptions(): Pick<
  FastifyServerOptions,
  'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'
> {
  const headers = RAW_ANSWER_HEADERS;
  return {
    // while closing, requests get the gateway's own 503 problem (installDrain), not Fastify's
    return503OnClosing: false,
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const [status, code, detail] =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? [414, 'URI_TOO_LONG', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`]
          : error.code === 'FST_ERR_BAD_URL'
            ? [400, 'BAD_URL', 'the path is not valid percent-encoded UTF-8']
            : [400, 'BAD_REQUEST', 'the request cannot be routed'];
      void reply
        .status(status)
        .headers(headers)
        .header('content-type', 'application/problem+json')
        .send(problemBody(status, code, detail));
      // no hook runs for the router's own refusals: counted here like any unmatched request
      // (Fastify keeps no start time for them: their duration is the route lookup's, ~0)
      routeDuration(req.method, 'unmatched', status).observe(reply.elapsedTime / 1000);
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, code, detail] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB']
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
            : [400, 'BAD_REQUEST', 'the request is not valid HTTP/1.1'];
      const body = JSON.stringify(problemBody(status, code, detail));
      if (socket.writable)
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
            Object.entries(headers)
              .map(([k, v]) => `${k}: ${v}\r\n`)
              .join('') +
            `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      socket.destroy(error);
    },
  };
}
