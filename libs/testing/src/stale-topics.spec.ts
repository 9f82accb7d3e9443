import { staleTestTopics, testTopicCreatedAt } from './stale-topics';
import { uniqueSuffix } from './fixtures';

describe('stale test topics', () => {
  const hour = 3600_000;

  it('reads the instant from a test prefix made by uniqueSuffix()', () => {
    const before = Date.now();
    const at = testTopicCreatedAt(`e2e${uniqueSuffix()}.order.order`);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it("never picks the deployment's own topics or names that only look alike", () => {
    for (const t of [
      'order.order',
      'catalog.product.dlq',
      '__consumer_offsets',
      '__emporia_readiness',
      'analytics.behaviour',
      'abc.zzzzzzzz000000.x',
    ])
      expect(testTopicCreatedAt(t)).toBeUndefined();
  });

  it('picks only the prefixed topics older than the bound', () => {
    const now = Date.UTC(2026, 11, 3, 12);
    const name = (agoMs: number, rest: string) => `it${(now - agoMs).toString(36)}a1b2c3.${rest}`;
    const old = name(7 * hour, 'order.order');
    const oldDlq = name(30 * hour, 'order.order.dlq');
    const recent = name(1 * hour, 'order.order');
    expect(staleTestTopics([old, oldDlq, recent, 'order.order'], now, 6 * hour)).toEqual([
      old,
      oldDlq,
    ]);
  });
});
