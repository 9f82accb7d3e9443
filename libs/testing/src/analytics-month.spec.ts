import { expectedExperiment } from './analytics-expected-more';
import {
  assignVariant,
  DAY_MS,
  generateMonth,
  localDay,
  monthDomainEvents,
} from './analytics-month';

const NOW = new Date('2026-12-02T06:00:00Z'); // 14:00 in Shanghai

describe('the synthetic month', () => {
  const month = generateMonth({ now: NOW, visitors: 300 });

  it('is the same for the same seed and now, and another for another seed', () => {
    expect(JSON.stringify(generateMonth({ now: NOW, visitors: 300 }))).toBe(JSON.stringify(month));
    expect(generateMonth({ now: NOW, visitors: 300, seed: 7 }).behaviour[0].eventId).not.toBe(
      month.behaviour[0].eventId,
    );
    expect(monthDomainEvents(month).map((e) => e.eventId)).toEqual(
      monthDomainEvents(month).map((e) => e.eventId),
    );
  });

  it('lies in the 30 days before today, crosses local midnights, and keeps payments off the recency boundaries', () => {
    const days = new Set(month.behaviour.map((e) => localDay(new Date(e.occurredAt))));
    expect([...days].every((d) => month.days.includes(d))).toBe(true);
    const lateNight = month.behaviour.filter((e) =>
      new Date(e.occurredAt)
        .toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai' })
        .startsWith('23:5'),
    );
    expect(lateNight.length).toBeGreaterThan(10);
    for (const o of month.orders.filter((x) => x.paidAt)) {
      const r = (NOW.getTime() - o.paidAt!.getTime()) % DAY_MS;
      expect(r >= 2 * 60_000 && r <= DAY_MS - 30 * 60_000).toBe(true);
    }
    expect(month.orders.some((o) => o.refunds.some((r) => r.full))).toBe(true);
    expect(month.orders.some((o) => o.refunds.some((r) => !r.full))).toBe(true);
    expect(month.orders.some((o) => o.cancelledAt)).toBe(true);
  });

  it('exposes each unit to the variant the assignment gives it', () => {
    for (const e of month.behaviour.filter((x) => x.type === 'experiment_exposure')) {
      const x = month.experiments.find((y) => y.key === e.experimentKey)!;
      expect(e.variant).toBe(assignVariant(x.key, x.variants, e.accountId || e.anonymousId));
    }
  });

  it('carries a true effect in one experiment and none in the A/A test (default seed, full size)', () => {
    const full = generateMonth({ now: NOW });
    expect(expectedExperiment(full, 'checkout-cta').variants[1].significant).toBe(true);
    expect(expectedExperiment(full, 'header-aa').variants[1].significant).toBe(false);
  });
});

describe('deleted accounts in the month', () => {
  it('are three buyers without visitor links (deletion touches only the customers figures)', () => {
    const m = generateMonth({ now: NOW, visitors: 300 });
    const deleted = m.accounts.filter((a) => a.deletedAt).map((a) => a.accountId);
    expect(deleted).toHaveLength(3);
    const linked = new Set(m.behaviour.map((e) => e.accountId));
    expect(deleted.some((a) => linked.has(a))).toBe(false);
    expect(deleted.every((a) => m.orders.some((o) => o.accountId === a && o.paidAt))).toBe(true);
  });
});
