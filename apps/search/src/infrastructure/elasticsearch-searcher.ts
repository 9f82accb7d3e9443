import { Pool } from 'undici';
import { inClientSpan, type ResourceSpec } from '@emporia/platform';

/** Elasticsearch answered a search with an error status (its body kept for the message). */
export class SearchResponseError extends Error {
  constructor(
    readonly statusCode: number,
    body: string,
  ) {
    super(`Elasticsearch answered ${statusCode}: ${body.slice(0, 500)}`);
    this.name = 'SearchResponseError';
  }
}

export interface ElasticsearchSearcherOptions {
  /** How long a search may wait for its answer's headers, and then between its body's chunks. */
  timeoutMs?: number;
  /** Connections kept to Elasticsearch at most. */
  connections?: number;
  /** Attempts again after a dropped connection or a 502, 503 or 504 (as the client's maxRetries). */
  retries?: number;
}

/** An error of the connection itself (not an answer): the request may be sent again. */
const CONNECTION_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET']);
const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * The product searches sent to Elasticsearch with undici directly, not through the 8.x client:
 * the search is the service's hot path, and the client's transport around each request (its
 * options, events and diagnostics, product check, streams, abort signals, secure-json-parse) cost
 * ~0.1 ms of CPU per search measured alone (one process, the benchmark's searches, 8 KB answers:
 * 0.36–0.41 ms with the client, 0.26–0.29 ms like this); in the platform's benchmark the gain was
 * within noise (apps/search/README.md, "The search request without the client's transport").
 * What the client did for a search is kept: the URL's credentials (basic auth), a timeout, two
 * retries after a dropped connection or a 502/503/504, an error for any other status, and a
 * CLIENT span (`search`, db.system elasticsearch) where the request is traced. Every other call
 * keeps the client.
 */
export class ElasticsearchSearcher {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  /** The URL's path (Elasticsearch behind a proxy's path), without its last slash. */
  private readonly base: string;
  private readonly retries: number;

  constructor(url: string, opts: ElasticsearchSearcherOptions = {}) {
    const u = new URL(url);
    this.headers = ElasticsearchSearcher.headersFor(u);
    this.base = u.pathname.replace(/\/+$/, '');
    this.retries = opts.retries ?? 2;
    const timeout = opts.timeoutMs ?? 10_000;
    this.pool = new Pool(u.origin, {
      connections: opts.connections ?? 32,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  }

  /** Every search's headers: JSON, and the URL's credentials as basic auth (as the client sends). */
  static headersFor(u: URL): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (u.username || u.password) {
      const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    }
    return headers;
  }

  /**
   * Elasticsearch's answer to `body` (JSON) searched in `index`, with `query` (already encoded) as
   * the URL's query. Throws SearchResponseError for an error status, or the connection's error.
   */
  search<T>(index: string, query: string, body: string): Promise<T> {
    const path = `${this.base}/${encodeURIComponent(index)}/_search?${query}`;
    return inClientSpan(
      'search',
      {
        'db.system': 'elasticsearch',
        'db.operation': 'search',
        'db.elasticsearch.path_parts.index': index,
      },
      () => this.send<T>(path, body),
    );
  }

  private async send<T>(path: string, body: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const again = attempt < this.retries;
      let statusCode: number;
      let text: string;
      try {
        const res = await this.pool.request({ method: 'POST', path, headers: this.headers, body });
        statusCode = res.statusCode;
        text = await res.body.text();
      } catch (e) {
        if (again && CONNECTION_ERRORS.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
      if (statusCode < 300) return JSON.parse(text) as T;
      if (again && RETRIED_STATUSES.has(statusCode)) continue;
      throw new SearchResponseError(statusCode, text);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The searcher as a resource of the service: opened with the others, closed at shutdown. */
export function elasticsearchSearcherResource(
  url: string,
  opts?: ElasticsearchSearcherOptions,
): ResourceSpec<ElasticsearchSearcher> {
  return {
    kind: 'client',
    async open() {
      const searcher = new ElasticsearchSearcher(url, opts);
      // the cluster's health is the Elasticsearch client's readiness check (same server)
      return { value: searcher, close: () => searcher.close() };
    },
  };
}
