import { gaugesReadOnScrape, metricsRegistry } from './metrics';

const value = (text: string, name: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name} `))
      ?.split(' ')[1],
  );

describe('gauges read on scrape', () => {
  const gauges = {
    a: { name: 'test_scraped_a', help: 'a' },
    b: { name: 'test_scraped_b', help: 'b' },
  };

  it('reads once per scrape for all its gauges; a failed or slow read keeps the last values', async () => {
    let reads = 0;
    let next: () => Promise<{ a: number; b: number }> = async () => ({ a: 1, b: 2 });
    const errors: unknown[] = [];
    const detach = gaugesReadOnScrape(
      gauges,
      () => {
        reads++;
        return next();
      },
      { timeoutMs: 100, onError: (e) => errors.push(e) },
    );
    try {
      let text = await metricsRegistry.metrics();
      expect([value(text, 'test_scraped_a'), value(text, 'test_scraped_b'), reads]).toEqual([
        1, 2, 1,
      ]);
      next = async () => ({ a: 3, b: 4 });
      text = await metricsRegistry.metrics();
      expect([value(text, 'test_scraped_a'), value(text, 'test_scraped_b'), reads]).toEqual([
        3, 4, 2,
      ]);
      next = () => Promise.reject(new Error('redis down'));
      text = await metricsRegistry.metrics();
      expect([value(text, 'test_scraped_a'), value(text, 'test_scraped_b')]).toEqual([3, 4]);
      next = () => new Promise(() => undefined); // never answers
      const started = Date.now();
      text = await metricsRegistry.metrics();
      expect(Date.now() - started).toBeLessThan(2000);
      expect([value(text, 'test_scraped_a'), value(text, 'test_scraped_b')]).toEqual([3, 4]);
      expect(errors.map((e) => (e as Error).message)).toEqual([
        'redis down',
        'no answer within 100 ms',
      ]);
    } finally {
      detach();
    }
  });

  it('a later registration takes over; once detached, nothing is read', async () => {
    let firstReads = 0;
    const first = gaugesReadOnScrape(gauges, async () => {
      firstReads++;
      return { a: 10, b: 20 };
    });
    let secondReads = 0;
    const second = gaugesReadOnScrape(gauges, async () => {
      secondReads++;
      return { a: 30, b: 40 };
    });
    let text = await metricsRegistry.metrics();
    expect([value(text, 'test_scraped_a'), firstReads, secondReads]).toEqual([30, 0, 1]);
    first(); // detaching the replaced one changes nothing
    text = await metricsRegistry.metrics();
    expect([value(text, 'test_scraped_b'), secondReads]).toEqual([40, 2]);
    second();
    text = await metricsRegistry.metrics();
    expect([value(text, 'test_scraped_a'), secondReads]).toEqual([30, 2]);
  });
});
