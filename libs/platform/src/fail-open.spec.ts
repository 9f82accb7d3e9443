import type { Logger } from 'pino';
import { ThrottledWarning, withTimeout } from './fail-open';

describe('ThrottledWarning', () => {
  it('logs once per interval and reports how many it held back', () => {
    const logged: Record<string, unknown>[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>) => logged.push(fields),
    } as unknown as Logger;
    let now = 1_000;
    const w = new ThrottledWarning(logger, 10_000, () => now);
    w.warn({ n: 1 }, 'down');
    w.warn({ n: 2 }, 'down');
    w.warn({ n: 3 }, 'down');
    now += 10_000;
    w.warn({ n: 4 }, 'down');
    expect(logged).toEqual([
      { n: 1, suppressed: 0 },
      { n: 4, suppressed: 2 },
    ]);
  });
});

describe('withTimeout', () => {
  it('answers with the promise in time, and rejects once the time is up', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 20)).rejects.toThrow(
      'no answer within 20 ms',
    );
  });
});
