import { Client } from 'pg';
import { z } from 'zod';
import type { RunningService } from '../src/bootstrap';
import { defineService, launchService, postgresResource } from '../src/service-kit';
import { PostgresSweepLock } from '../src/sweeps';
import { createTestDatabase, testLogger, uniqueSuffix } from '@emporia/testing';

const INTERVAL = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two replicas of one service against one real Postgres: a sweep runs once per interval across
 * both, not once per replica; when the replica holding its lock stops, or loses its connection,
 * the other takes over.
 */
describe('sweeps run once across replicas', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const name = `sweeps${uniqueSuffix()}`.replace(/[^a-z0-9]/gi, '');
  const runs: { replica: string; at: number }[] = [];
  const replicas: RunningService[] = [];

  const replica = (id: string) =>
    launchService(
      defineService({
        name,
        config: z.object({}),
        http: () => ({ host: '127.0.0.1', port: 0 }),
        resources: () => ({ postgres: postgresResource({ url: db.url, migrations: [] }) }),
        assemble: () => ({
          sweeps: () => [
            {
              name: 'tally',
              everyMs: INTERVAL,
              run: async () => void runs.push({ replica: id, at: Date.now() }),
            },
          ],
        }),
      }),
      {},
      testLogger(name),
    );
  const since = (t: number) => runs.filter((r) => r.at >= t);

  beforeAll(async () => {
    db = await createTestDatabase('platform_sweeps');
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await db.drop();
  });

  it('runs on one replica, once per interval; the other takes over when the holder stops', async () => {
    const a = await replica('a');
    const b = await replica('b');
    replicas.push(a, b);
    const t0 = Date.now();
    await sleep(INTERVAL * 10);
    const both = since(t0);
    // once per replica would be about 20 runs
    expect(both.length).toBeGreaterThanOrEqual(7);
    expect(both.length).toBeLessThanOrEqual(11);
    const holders = new Set(both.map((r) => r.replica));
    expect(holders.size).toBe(1);
    const [holder] = [...holders];

    // the fault: the replica holding the lock stops (a rollout, a scale-in)
    const [stopping, other] = holder === 'a' ? [a, b] : [b, a];
    await stopping.close();
    replicas.splice(replicas.indexOf(stopping), 1);
    const t1 = Date.now();
    await sleep(INTERVAL * 6);
    const after = since(t1);
    expect(after.length).toBeGreaterThanOrEqual(4);
    expect(after.length).toBeLessThanOrEqual(7);
    expect(new Set(after.map((r) => r.replica))).toEqual(new Set([holder === 'a' ? 'b' : 'a']));
    await other.close();
    replicas.splice(replicas.indexOf(other), 1);
  });

  it('when the holder loses its lock connection, one replica carries on: never both in an interval', async () => {
    replicas.push(await replica('c'), await replica('d'));
    await sleep(INTERVAL * 4);
    expect(since(0).some((r) => r.replica === 'c' || r.replica === 'd')).toBe(true);
    // the fault: the lock sessions are terminated (a failover, a network cut)
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1`,
        [`emporia-${name}-sweeps`],
      );
      expect(rows.length).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    const t = Date.now();
    await sleep(INTERVAL * 10);
    const after = since(t);
    // a run or two is skipped while a replica reconnects; never more than one per interval
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < after.length; i++)
      expect(after[i].at - after[i - 1].at).toBeGreaterThanOrEqual(INTERVAL * 0.5);
  });

  it('a lock answered by a session that broke in the same read is not held, then or later (never two holders)', async () => {
    // under CPU load one read can bring both the lock's answer and the session's end (a failover,
    // a terminated backend): the error is handled before the answer's continuation runs. The
    // session is gone, and its lock with it: the replica must not count that lock as its own,
    // neither for this tick nor on the session it opens next (round 22's rehearsal: both replicas
    // ran every interval)
    const app = 'sweeps-race-test';
    const key = `${name}:race`;
    const original = Client.prototype.query;
    let broken = 0;
    const query = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
      this: Client,
      ...args: unknown[]
    ) {
      const answer: unknown = original.apply(this, args as never);
      const params = (this as unknown as { connectionParameters: { application_name?: string } })
        .connectionParameters;
      if (
        params.application_name !== app ||
        broken > 0 ||
        !String(args[0]).includes('try_advisory')
      )
        return answer;
      broken++;
      return (answer as Promise<unknown>).then((r) => {
        this.emit('error', new Error('terminating connection due to administrator command'));
        return r;
      });
    } as never);
    const lock = new PostgresSweepLock(db.url, app);
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      expect(await lock.tryAcquire(key)).toBe(false);
      expect(broken).toBe(1);
      // the broken session's lock is free once its backend has gone: another replica takes it
      const deadline = Date.now() + 5000;
      let taken = false;
      while (!taken && Date.now() < deadline) {
        const { rows } = await other.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
          [key],
        );
        taken = rows[0].locked;
        if (!taken) await sleep(20);
      }
      expect(taken).toBe(true);
      // … and this replica, on its next session, does not think it holds it too
      expect(await lock.tryAcquire(key)).toBe(false);
      expect(await lock.tryAcquire(key)).toBe(false);
      await other.query('SELECT pg_advisory_unlock_all()');
      expect(await lock.tryAcquire(key)).toBe(true);
    } finally {
      query.mockRestore();
      await other.end();
      await lock.close();
    }
  });

  it('sweeps ask their locks one question at a time on the shared connection (pg warns, and pg 9 refuses, a query sent while one runs)', async () => {
    let active = 0;
    let most = 0;
    let calls = 0;
    const original = Client.prototype.query;
    const query = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
      this: Client,
      ...args: unknown[]
    ) {
      const answer: unknown = original.apply(this, args as never);
      // only this lock's connection (the other tests' replicas still sweep on theirs)
      const app = (this as unknown as { connectionParameters: { application_name?: string } })
        .connectionParameters.application_name;
      if (app !== 'sweeps-concurrency-test') return answer;
      calls++;
      most = Math.max(most, ++active);
      return (answer as Promise<unknown>).finally(() => active--);
    } as never);
    const lock = new PostgresSweepLock(db.url, 'sweeps-concurrency-test');
    try {
      // seven sweeps on one interval tick together (order's)
      const keys = Array.from({ length: 7 }, (_, i) => `${name}:concurrent-${i}`);
      for (let round = 0; round < 2; round++)
        expect(await Promise.all(keys.map((k) => lock.tryAcquire(k)))).toEqual(
          keys.map(() => true),
        );
      expect(calls).toBe(14);
      expect(most).toBe(1);
    } finally {
      query.mockRestore();
      await lock.close();
    }
  });
});
