import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { testEnv, testLogger } from '@emporia/testing';
import { logEntry } from '../src/domain/search-log';
import { EsSearchLog, SearchStores } from '../src/infrastructure/elasticsearch-stores';

/**
 * The search log's writes on the real Elasticsearch: the same search made many times in a second
 * is one document with its count, and the readers (top and zero-result queries, suggestions) sum
 * the counts, a document written before the count existed counting once.
 */
describe('search log (real Elasticsearch)', () => {
  const prefix = `it-log-${randomUUID().slice(0, 8)}-`;
  const es = new Client({ node: testEnv.elasticsearchUrl() });
  const stores = new SearchStores(es, prefix);
  const index = stores.index('log');
  const docs = async (query: string) => {
    await es.indices.refresh({ index });
    const res = await es.search<{ searches?: number }>({
      index,
      size: 100,
      query: { term: { query } },
    });
    return res.hits.hits.map((h) => h._source!);
  };

  beforeAll(async () => {
    await stores.ensure();
  });
  afterAll(async () => {
    await fetch(`${testEnv.elasticsearchUrl()}/${prefix}*`, { method: 'DELETE' });
    await es.close();
  });

  it('writes the searches of one second as one document per search, and counts every search', async () => {
    const log = new EsSearchLog(stores, testLogger('search'));
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    const at = (ms: number) => new Date(second.getTime() + ms);
    for (let i = 0; i < 40; i++) log.record(logEntry('降噪 耳机', 12, false, 'RELEVANCE', at(i))!);
    for (let i = 0; i < 5; i++)
      log.record(logEntry('降噪 耳机', 0, true, 'RELEVANCE', at(50 + i))!);
    for (let i = 0; i < 3; i++) log.record(logEntry('nothing here', 0, false, 'SALES', at(60))!);
    // the next second: another document
    log.record(logEntry('降噪 耳机', 12, false, 'RELEVANCE', at(1000))!);
    await log.close();

    const written = await docs('降噪 耳机');
    expect(written.map((d) => d.searches).sort((a, b) => a! - b!)).toEqual([1, 5, 40]);
    expect(written.find((d) => d.searches === 40)).toMatchObject({ at: at(39).toISOString() });

    // a document from before the count (no `searches`): one search
    await es.index({
      index,
      document: {
        query: 'nothing here',
        raw: 'nothing here',
        results: 0,
        filtered: false,
        sort: 'SALES',
        at: at(70).toISOString(),
      },
      refresh: true,
    });

    const window = { since: second, until: at(2000), zeroResultsOnly: false, limit: 10 };
    const top = await log.top(window);
    expect(top.totalSearches).toBe(40 + 5 + 1 + 3 + 1);
    expect(top.queries).toEqual([
      {
        query: '降噪 耳机',
        searches: 46,
        zeroResultSearches: 5,
        averageResults: (41 * 12) / 46,
        lastSearchedAt: at(1000).toISOString(),
      },
      {
        query: 'nothing here',
        searches: 4,
        zeroResultSearches: 4,
        averageResults: 0,
        lastSearchedAt: at(70).toISOString(),
      },
    ]);
    const zero = await log.top({ ...window, zeroResultsOnly: true });
    expect(zero.queries.map((q) => [q.query, q.searches])).toEqual([
      ['降噪 耳机', 5],
      ['nothing here', 4],
    ]);
    // a window's edge counts a second's searches by the last of them: at most a second off
    expect((await log.top({ ...window, until: at(39) })).totalSearches).toBe(0);
    expect((await log.top({ ...window, until: at(40) })).totalSearches).toBe(40);
  });

  it('suggests the queries searched most, by their counts', async () => {
    const log = new EsSearchLog(stores, testLogger('search'));
    const now = new Date();
    for (let i = 0; i < 9; i++) log.record(logEntry('tea pot', 3, false, 'RELEVANCE', now)!);
    log.record(logEntry('tea cup', 3, false, 'RELEVANCE', now)!);
    log.record(logEntry('tea cup', 3, true, 'RELEVANCE', now)!);
    await log.close();
    await es.indices.refresh({ index });
    expect(await log.popularWithPrefix('tea', 2)).toEqual(['tea pot', 'tea cup']);
    expect(await log.popularWithPrefix('tea', 1)).toEqual(['tea pot']);
  });
});
