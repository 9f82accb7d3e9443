import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { testEnv } from '@emporia/testing';
import {
  ElasticsearchSearcher,
  SearchResponseError,
} from '../src/infrastructure/elasticsearch-searcher';

/**
 * The product searches' own request to Elasticsearch (undici, not the client), on the real
 * Elasticsearch: answers parsed, error statuses as SearchResponseError with their status, a
 * path under the URL's, and a server that refuses connections tried again, then given up.
 */
describe('ElasticsearchSearcher (real Elasticsearch)', () => {
  const url = testEnv.elasticsearchUrl();
  const index = `it-searcher-${randomUUID().slice(0, 8)}`;
  const searcher = new ElasticsearchSearcher(url);

  beforeAll(async () => {
    const put = await fetch(`${url}/${index}/_doc/1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'phone' }),
    });
    expect(put.status).toBe(201);
  });
  afterAll(async () => {
    await fetch(`${url}/${index}`, { method: 'DELETE' });
    await searcher.close();
  });

  it("answers Elasticsearch's answer, parsed, keeping only what filter_path asks", async () => {
    const res = await searcher.search<Record<string, unknown>>(
      index,
      `filter_path=${encodeURIComponent('hits.total,hits.hits._source')}`,
      JSON.stringify({ query: { match: { title: 'phone' } }, track_total_hits: true }),
    );
    expect(res).toEqual({
      hits: { total: { value: 1, relation: 'eq' }, hits: [{ _source: { title: 'phone' } }] },
    });
  });

  it('throws SearchResponseError with the status for an error answer (a bad body: 400; no index: 404)', async () => {
    const bad = await searcher.search(index, '', '{"query":{"nope":{}}}').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SearchResponseError);
    expect((bad as SearchResponseError).statusCode).toBe(400);
    expect((bad as Error).message).toMatch(/^Elasticsearch answered 400: .*nope/);
    const missing = await searcher.search(`${index}-none`, '', '{}').catch((e: unknown) => e);
    expect((missing as SearchResponseError).statusCode).toBe(404);
  });

  it("sends under the URL's path (a trailing slash or not) with its credentials", async () => {
    for (const base of [`${url}/`, url.replace('://', '://reader:s%40cret@')]) {
      const s = new ElasticsearchSearcher(base);
      try {
        const res = await s.search<{ hits: { total: { value: number } } }>(index, '', '{}');
        expect(res.hits.total.value).toBe(1);
      } finally {
        await s.close();
      }
    }
    expect(
      ElasticsearchSearcher.headersFor(new URL('http://reader:s%40cret@es:9200')).authorization,
    ).toBe(`Basic ${Buffer.from('reader:s@cret').toString('base64')}`);
    expect(ElasticsearchSearcher.headersFor(new URL(url)).authorization).toBeUndefined();
  });

  it('tries a refused connection twice more, then gives up with the connection error', async () => {
    // a port nothing listens on: taken, then freed
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    let connections = 0;
    const s = new ElasticsearchSearcher(`http://127.0.0.1:${port}`);
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    try {
      // nothing listens: refused three times
      await expect(s.search(index, '', '{}')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // a server that drops every connection: tried three times, then the socket's error
      await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
      await expect(s.search(index, '', '{}')).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
      expect(connections).toBe(3);
    } finally {
      await s.close();
      await new Promise((r) => listener.close(r));
    }
  });
});
