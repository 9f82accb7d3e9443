import { HealthRegistry, READINESS_GRACE_MS } from './health';

describe('HealthRegistry', () => {
  const setUp = () => {
    const health = new HealthRegistry();
    let t = 1_000_000;
    health.now = () => t;
    let up = true;
    health.register('postgres', async () => {
      if (!up) throw new Error('Connection terminated unexpectedly');
    });
    return {
      health,
      advance: (ms: number) => (t += ms),
      set: (v: boolean) => (up = v),
      ready: () => health.check(100, { graceMs: READINESS_GRACE_MS }),
    };
  };

  it('readiness: one failed probe after a dependency restart is tolerated; a longer failure is not', async () => {
    const { advance, set, ready } = setUp();
    expect(await ready()).toEqual({ ok: true, checks: { postgres: 'ok' } });
    set(false); // a pooled connection the restart closed
    const blip = await ready();
    expect(blip.ok).toBe(true);
    expect(blip.checks.postgres).toMatch(/^degraded \(failing for 0 ms\): Connection terminated/);
    set(true);
    expect((await ready()).ok).toBe(true);
    // a real outage: still failing after the grace, counted from its first failure
    set(false);
    expect((await ready()).ok).toBe(true);
    advance(READINESS_GRACE_MS - 1);
    expect((await ready()).ok).toBe(true);
    advance(2);
    expect(await ready()).toEqual({
      ok: false,
      checks: { postgres: 'Connection terminated unexpectedly' },
    });
    set(true);
    expect((await ready()).ok).toBe(true);
  });

  it('a check that never passed fails at once; the plain check (the consumers probe) has no grace', async () => {
    const { health, set, ready } = setUp();
    set(false);
    expect((await ready()).ok).toBe(false);
    set(true);
    expect((await ready()).ok).toBe(true);
    set(false);
    expect((await health.check()).ok).toBe(false);
    expect((await ready()).ok).toBe(true);
  });

  it('shutting down is not ready at once', async () => {
    const { health, ready } = setUp();
    expect((await ready()).ok).toBe(true);
    health.markShuttingDown();
    expect(await ready()).toEqual({ ok: false, checks: { shutdown: 'shutting down' } });
  });
});
