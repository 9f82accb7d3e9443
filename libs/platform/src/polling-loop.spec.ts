import { PollingLoop } from './polling-loop';

describe('PollingLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the promise callbacks of a finished pass run, then the timers due by `ms`. */
  const advance = async (ms: number) => {
    await jest.advanceTimersByTimeAsync(ms);
  };

  it('passes at once on start, then every interval; a nudge asks for one sooner', async () => {
    const pass = jest.fn().mockResolvedValue(undefined);
    const loop = new PollingLoop(pass, {
      intervalMs: 1000,
      maxBackoffMs: 8000,
      onFailure: jest.fn(),
    });
    loop.start();
    await advance(0);
    expect(pass).toHaveBeenCalledTimes(1);
    await advance(999);
    expect(pass).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(pass).toHaveBeenCalledTimes(2);
    loop.nudge();
    await advance(0);
    expect(pass).toHaveBeenCalledTimes(3);
    await loop.stop();
    await advance(10_000);
    expect(pass).toHaveBeenCalledTimes(3);
  });

  it('a nudge during a pass runs one more right after it, not two at once', async () => {
    let release!: () => void;
    let inFlight = 0;
    let most = 0;
    const pass = jest.fn(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => (release = r));
      inFlight--;
    });
    const loop = new PollingLoop(pass, {
      intervalMs: 1000,
      maxBackoffMs: 8000,
      onFailure: jest.fn(),
    });
    loop.start();
    await advance(0);
    loop.nudge();
    loop.nudge();
    release();
    await advance(0);
    expect(pass).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
    release();
    const stopped = loop.stop();
    await advance(0);
    await stopped;
  });

  it('backs off exponentially while passes fail, up to the cap, and reports each failure', async () => {
    const onFailure = jest.fn();
    const pass = jest.fn().mockRejectedValue(new Error('down'));
    const loop = new PollingLoop(pass, { intervalMs: 100, maxBackoffMs: 500, onFailure });
    loop.start();
    await advance(0); // fails: next in 200
    loop.nudge(); // backing off: a nudge does not hurry it
    await advance(199);
    expect(pass).toHaveBeenCalledTimes(1);
    await advance(1); // fails: next in 400
    await advance(400); // fails: next in 500 (cap)
    await advance(500);
    expect(pass).toHaveBeenCalledTimes(4);
    expect(onFailure).toHaveBeenLastCalledWith(expect.any(Error), 4);
    expect(loop.consecutiveFailures).toBe(4);
    pass.mockResolvedValue(undefined);
    await advance(500); // succeeds: back to the interval
    expect(loop.consecutiveFailures).toBe(0);
    await advance(100);
    expect(pass).toHaveBeenCalledTimes(6);
    await loop.stop();
  });

  it('stop() waits for the pass in flight', async () => {
    let finished = false;
    const pass = jest.fn(async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    const loop = new PollingLoop(pass, {
      intervalMs: 1000,
      maxBackoffMs: 8000,
      onFailure: jest.fn(),
    });
    loop.start();
    await advance(0);
    const stopped = loop.stop();
    await advance(50);
    await stopped;
    expect(finished).toBe(true);
  });
});
