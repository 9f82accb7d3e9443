import { MemoryRateLimitStore } from './memory-rate-limit.store';

describe('MemoryRateLimitStore: fixed windows in memory, as RedisRateLimitStore counts them', () => {
  let now = 0;
  const store = () => new MemoryRateLimitStore(() => now, 1000);

  beforeEach(() => (now = 0));

  it('opens a window on the first hit, counts within it and reopens after it', () => {
    const s = store();
    expect(s.hitAllNow([{ key: 'a', windowMs: 400, cost: 1 }])).toEqual([
      { count: 1, resetInMs: 400 },
    ]);
    now = 100;
    expect(s.hitAllNow([{ key: 'a', windowMs: 400, cost: 1 }])).toEqual([
      { count: 2, resetInMs: 300 },
    ]);
    // another counter, and a weighted hit
    expect(s.hitAllNow([{ key: 'b', windowMs: 400, cost: 5 }])[0].count).toBe(5);
    now = 400;
    expect(s.hitAllNow([{ key: 'a', windowMs: 400, cost: 1 }])).toEqual([
      { count: 1, resetInMs: 400 },
    ]);
  });

  it('drops closed windows (memory stays bounded by the buyers of one window)', async () => {
    const s = store();
    for (let i = 0; i < 100; i++) await s.hit(`k${i}`, 500);
    expect(s.size).toBe(100);
    now = 1500;
    await s.hitAll([{ key: 'x', windowMs: 500, cost: 1 }]);
    expect(s.size).toBe(1);
  });
});
