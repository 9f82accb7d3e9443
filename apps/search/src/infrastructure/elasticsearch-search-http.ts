import { Pool } from 'undici';

/** An answer of `_search`: its HTTP status and parsed JSON body. */
export interface SearchAnswer {
  status: number;
  body: unknown;
}

/** Sends one `_search` request (the hot path's only Elasticsearch call). */
export type SearchTransport = (path: string, body: object) => Promise<SearchAnswer>;

/**
 * `_search` straight over a keep-alive undici pool to ELASTICSEARCH_URL, without the client's
 * per-request machinery (@elastic/transport's serializer, product check, compatibility headers,
 * diagnostics, secure-json-parse): the same body and `filter_path` as the client sent. Like the
 * client (`maxRetries: 2`, `requestTimeout: 10000`), a failed connection or a 502/503/504 is
 * retried twice, and a request gives up after 10 s. Credentials in the URL are sent as basic
 * authentication.
 */
export function undiciSearchTransport(
  url: string,
  opts: { connections?: number; timeoutMs?: number; retries?: number } = {},
): { send: SearchTransport; close: () => Promise<void> } {
  const u = new URL(url);
  const timeout = opts.timeoutMs ?? 10_000;
  const retries = opts.retries ?? 2;
  const pool = new Pool(u.origin, {
    connections: opts.connections ?? 32,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const base = u.pathname.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (u.username || u.password)
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  const send: SearchTransport = async (path, body) => {
    const payload = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await pool.request({
          method: 'POST',
          path: base + path,
          headers,
          body: payload,
          signal: AbortSignal.timeout(timeout),
        });
      } catch (e) {
        if (attempt < retries && retriable(e)) continue;
        throw e;
      }
      if (attempt < retries && res.statusCode >= 502 && res.statusCode <= 504) {
        await res.body.dump();
        continue;
      }
      return { status: res.statusCode, body: JSON.parse(await res.body.text()) as unknown };
    }
  };
  return { send, close: () => pool.close() };
}

/** Connection failures worth another attempt (not a timeout: the search already took 10 s). */
const retriable = (e: unknown) => {
  const code = (e as { code?: string }).code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code) ||
    code.startsWith('UND_ERR_CONNECT')
  );
};
