import { Money } from '@emporia/money';
import {
  aRule,
  anOrder,
  FakeClock,
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
  SequentialIds,
} from '../testing';
import { RiskUseCase } from './risk.use-case';

/** Scoring and list rules of the risk service against in-memory ports (no Postgres, no Redis). */
describe('risk use case', () => {
  const setup = () => {
    const store = new InMemoryRiskStore();
    const signals = new InMemorySignalStore();
    const clock = new FakeClock();
    const returns = new InMemoryReturnFactStore();
    const risk = new RiskUseCase(store, signals, clock, new SequentialIds(), returns);
    return { store, signals, clock, risk, returns };
  };

  it('allows an order no rule hits and stores the decision with what it saw', async () => {
    const { risk, store } = setup();
    await risk.upsertRule(aRule('LIST_MATCH', { listKind: 'ACCOUNT', action: 'REJECT' }));
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({ kind: 'ORDER', subjectId: 'order-1', decision: 'ALLOW', score: 0 });
    expect(store.decisionRows).toHaveLength(1);
  });

  it('rejects a listed account, matching the list value case-insensitively', async () => {
    const { risk } = setup();
    await risk.upsertRule(
      aRule('LIST_MATCH', { listKind: 'ACCOUNT', action: 'REJECT', score: 90 }),
    );
    expect(
      await risk.addEntries([{ kind: 'ACCOUNT', value: '  ACC-1 ', reason: 'chargebacks' }]),
    ).toBe(1);
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({ decision: 'REJECT', score: 90, reasons: ['LISTED_ACCOUNT'] });
  });

  it('REJECT wins over REVIEW and the score is the sum of the hits, at most 100', async () => {
    const { risk } = setup();
    await risk.upsertRule(aRule('LIST_MATCH', { id: 'r1', listKind: 'IP', score: 70 }));
    await risk.upsertRule(
      aRule('AMOUNT', { id: 'r2', amount: Money.of(1000, 'CNY'), action: 'REJECT', score: 60 }),
    );
    await risk.addEntries([{ kind: 'IP', value: '203.0.113.7', reason: 'proxy' }]);
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({ decision: 'REJECT', score: 100 });
    expect(d.reasons.sort()).toEqual(['LARGE_AMOUNT', 'LISTED_IP']);
  });

  it('ignores inactive rules and rules for sign-ins when scoring an order', async () => {
    const { risk } = setup();
    await risk.upsertRule(aRule('LIST_MATCH', { id: 'r1', listKind: 'ACCOUNT', active: false }));
    await risk.upsertRule(
      aRule('LIST_MATCH', { id: 'r2', listKind: 'ACCOUNT', appliesTo: 'LOGIN' }),
    );
    await risk.addEntries([{ kind: 'ACCOUNT', value: 'acc-1', reason: '' }]);
    expect((await risk.scoreOrder(anOrder())).decision).toBe('ALLOW');
  });

  it('scoring an order again returns its first decision and does not count it twice', async () => {
    const { risk, store } = setup();
    await risk.upsertRule(
      aRule('VELOCITY', { dimension: 'IP', windowSeconds: 3600, threshold: 1 }),
    );
    const first = await risk.scoreOrder(anOrder());
    await risk.addEntries([{ kind: 'ACCOUNT', value: 'acc-1', reason: '' }]);
    const again = await risk.scoreOrder(anOrder({ total: Money.of(999_999, 'CNY') }));
    expect(again).toEqual(first);
    expect(store.decisionRows).toHaveLength(1);
    // the retried order was not counted: a second order from the IP is the 2nd, not the 3rd
    const second = await risk.scoreOrder(anOrder({ orderId: 'order-2' }));
    expect(second.signals).toMatchObject({ counts: { 'orders:IP:3600': 2 } });
  });

  it('velocity: more orders than the threshold in the window is reviewed, older ones fall out', async () => {
    const { risk, clock } = setup();
    await risk.upsertRule(
      aRule('VELOCITY', { dimension: 'DEVICE', windowSeconds: 600, threshold: 2 }),
    );
    const score = (n: number) => risk.scoreOrder(anOrder({ orderId: `o${n}`, accountId: `a${n}` }));
    expect((await score(1)).decision).toBe('ALLOW');
    clock.advance(60_000);
    expect((await score(2)).decision).toBe('ALLOW');
    clock.advance(60_000);
    expect(await score(3)).toMatchObject({ decision: 'REVIEW', reasons: ['VELOCITY_DEVICE'] });
    clock.advance(600_000); // o1, o2 and o3 are all older than the window now
    expect((await score(4)).decision).toBe('ALLOW');
  });

  it('coupon abuse counts distinct accounts using coupons from one device', async () => {
    const { risk } = setup();
    await risk.upsertRule(
      aRule('COUPON_ABUSE', { dimension: 'DEVICE', windowSeconds: 86_400, threshold: 2 }),
    );
    const coupon = ['SAVE5'];
    await risk.scoreOrder(anOrder({ orderId: 'o1', accountId: 'a1', couponCodes: coupon }));
    // the same account again and an order without coupons do not add an account
    await risk.scoreOrder(anOrder({ orderId: 'o2', accountId: 'a1', couponCodes: coupon }));
    const plain = await risk.scoreOrder(anOrder({ orderId: 'o3', accountId: 'a2' }));
    expect(plain.decision).toBe('ALLOW');
    const d = await risk.scoreOrder(
      anOrder({ orderId: 'o4', accountId: 'a3', couponCodes: coupon }),
    );
    expect(d).toMatchObject({ decision: 'REVIEW', reasons: ['COUPON_ABUSE_DEVICE'] });
  });

  it('a sign-in after a login anomaly within the window is reviewed', async () => {
    const { risk, clock } = setup();
    await risk.upsertRule(aRule('LOGIN_ANOMALY', { appliesTo: 'LOGIN', windowSeconds: 3600 }));
    const login = () => risk.scoreLogin({ accountId: 'acc-1', ip: '198.51.100.1', deviceId: 'd' });
    expect((await login()).decision).toBe('ALLOW');
    await risk.onLoginAnomaly('acc-1', 'evt-1', clock.now());
    expect(await login()).toMatchObject({
      kind: 'LOGIN',
      decision: 'REVIEW',
      reasons: ['LOGIN_ANOMALY'],
    });
    clock.advance(3600_001);
    expect((await login()).decision).toBe('ALLOW');
  });

  it('every sign-in attempt counts: the (threshold+1)th from an IP is reviewed', async () => {
    const { risk } = setup();
    await risk.upsertRule(
      aRule('LOGIN_VELOCITY', {
        appliesTo: 'LOGIN',
        dimension: 'IP',
        windowSeconds: 60,
        threshold: 2,
      }),
    );
    const login = () => risk.scoreLogin({ accountId: 'acc-1', ip: '198.51.100.1', deviceId: 'd' });
    expect((await login()).decision).toBe('ALLOW');
    expect((await login()).decision).toBe('ALLOW');
    expect((await login()).reasons).toEqual(['LOGIN_VELOCITY_IP']);
  });

  it('refuses a batch with an invalid IP whole, and one outside 1..10000 entries', async () => {
    const { risk, store } = setup();
    // addEntries/removeEntries throw before returning a promise: run them inside one
    const run = <T>(f: () => Promise<T>) => Promise.resolve().then(f);
    await expect(
      run(() =>
        risk.addEntries([
          { kind: 'IP', value: '203.0.113.9', reason: '' },
          { kind: 'IP', value: '10.0.0.0/8', reason: '' },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'LIST_VALUE_INVALID', details: { field: 'entries.1.value' } });
    expect(store.entries.size).toBe(0);
    await expect(run(() => risk.addEntries([]))).rejects.toMatchObject({
      code: 'LIST_BATCH_INVALID',
    });
    const many = Array.from({ length: 10_001 }, (_, i) => ({
      kind: 'DEVICE' as const,
      value: `d${i}`,
      reason: '',
    }));
    await expect(run(() => risk.addEntries(many))).rejects.toMatchObject({
      code: 'LIST_BATCH_INVALID',
    });
    await expect(run(() => risk.removeEntries(many))).rejects.toMatchObject({
      code: 'LIST_BATCH_INVALID',
    });
  });

  it('adding counts only new entries; removing matches the normalised value', async () => {
    const { risk } = setup();
    const phone = { kind: 'PHONE' as const, value: '+86 138-0000-0000', reason: 'x'.repeat(600) };
    expect(await risk.addEntries([phone, { ...phone, value: '+8613800000000' }])).toBe(1);
    const [entry] = await risk.exportList('PHONE');
    expect(entry).toMatchObject({ value: '+8613800000000' });
    expect(entry.reason).toHaveLength(500);
    expect(await risk.removeEntries([{ kind: 'PHONE', value: '+86 (138) 0000 0000' }])).toBe(1);
    expect(await risk.exportList('PHONE')).toEqual([]);
  });

  it('refuses an invalid rule and stores nothing', async () => {
    const { risk, store } = setup();
    await expect(
      risk.upsertRule(aRule('VELOCITY', { dimension: 'IP', windowSeconds: 0, threshold: 1 })),
    ).rejects.toMatchObject({ code: 'RULE_INVALID' });
    await expect(
      risk.upsertRule(
        aRule('LOGIN_VELOCITY', { dimension: 'IP', windowSeconds: 60, threshold: 1 }),
      ),
    ).rejects.toMatchObject({ code: 'RULE_INVALID' });
    expect(store.ruleRows.size).toBe(0);
  });

  it('decisions are newest first and the limit is clamped to 1..500', async () => {
    const { risk, clock } = setup();
    for (let i = 1; i <= 3; i++) {
      await risk.scoreOrder(anOrder({ orderId: `o${i}` }));
      clock.advance(1000);
    }
    expect((await risk.decisions({ accountId: 'acc-1' })).map((d) => d.subjectId)).toEqual([
      'o3',
      'o2',
      'o1',
    ]);
    expect(await risk.decisions({ accountId: 'acc-1', limit: -5 })).toHaveLength(1);
    expect(await risk.decisions({ subjectId: 'o2' })).toHaveLength(1);
  });

  describe('address rules (issue 24)', () => {
    const spread = (dimension: 'ADDRESS' | 'ACCOUNT', threshold: number) =>
      aRule('ADDRESS_SPREAD', { dimension, windowSeconds: 86_400, threshold, score: 30 });

    it('one account ordering to its 4th address in a day is reviewed; addresses used again do not add', async () => {
      const { risk, clock } = setup();
      await risk.upsertRule(spread('ACCOUNT', 4));
      const to = (n: number, address: string) =>
        risk.scoreOrder(anOrder({ orderId: `o${n}`, addressFingerprint: address }));
      const decisions = [];
      decisions.push((await to(1, 'cn|a|||1号|')).decision);
      decisions.push((await to(2, 'cn|b|||2号|')).decision);
      decisions.push((await to(3, 'cn|a|||1号|')).decision); // again: still 2 addresses
      decisions.push((await to(4, 'cn|c|||3号|')).decision);
      expect(decisions).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'ALLOW']);
      const held = await to(5, 'cn|d|||4号|');
      expect(held).toMatchObject({
        decision: 'REVIEW',
        score: 30,
        reasons: ['ADDRESS_SPREAD_ACCOUNT'],
      });
      expect(held.signals).toMatchObject({ counts: { 'accountAddresses:86400': 4 } });
      // a retry of that order answers its first decision and adds nothing
      expect(await to(5, 'cn|d|||4号|')).toEqual(held);
      clock.advance(86_400_001); // o1..o5 fall out of the day; o6 is the only one in it
      const later = await to(6, 'cn|e|||5号|');
      expect(later.decision).toBe('ALLOW');
      expect(later.signals).toMatchObject({ counts: { 'accountAddresses:86400': 1 } });
    });

    it('the 3rd account ordering to one address is reviewed; an account ordering again does not add', async () => {
      const { risk } = setup();
      await risk.upsertRule(spread('ADDRESS', 3));
      const from = (n: number, accountId: string) =>
        risk.scoreOrder(anOrder({ orderId: `o${n}`, accountId }));
      expect((await from(1, 'a1')).decision).toBe('ALLOW');
      expect((await from(2, 'a1')).decision).toBe('ALLOW');
      expect((await from(3, 'a2')).decision).toBe('ALLOW');
      const held = await from(4, 'a3');
      expect(held).toMatchObject({ decision: 'REVIEW', reasons: ['ADDRESS_SPREAD_ADDRESS'] });
      expect(held.signals).toMatchObject({ counts: { 'addressAccounts:86400': 3 } });
    });

    it('an empty address counts nowhere, whichever way', async () => {
      const { risk, signals } = setup();
      await risk.upsertRule({ ...spread('ADDRESS', 1), id: 'by-address' });
      await risk.upsertRule({ ...spread('ACCOUNT', 1), id: 'by-account' });
      for (const [n, address] of ['', '|||||', ' | | '].entries()) {
        const d = await risk.scoreOrder(anOrder({ orderId: `o${n}`, addressFingerprint: address }));
        expect(d).toMatchObject({ decision: 'ALLOW', signals: { counts: {} } });
      }
      expect(
        [...signals.sets.keys()].filter((k) => k.startsWith('aa:') || k.startsWith('ad:')),
      ).toEqual([]);
    });

    it('doubts about the address reach the reasons (one per issue) and the audit, cleaned', async () => {
      const { risk } = setup();
      await risk.upsertRule(aRule('ADDRESS_QUALITY', { dimension: 'ANY', score: 40 }));
      const d = await risk.scoreOrder(
        anOrder({
          addressIssues: ['DETAIL_VAGUE', 'not a code', 'RECIPIENT_DOUBTFUL', 'DETAIL_VAGUE'],
        }),
      );
      expect(d).toMatchObject({
        decision: 'REVIEW',
        score: 40,
        reasons: ['ADDRESS_DETAIL_VAGUE', 'ADDRESS_RECIPIENT_DOUBTFUL'],
      });
      expect(d.signals.addressIssues).toEqual(['DETAIL_VAGUE', 'RECIPIENT_DOUBTFUL']);
      const clean = await risk.scoreOrder(anOrder({ orderId: 'order-2' }));
      expect(clean).toMatchObject({ decision: 'ALLOW', signals: { addressIssues: [] } });
    });

    it('an issue rule holds only its issue', async () => {
      const { risk } = setup();
      await risk.upsertRule(aRule('ADDRESS_QUALITY', { dimension: 'PHONE_OTHER_COUNTRY' }));
      const vague = await risk.scoreOrder(anOrder({ addressIssues: ['DETAIL_VAGUE'] }));
      expect(vague.decision).toBe('ALLOW');
      const phone = await risk.scoreOrder(
        anOrder({ orderId: 'order-2', addressIssues: ['PHONE_OTHER_COUNTRY', 'DETAIL_VAGUE'] }),
      );
      expect(phone.reasons).toEqual(['ADDRESS_PHONE_OTHER_COUNTRY']);
    });
  });
});
