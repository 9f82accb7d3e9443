import type { Logger } from 'pino';
import { metricsRegistry } from './metrics';
import { Sweeper, sweepsEvery, type SweepLock } from './sweeps';

/** The sweep-tick counter's value for one service, sweep and outcome. */
async function ticks(service: string, sweep: string, outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('emporia_sweep_ticks_total')?.get();
  const found = metric?.values.find(
    (v) => v.labels.service === service && v.labels.sweep === sweep && v.labels.outcome === outcome,
  );
  return found?.value ?? 0;
}

/** A lock that answers as told and records what it was asked. */
function fakeLock(answer: (key: string) => boolean | Error = () => true) {
  const tried: string[] = [];
  let closed = 0;
  const lock: SweepLock = {
    tryAcquire: async (key) => {
      tried.push(key);
      const a = answer(key);
      if (a instanceof Error) throw a;
      return a;
    },
    close: async () => void closed++,
  };
  return { lock, tried, closed: () => closed };
}

function fakeLogger() {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }),
  } as unknown as Logger;
  return { logger, warnings };
}

describe('Sweeper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs each sweep every interval, each on its own timer, with its lock keyed service:sweep', async () => {
    const fast = jest.fn().mockResolvedValue(undefined);
    const slow = jest.fn().mockResolvedValue(undefined);
    const { lock, tried } = fakeLock();
    const sweeper = new Sweeper(
      'order',
      [
        { name: 'fast', everyMs: 100, run: fast },
        { name: 'slow', everyMs: 250, run: slow },
      ],
      lock,
      fakeLogger().logger,
    );
    sweeper.start();
    await jest.advanceTimersByTimeAsync(99);
    expect(fast).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(fast).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(400);
    expect(fast).toHaveBeenCalledTimes(5);
    expect(slow).toHaveBeenCalledTimes(2);
    expect(new Set(tried)).toEqual(new Set(['order:fast', 'order:slow']));
    // each run gets a fresh request context (a trace of its own)
    expect(fast.mock.calls[0][0].traceId).not.toEqual(fast.mock.calls[1][0].traceId);
    await sweeper.stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(fast).toHaveBeenCalledTimes(5);
  });

  it('skips a run when another replica holds the lock, and runs once it is free', async () => {
    let held = true;
    const run = jest.fn().mockResolvedValue(undefined);
    const { lock } = fakeLock(() => !held);
    const sweeper = new Sweeper(
      'catalog',
      [{ name: 'x', everyMs: 100, run }],
      lock,
      fakeLogger().logger,
    );
    sweeper.start();
    await jest.advanceTimersByTimeAsync(300);
    expect(run).not.toHaveBeenCalled();
    held = false;
    await jest.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(1);
    expect(await ticks('catalog', 'x', 'skipped')).toBe(3);
    expect(await ticks('catalog', 'x', 'ran')).toBe(1);
    await sweeper.stop();
  });

  it('logs a failing run and runs the sweep again at the next interval', async () => {
    const run = jest
      .fn()
      .mockRejectedValueOnce(new Error('deadlock detected'))
      .mockResolvedValue(undefined);
    const { logger, warnings } = fakeLogger();
    const sweeper = new Sweeper(
      'user',
      [{ name: 'points-expiry', everyMs: 100, run }],
      fakeLock().lock,
      logger,
    );
    sweeper.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(warnings).toEqual([
      {
        obj: expect.objectContaining({
          sweep: 'points-expiry',
          err: new Error('deadlock detected'),
        }),
        msg: 'points-expiry sweep failed',
      },
    ]);
    await jest.advanceTimersByTimeAsync(200);
    expect(run).toHaveBeenCalledTimes(3);
    expect(warnings).toHaveLength(1);
    expect(await ticks('user', 'points-expiry', 'failed')).toBe(1);
    expect(await ticks('user', 'points-expiry', 'ran')).toBe(2);
    await sweeper.stop();
  });

  it('skips the run when the lock cannot be asked (database down) and tries again next interval', async () => {
    let down = true;
    const run = jest.fn().mockResolvedValue(undefined);
    const { logger, warnings } = fakeLogger();
    const { lock } = fakeLock(() => (down ? new Error('ECONNREFUSED') : true));
    const sweeper = new Sweeper('order', [{ name: 'y', everyMs: 100, run }], lock, logger);
    sweeper.start();
    await jest.advanceTimersByTimeAsync(200);
    expect(run).not.toHaveBeenCalled();
    expect(warnings.map((w) => w.msg)).toEqual([
      'sweep lock unavailable: run skipped',
      'sweep lock unavailable: run skipped',
    ]);
    down = false;
    await jest.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(1);
    await sweeper.stop();
  });

  it('never overlaps runs of one sweep: the next interval starts when a long run ends', async () => {
    let finish: () => void = () => undefined;
    const run = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const sweeper = new Sweeper(
      'order',
      [{ name: 'long', everyMs: 100, run }],
      fakeLock().lock,
      fakeLogger().logger,
    );
    sweeper.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(run).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(99);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    finish();
    await sweeper.stop();
  });

  it('stop waits for the run in flight, then lets the locks go, and starts nothing more', async () => {
    let finish: () => void = () => undefined;
    const events: string[] = [];
    const run = jest.fn(
      () =>
        new Promise<void>((resolve) => {
          events.push('run started');
          finish = () => {
            events.push('run finished');
            resolve();
          };
        }),
    );
    const lock: SweepLock = {
      tryAcquire: async () => true,
      close: async () => void events.push('locks released'),
    };
    const sweeper = new Sweeper(
      'marketing',
      [{ name: 'z', everyMs: 100, run }],
      lock,
      fakeLogger().logger,
    );
    sweeper.start();
    await jest.advanceTimersByTimeAsync(100);
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(1000);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(events).toEqual(['run started', 'run finished', 'locks released']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('refuses two sweeps of one name (they would share a lock)', () => {
    expect(
      () =>
        new Sweeper(
          'order',
          sweepsEvery(100, { a: async () => undefined }).concat(
            sweepsEvery(200, { a: async () => undefined }),
          ),
          fakeLock().lock,
          fakeLogger().logger,
        ),
    ).toThrow("order: two sweeps are named 'a'");
  });
});
