import {
  CART_REMINDER_SOURCE,
  type AudienceGrant,
  type AudienceRepository,
  type CartReminderPolicy,
  type GrantFilter,
} from '../application/ports';

/** The audience tables of the in-memory store (kept in `InMemoryMarketingStore`). */
export interface AudienceTables {
  /** Grants in insertion order. */
  grants: AudienceGrant[];
  policies: Map<'policy', CartReminderPolicy>;
}

/** Grants and the cart reminder policy, as the SQL adapter keeps them (one grant per audience and account). */
export class MemAudiences implements AudienceRepository {
  constructor(private readonly s: AudienceTables) {}

  findGrant = async (source: string, accountId: string) =>
    [...this.s.grants].reverse().find((g) => g.source === source && g.accountId === accountId) ??
    null;

  async insertGrant(g: AudienceGrant) {
    if (
      g.source !== CART_REMINDER_SOURCE &&
      this.s.grants.some((x) => x.source === g.source && x.accountId === g.accountId)
    )
      return false;
    this.s.grants.push(g);
    return true;
  }

  async lastReminder(accountId: string) {
    const times = this.s.grants
      .filter(
        (g) =>
          g.accountId === accountId && g.source === CART_REMINDER_SOURCE && g.outcome === 'GRANTED',
      )
      .map((g) => g.grantedAt.getTime());
    return times.length ? new Date(Math.max(...times)) : null;
  }

  list = async (f: GrantFilter) =>
    this.s.grants
      .map((g, i) => ({ g, i }))
      .filter(
        ({ g }) =>
          (!f.source || g.source === f.source) && (!f.accountId || g.accountId === f.accountId),
      )
      .sort((a, b) => b.g.grantedAt.getTime() - a.g.grantedAt.getTime() || b.i - a.i)
      .slice(0, f.limit)
      .map(({ g }) => g);

  policy = async () => this.s.policies.get('policy') ?? null;

  async savePolicy(p: CartReminderPolicy) {
    this.s.policies.set('policy', { ...p });
  }
}
