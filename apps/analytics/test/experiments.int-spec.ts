import { createHash, randomUUID } from 'node:crypto';
import type { analyticsV1 } from '@emporia/contracts';
import { eventually } from '@emporia/testing';
import { experimentHarness, iso, MIN } from './experiment-harness';

jest.setTimeout(180_000);

/**
 * Experiments on real Postgres and Kafka: exposures and conversions from behaviour events and
 * paid orders published to the service's topics, the results read over gRPC and compared with
 * what the events say, counted here by hand.
 */
describe('analytics experiments (real Postgres + Kafka)', () => {
  const h = experimentHarness('exp');
  const { suffix, call, failure, track, paid, drained, redeliver, sent } = h;
  beforeAll(h.start);
  afterAll(h.stop);

  const now = Date.now();
  /** An experiment key of this run (keys are [a-z0-9_-]). */
  const keyOf = (name: string) => `${name}-${suffix}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  const experiment = (over: Partial<analyticsV1.Experiment> = {}): analyticsV1.Experiment => ({
    key: keyOf('checkout'),
    name: 'Green checkout button',
    variants: [
      { key: 'control', weight: 1 },
      { key: 'green', weight: 1 },
    ],
    startAt: iso(now - 60 * MIN),
    stopAt: iso(now + 24 * 60 * MIN),
    primaryMetric: 'checkout_started',
    status: '',
    ...over,
  });
  const results = (key: string) =>
    call<analyticsV1.GetExperimentResultsResponse>('getExperimentResults', { key });
  const counts = (r: analyticsV1.GetExperimentResultsResponse) =>
    r.variants.map((v) => [v.variant, v.users, v.conversions]);

  it('defines experiments: checks, status, the started rule, and deterministic assignments', async () => {
    const e = experiment({ key: keyOf('def') });
    const created = await call<analyticsV1.UpsertExperimentResponse>('upsertExperiment', {
      experiment: e,
    });
    expect(created.experiment).toEqual({ ...e, status: 'RUNNING' });
    const bad = await failure(
      call('upsertExperiment', { experiment: { ...e, variants: [{ key: 'only', weight: 1 }] } }),
    );
    expect(bad).toMatchObject({
      code: 'VARIANTS_INVALID',
      details: { field: 'experiment.variants' },
    });
    const started = await failure(
      call('upsertExperiment', {
        experiment: {
          ...e,
          variants: [
            { key: 'control', weight: 1 },
            { key: 'green', weight: 2 },
          ],
        },
      }),
    );
    expect(started.code).toBe('EXPERIMENT_STARTED');
    const renamed = await call<analyticsV1.UpsertExperimentResponse>('upsertExperiment', {
      experiment: { ...e, name: 'renamed', primaryMetric: 'add_to_cart' },
    });
    expect(renamed.experiment).toMatchObject({ name: 'renamed', primaryMetric: 'add_to_cart' });
    const later = experiment({ key: keyOf('later'), startAt: iso(now + 60 * MIN) });
    await call('upsertExperiment', { experiment: later });
    const listed = await call<analyticsV1.ListExperimentsResponse>('listExperiments', {});
    expect(listed.experiments.find((x) => x.key === later.key)?.status).toBe('SCHEDULED');

    // the assignment is the domain's hash, computed here from its definition
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const expected = (unit: string) =>
      parseInt(sha(`${e.key}:${unit}`).slice(0, 8), 16) % 10000 < 5000 ? 'control' : 'green';
    for (const anonymousId of ['a1', 'b2', 'c3', 'd4', 'e5']) {
      const got = await call<analyticsV1.GetAssignmentsResponse>('getAssignments', {
        anonymousId,
        accountId: '',
      });
      // only running experiments (never the scheduled one)
      expect(got.assignments.find((a) => a.experimentKey === later.key)).toBeUndefined();
      expect(got.assignments.find((a) => a.experimentKey === e.key)?.variant).toBe(
        expected(anonymousId),
      );
    }
    const account = randomUUID();
    const byAccount = await call<analyticsV1.GetAssignmentsResponse>('getAssignments', {
      anonymousId: 'whoever',
      accountId: account,
    });
    expect(byAccount.assignments.find((a) => a.experimentKey === e.key)?.variant).toBe(
      expected(account),
    );
    expect(
      await failure(call('getAssignments', { anonymousId: 'bad id!', accountId: '' })),
    ).toMatchObject({ code: 'ANONYMOUS_ID_INVALID', details: { field: 'anonymous_id' } });
    expect((await failure(results('no-such-experiment'))).code).toBe('EXPERIMENT_NOT_FOUND');
  });

  it('counts first exposures and conversions exactly; duplicates and late events change nothing', async () => {
    const e = experiment();
    await call('upsertExperiment', { experiment: e });
    const t0 = now - 30 * MIN;
    const expose = (anonymousId: string, variant: string, at: number, accountId = '') =>
      track({
        type: 'experiment_exposure',
        anonymousId,
        accountId,
        experimentKey: e.key,
        variant,
        occurredAt: iso(at),
      });
    const checkout = (anonymousId: string, at: number, accountId = '') =>
      track({ type: 'checkout_started', anonymousId, accountId, occurredAt: iso(at) });
    const a4 = randomUUID();
    const kept: Awaited<ReturnType<typeof track>>[] = [];
    // v1: control, converts after its exposure
    kept.push(await expose('v1', 'control', t0));
    kept.push(await checkout('v1', t0 + MIN));
    // v2: control, never converts; v3: green, checked out only before its exposure
    await expose('v2', 'control', t0);
    await checkout('v3', t0 - MIN);
    await expose('v3', 'green', t0);
    // the account is the unit when signed in; its checkout (with its visitor id) counts
    await expose('v4', 'green', t0, a4);
    await checkout('v4', t0 + 2 * MIN, a4);
    // v5: its green exposure arrives first but its control one happened earlier: control
    await expose('v5', 'green', t0 + 5 * MIN);
    await checkout('v5', t0 + 2 * MIN);
    await expose('v5', 'control', t0);
    // v10: its checkout is processed before its exposure, but happened after it: control
    await checkout('v10', t0 + 3 * MIN);
    await expose('v10', 'control', t0);
    // not counted: an unknown variant, an exposure before the start, another experiment
    await expose('v6', 'purple', t0);
    await expose('v7', 'control', now - 2 * 60 * MIN);
    await track({
      type: 'experiment_exposure',
      anonymousId: 'v8',
      experimentKey: 'unknown',
      variant: 'control',
      occurredAt: iso(t0),
    });

    // control: v1 (converted), v2, v5 (converted), v10 (converted); green: v3, a4 (converted)
    const first = await eventually(
      async () => {
        const r = await results(e.key);
        return JSON.stringify(counts(r)) ===
          JSON.stringify([
            ['control', 4, 3],
            ['green', 2, 1],
          ])
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, what: 'exposures and conversions' },
    );
    const control = first.variants[0];
    const green = first.variants[1];
    expect(control).toMatchObject({
      rate: 0.75,
      absoluteUplift: 0,
      pValue: 1,
      significant: false,
    });
    expect(green.rate).toBe(0.5);
    expect(green.absoluteUplift).toBe(-0.25);
    expect(green.relativeUplift).toBeCloseTo(-1 / 3, 15);
    // by hand: pooled p = 4/6; se = sqrt(2/3 · 1/3 · (1/4 + 1/2)) = 0.408248;
    // z = −0.25 / 0.408248 = −0.612372; p = erfc(0.612372 / √2) = 0.540291
    expect(green.pValue).toBeCloseTo(0.540291, 5);
    // unpooled se = sqrt(0.75 · 0.25 / 4 + 0.5 · 0.5 / 2) = 0.414578
    expect(green.ciLow).toBeCloseTo(-0.25 - 1.959964 * 0.4145781, 6);
    expect(green.ciHigh).toBeCloseTo(-0.25 + 1.959964 * 0.4145781, 6);
    // χ² = ((4 − 3)² + (2 − 3)²) / 3 = 2/3, df 1: p = erfc(sqrt(1/3)) = 0.414216
    expect(first.srmPValue).toBeCloseTo(0.414216, 5);
    expect(first.sampleRatioMismatch).toBe(false);

    // every event again with its own id, and a second copy of v1's checkout: nothing changes;
    // then a new unit, whose exposure shows the duplicates before it were processed
    for (const m of kept) await redeliver(m);
    await redeliver(sent[sent.length - 1]);
    await expose('v9', 'green', t0 + 10 * MIN);
    await drained();
    const after = await eventually(
      async () => {
        const r = await results(e.key);
        return r.variants[1].users === 3 ? r : undefined;
      },
      { timeoutMs: 60_000, what: 'the new exposure' },
    );
    expect(counts(after)).toEqual([
      ['control', 4, 3],
      ['green', 3, 1],
    ]);
  });

  it('counts paid orders of the account, and of a visitor linked to it later', async () => {
    const e = experiment({
      key: keyOf('paid'),
      primaryMetric: 'paid_order',
    });
    await call('upsertExperiment', { experiment: e });
    const t0 = now - 20 * MIN;
    const p1 = randomUUID();
    const p2 = randomUUID();
    const p3 = randomUUID();
    // p1 visits anonymously, pays as its account, and only then signs in on that browser
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w1',
      experimentKey: e.key,
      variant: 'control',
      occurredAt: iso(t0),
    });
    await paid(randomUUID(), p1, t0 + MIN);
    // p2 is exposed signed in and pays; p3 paid only before its exposure
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w2',
      accountId: p2,
      experimentKey: e.key,
      variant: 'green',
      occurredAt: iso(t0),
    });
    const p2Paid = await paid(randomUUID(), p2, t0 + 3 * MIN);
    await paid(randomUUID(), p3, t0 - MIN);
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w3',
      accountId: p3,
      experimentKey: e.key,
      variant: 'green',
      occurredAt: iso(t0),
    });
    await eventually(
      async () => {
        const r = await results(e.key);
        return JSON.stringify(counts(r)) ===
          JSON.stringify([
            ['control', 1, 0],
            ['green', 2, 1],
          ])
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, what: 'paid conversions' },
    );
    await redeliver(p2Paid);
    await drained();
    expect(counts(await results(e.key))).toEqual([
      ['control', 1, 0],
      ['green', 2, 1],
    ]);
    await track({
      type: 'page_view',
      anonymousId: 'w1',
      accountId: p1,
      occurredAt: iso(t0 + 5 * MIN),
    });
    const r = await eventually(
      async () => {
        const x = await results(e.key);
        return x.variants[0].conversions === 1 ? x : undefined;
      },
      { timeoutMs: 60_000, what: 'the link' },
    );
    expect(counts(r)).toEqual([
      ['control', 1, 1],
      ['green', 2, 1],
    ]);
  });

  it('agrees exactly with counts made from the events, delivered shuffled across partitions', async () => {
    const e = experiment({
      key: keyOf('shuffled'),
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 2 },
        { key: 'c', weight: 1 },
      ],
    });
    await call('upsertExperiment', { experiment: e });
    // a seeded generator: the same events every run
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const start = now - 50 * MIN;
    const at = () => start + Math.floor(rand() * 45 * MIN);
    type Ev = Partial<analyticsV1.BehaviourEvent> & { unit: string; t: number };
    const events: Ev[] = [];
    // 40 signed-in units, each on two browsers (their events land on different partitions),
    // and 60 anonymous ones; 1-2 exposures each, 0-2 checkouts each (some before exposure)
    const units = [
      ...Array.from({ length: 40 }, () => ({
        unit: randomUUID(),
        browsers: [`b-${randomUUID()}`, `b-${randomUUID()}`],
      })),
      ...Array.from({ length: 60 }, () => {
        const id = `anon-${randomUUID()}`;
        return { unit: id, browsers: [id] };
      }),
    ];
    for (const u of units) {
      const signedIn = !u.unit.startsWith('anon-');
      const base = (t: number) => ({
        unit: u.unit,
        t,
        anonymousId: pick(u.browsers),
        accountId: signedIn ? u.unit : '',
        occurredAt: iso(t),
      });
      for (let i = 0; i < 1 + Math.floor(rand() * 2); i++)
        events.push({
          ...base(at()),
          eventId: randomUUID(),
          type: 'experiment_exposure',
          experimentKey: e.key,
          variant: pick(['a', 'b', 'c']),
        });
      for (let i = 0; i < Math.floor(rand() * 3); i++)
        events.push({ ...base(at()), eventId: randomUUID(), type: 'checkout_started' });
    }
    // the figures, from the events: first exposure (time, then event id), converted when a
    // checkout of the unit is at or after it
    const expected = new Map(['a', 'b', 'c'].map((v) => [v, { users: 0, conversions: 0 }]));
    for (const u of units) {
      const mine = events.filter((x) => x.unit === u.unit);
      const first = mine
        .filter((x) => x.type === 'experiment_exposure')
        .sort((x, y) => x.t - y.t || (x.eventId! < y.eventId! ? -1 : 1))[0];
      const c = expected.get(first.variant!)!;
      c.users++;
      if (mine.some((x) => x.type === 'checkout_started' && x.t >= first.t)) c.conversions++;
    }
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [events[i], events[j]] = [events[j], events[i]];
    }
    await Promise.all(events.map(({ unit: _unit, t: _t, ...event }) => track(event)));
    const want = ['a', 'b', 'c'].map((v) => [
      v,
      expected.get(v)!.users,
      expected.get(v)!.conversions,
    ]);
    await drained();
    expect(counts(await results(e.key))).toEqual(want);
    expect(want.reduce((n, [, users]) => n + Number(users), 0)).toBe(100);
  });
});
