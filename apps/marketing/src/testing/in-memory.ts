import { FakeUnitOfWork } from '@emporia/domain/testing';
import type { RequestContext } from '@emporia/platform';
import type {
  AudienceGrant,
  CampaignRepository,
  CartReminderPolicy,
  Clock,
  CouponRepository,
  CustomerFacts,
  CustomerRepository,
  FlashPurchase,
  FlashRepository,
  FlashSaleCursor,
  FlashSaleStore,
  GroupDeal,
  GroupMember,
  GroupRepository,
  MarketingEvents,
  MarketingTx,
  MemberStatus,
  PricingReadRepository,
  PromotionRepository,
  PurchaseStatus,
  Random,
  RecordedWin,
  UnitOfWork,
} from '../application/ports';
import type { Campaign, PromotionRecord } from '../domain/campaign';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import { isExpiringUnused } from '../domain/coupon-expiry';
import {
  flashSaleStatus,
  type AttemptOutcome,
  type FlashSale,
  type FlashSaleStatus,
} from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import { MemAudiences } from './in-memory-audiences';

/**
 * In-memory ports of the marketing service for fast application-layer tests (CONVENTIONS 18):
 * a unit of work whose transaction rolls back on a throw (every table is restored and the
 * events recorded in it are dropped), repositories over those tables, the inbox, and the
 * Redis flash-sale pool. Single-threaded: row locks (`forUpdate`) are not needed and not
 * modelled; tests run one use-case call at a time. Behaviour the use cases rely on is kept
 * from the SQL adapters: inserts of an existing key raise the same ALREADY_EXISTS codes;
 * `insertCoupons`, `recordWins` and `addPending` skip existing keys (ON CONFLICT DO NOTHING);
 * a tier change older than the stored one is ignored; list orders follow the SQL ORDER BY.
 */

/** An outbox row as the fake records it. */
export type RecordedEvent =
  | { type: 'GroupBuySucceeded'; groupId: string; orderIds: string[] }
  | { type: 'GroupBuyFailed'; groupId: string; orderIds: string[]; reason: string }
  | { type: 'FlashSaleScheduled'; saleId: string; skuId: string }
  | { type: 'CouponExpiring'; code: string; accountId: string; benefit: string; expiresAt: string };

class RecordingEvents implements MarketingEvents {
  readonly rows: RecordedEvent[] = [];
  groupSucceeded(g: Group, orderIds: string[]) {
    this.rows.push({ type: 'GroupBuySucceeded', groupId: g.id, orderIds });
  }
  groupFailed(g: Group, orderIds: string[], reason: string) {
    this.rows.push({ type: 'GroupBuyFailed', groupId: g.id, orderIds, reason });
  }
  flashSaleScheduled(sale: FlashSale) {
    this.rows.push({ type: 'FlashSaleScheduled', saleId: sale.id, skuId: sale.skuId });
  }
  couponExpiring(c: Coupon, t: CouponTemplate, benefit: string) {
    this.rows.push({
      type: 'CouponExpiring',
      code: c.code,
      accountId: c.ownerId ?? '',
      benefit,
      expiresAt: t.validTo.toISOString(),
    });
  }
}

interface Stamped<T> {
  row: T;
  createdAt: number;
  updatedAt: number;
  seq: number;
}

/** Every table of the marketing database, as maps of immutable values. */
export class InMemoryMarketingStore {
  campaigns = new Map<string, Campaign>();
  promotions = new Map<string, PromotionRecord>();
  templates = new Map<string, CouponTemplate & { issued: number }>();
  coupons = new Map<string, Stamped<Coupon>>();
  /** coupons.expiry_noticed_at, by code. */
  expiryNotices = new Map<string, Date>();
  customers = new Map<string, CustomerFacts & { tierChangedAt: Date | null }>();
  sales = new Map<string, FlashSale>();
  /** flash_sales.created_at, by sale id. */
  salesCreatedAt = new Map<string, Date>();
  purchases = new Map<string, FlashPurchase>();
  deals = new Map<string, GroupDeal>();
  groups = new Map<string, Group>();
  members = new Map<string, Stamped<GroupMember>>();
  grants: AudienceGrant[] = [];
  policies = new Map<'policy', CartReminderPolicy>();
  inbox = new Set<string>();
  /** Committed outbox rows, in commit order. */
  outbox: RecordedEvent[] = [];
  /** Insertion counter: ties in timestamps are broken by it, as row order would be. */
  seq = 0;
}

const exists = (code: string, id: string) =>
  new MarketingError('ALREADY_EXISTS', code, `${id} already exists`);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class MemCampaigns implements CampaignRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async upsert(c: Campaign) {
    this.s.campaigns.set(c.id, c);
  }
  async list() {
    return [...this.s.campaigns.values()].sort(
      (a, b) => a.startsAt.getTime() - b.startsAt.getTime() || cmp(a.id, b.id),
    );
  }
  find = async (id: string) => this.s.campaigns.get(id) ?? null;
}

class MemPromotions implements PromotionRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async upsert(p: PromotionRecord) {
    this.s.promotions.set(p.id, p);
  }
  find = async (id: string) => this.s.promotions.get(id) ?? null;
  findMany = async (ids: string[]) =>
    ids.flatMap((id) => (this.s.promotions.has(id) ? [this.s.promotions.get(id)!] : []));
  list = async () =>
    [...this.s.promotions.values()].sort((a, b) => a.priority - b.priority || cmp(a.id, b.id));
}

class MemPricingReads implements PricingReadRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async inputs(accountId: string, now: Date) {
    const t = now.getTime();
    const candidates = (await new MemPromotions(this.s).list()).filter(
      (p) =>
        p.active &&
        !p.couponOnly &&
        (!p.startsAt || p.startsAt.getTime() <= t) &&
        (!p.endsAt || p.endsAt.getTime() > t),
    );
    const campaignIds = new Set(candidates.map((p) => p.campaignId));
    return {
      facts: await new MemCustomers(this.s).facts(accountId),
      candidates,
      campaigns: [...this.s.campaigns.values()].filter((c) => campaignIds.has(c.id)),
    };
  }
}

class MemCoupons implements CouponRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async insertTemplate(t: CouponTemplate) {
    if (this.s.templates.has(t.id))
      throw exists('COUPON_TEMPLATE_EXISTS', `coupon template ${t.id}`);
    this.s.templates.set(t.id, { ...t, issued: 0 });
  }
  findTemplate = async (id: string) => this.s.templates.get(id) ?? null;
  findTemplates = async (ids: string[]) =>
    ids.flatMap((id) => (this.s.templates.has(id) ? [this.s.templates.get(id)!] : []));
  async addIssued(templateId: string, count: number) {
    const t = this.s.templates.get(templateId);
    if (t) this.s.templates.set(templateId, { ...t, issued: t.issued + count });
  }
  async insertCoupons(coupons: Coupon[], now: Date) {
    const inserted: string[] = [];
    for (const c of coupons) {
      if (this.s.coupons.has(c.code)) continue;
      const t = now.getTime();
      this.s.coupons.set(c.code, { row: c, createdAt: t, updatedAt: t, seq: ++this.s.seq });
      inserted.push(c.code);
    }
    return inserted;
  }
  find = async (code: string) => this.s.coupons.get(code)?.row ?? null;
  findMany = async (codes: string[]) =>
    this.rows((c) => codes.includes(c.code)).sort((a, b) => cmp(a.code, b.code));
  async save(c: Coupon, now: Date) {
    const stored = this.s.coupons.get(c.code);
    if (stored) this.s.coupons.set(c.code, { ...stored, row: c, updatedAt: now.getTime() });
  }
  heldBy = async (accountId: string, templateId: string) =>
    this.rows((c) => c.ownerId === accountId && c.templateId === templateId).length;
  ofOrder = async (orderId: string) =>
    this.rows((c) => c.orderId === orderId).sort((a, b) => cmp(a.code, b.code));
  orderHoldsAny = async (orderId: string) =>
    this.rows((c) => c.orderId === orderId).length > 0 ||
    [...this.s.purchases.values()].some((p) => p.orderId === orderId) ||
    this.s.members.has(orderId);
  ofAccount = async (accountId: string) =>
    [...this.s.coupons.values()]
      .filter((x) => x.row.ownerId === accountId)
      .sort((a, b) => b.updatedAt - a.updatedAt || cmp(a.row.code, b.row.code))
      .map((x) => x.row);
  /** As the SQL: soonest expiry first, then code; row locks are not modelled. */
  async expiringUnnoticed(from: Date, until: Date, limit: number) {
    const window = { from, until };
    return this.rows((c) => {
      const t = this.s.templates.get(c.templateId);
      return !!t && !this.s.expiryNotices.has(c.code) && isExpiringUnused(c, t, window);
    })
      .sort(
        (a, b) =>
          this.s.templates.get(a.templateId)!.validTo.getTime() -
            this.s.templates.get(b.templateId)!.validTo.getTime() || cmp(a.code, b.code),
      )
      .slice(0, limit);
  }
  async markExpiryNoticed(codes: string[], at: Date) {
    for (const code of codes) if (this.s.coupons.has(code)) this.s.expiryNotices.set(code, at);
  }
  private rows(f: (c: Coupon) => boolean): Coupon[] {
    return [...this.s.coupons.values()].map((x) => x.row).filter(f);
  }
}

class MemCustomers implements CustomerRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async facts(accountId: string) {
    const f = this.s.customers.get(accountId);
    return f ? { tier: f.tier, ordersPlaced: f.ordersPlaced } : null;
  }
  async orderPlaced(accountId: string) {
    const f = this.s.customers.get(accountId);
    this.s.customers.set(accountId, {
      tier: f?.tier ?? '',
      tierChangedAt: f?.tierChangedAt ?? null,
      ordersPlaced: (f?.ordersPlaced ?? 0) + 1,
    });
  }
  async setTier(accountId: string, tier: string, at: Date) {
    const f = this.s.customers.get(accountId);
    if (f?.tierChangedAt && f.tierChangedAt.getTime() > at.getTime()) return;
    this.s.customers.set(accountId, {
      ordersPlaced: f?.ordersPlaced ?? 0,
      tier,
      tierChangedAt: at,
    });
  }
}

class MemFlash implements FlashRepository {
  constructor(private readonly s: InMemoryMarketingStore) {}
  async insertSale(sale: FlashSale, now: Date) {
    if (this.s.sales.has(sale.id)) throw exists('FLASH_SALE_EXISTS', `flash sale ${sale.id}`);
    this.s.sales.set(sale.id, sale);
    this.s.salesCreatedAt.set(sale.id, now);
  }
  async listSales(
    filter: { status: FlashSaleStatus | null; now: Date },
    limit: number,
    after: FlashSaleCursor | null,
  ) {
    const t = (d: Date) => d.getTime();
    return [...this.s.sales.values()]
      .map((sale) => ({ sale, createdAt: this.s.salesCreatedAt.get(sale.id)! }))
      .filter((l) => !filter.status || flashSaleStatus(l.sale, filter.now) === filter.status)
      .filter(
        (l) =>
          !after ||
          t(l.createdAt) < t(after.createdAt) ||
          (t(l.createdAt) === t(after.createdAt) && l.sale.id < after.id),
      )
      .sort((a, b) => t(b.createdAt) - t(a.createdAt) || -cmp(a.sale.id, b.sale.id))
      .slice(0, limit);
  }
  findSale = async (id: string) => this.s.sales.get(id) ?? null;
  liveSales = async (now: Date) =>
    [...this.s.sales.values()].filter((x) => x.endsAt.getTime() > now.getTime());
  async recordWins(ps: FlashPurchase[]) {
    for (const p of ps) if (!this.s.purchases.has(p.token)) this.s.purchases.set(p.token, p);
  }
  findPurchase = async (token: string) => this.s.purchases.get(token) ?? null;
  purchaseOfOrder = async (orderId: string) =>
    [...this.s.purchases.values()].find((p) => p.orderId === orderId) ?? null;
  async setPurchase(token: string, status: PurchaseStatus, orderId: string | null) {
    const p = this.s.purchases.get(token);
    if (p) this.s.purchases.set(token, { ...p, status, orderId });
  }
  lapsed = async (now: Date, limit: number) =>
    [...this.s.purchases.values()]
      .filter((p) => p.status === 'WON' && p.expiresAt.getTime() <= now.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit);
  async tally(saleId: string) {
    const buyers: Record<string, number> = {};
    let held = 0;
    let paid = 0;
    for (const p of this.s.purchases.values()) {
      if (p.saleId !== saleId || p.status === 'RETURNED') continue;
      held += p.quantity;
      if (p.status === 'PAID') paid += p.quantity;
      buyers[p.accountId] = (buyers[p.accountId] ?? 0) + p.quantity;
    }
    return { held, paid, buyers };
  }
  async totals(saleId: string) {
    const { held, paid } = await this.tally(saleId);
    return { held, paid };
  }
  async totalsOf(saleIds: readonly string[]) {
    const out = new Map<string, { held: number; paid: number }>();
    for (const id of saleIds)
      if ([...this.s.purchases.values()].some((p) => p.saleId === id))
        out.set(id, await this.totals(id));
    return out;
  }
  async recordedTokens(tokens: readonly string[]) {
    return new Set(tokens.filter((t) => this.s.purchases.has(t)));
  }
}

class MemGroups implements GroupRepository {
  constructor(
    private readonly s: InMemoryMarketingStore,
    private readonly clock: Clock,
  ) {}
  async insertDeal(d: GroupDeal) {
    if (this.s.deals.has(d.id)) throw exists('GROUP_DEAL_EXISTS', `group deal ${d.id}`);
    this.s.deals.set(d.id, d);
  }
  findDeal = async (id: string) => this.s.deals.get(id) ?? null;
  async insertGroup(g: Group) {
    if (this.s.groups.has(g.id)) throw new Error(`duplicate key: buying_groups ${g.id}`);
    this.s.groups.set(g.id, { ...g, participants: [] });
  }
  /** As the SQL adapter: participants are the JOINED members. */
  async findGroup(id: string) {
    const g = this.s.groups.get(id);
    if (!g) return null;
    const joined = await this.joined(id);
    return {
      ...g,
      participants: joined.map((m) => ({ accountId: m.accountId, orderId: m.orderId })),
    };
  }
  async setGroupStatus(id: string, status: Group['status']) {
    const g = this.s.groups.get(id);
    if (g) this.s.groups.set(id, { ...g, status });
  }
  /** Open groups not past their deadline (the SQL uses the database's now(); here the clock). */
  async openGroups(dealId: string) {
    const now = this.clock.now().getTime();
    return [...this.s.groups.values()]
      .filter((g) => g.dealId === dealId && g.status === 'OPEN' && g.deadline.getTime() > now)
      .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())
      .slice(0, 50)
      .map((g) => ({
        ...g,
        participants: [],
        joined: this.memberRows(g.id).filter((m) => m.row.status === 'JOINED').length,
      }));
  }
  joined = async (groupId: string) =>
    this.memberRows(groupId)
      .filter((m) => m.row.status === 'JOINED')
      .sort((a, b) => a.updatedAt - b.updatedAt || cmp(a.row.orderId, b.row.orderId))
      .map((m) => m.row);
  members = async (groupId: string) =>
    this.memberRows(groupId)
      .sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq)
      .map((m) => m.row);
  async addPending(m: GroupMember, now: Date) {
    if (this.s.members.has(m.orderId)) return;
    const t = now.getTime();
    this.s.members.set(m.orderId, {
      row: { ...m, status: 'PENDING' },
      createdAt: t,
      updatedAt: t,
      seq: ++this.s.seq,
    });
  }
  memberOfOrder = async (orderId: string) => this.s.members.get(orderId)?.row ?? null;
  async setMemberStatus(orderId: string, status: MemberStatus, now: Date) {
    const m = this.s.members.get(orderId);
    if (m)
      this.s.members.set(orderId, {
        ...m,
        row: { ...m.row, status },
        updatedAt: now.getTime(),
        seq: ++this.s.seq,
      });
  }
  due = async (now: Date, limit: number) =>
    [...this.s.groups.values()]
      .filter((g) => g.status === 'OPEN' && g.deadline.getTime() <= now.getTime())
      .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())
      .slice(0, limit)
      .map((g) => g.id);
  private memberRows(groupId: string) {
    return [...this.s.members.values()].filter((m) => m.row.groupId === groupId);
  }
}

/**
 * The fake unit of work (transactions, inbox and `failNextRuns` from `FakeUnitOfWork`):
 * each `run` commits its writes and recorded events when the work returns, rolls back when it throws.
 */
export class InMemoryUnitOfWork
  extends FakeUnitOfWork<MarketingTx, RecordedEvent, InMemoryMarketingStore>
  implements UnitOfWork
{
  constructor(
    store: InMemoryMarketingStore,
    private readonly clock: Clock,
  ) {
    super(store);
  }

  /** A read: a transaction here too (the fake's runs are cheap; failNextRuns applies alike). */
  read<T>(ctx: RequestContext, work: (tx: MarketingTx) => Promise<T>): Promise<T> {
    return this.run(ctx, work);
  }

  protected begin() {
    const s = this.store;
    const events = new RecordingEvents();
    const tx: MarketingTx = {
      campaigns: new MemCampaigns(s),
      promotions: new MemPromotions(s),
      coupons: new MemCoupons(s),
      customers: new MemCustomers(s),
      pricing: new MemPricingReads(s),
      flash: new MemFlash(s),
      groups: new MemGroups(s, this.clock),
      audiences: new MemAudiences(s),
      events,
    };
    return { tx, recorded: events };
  }
}

/**
 * The Redis flash-sale pool, with the Lua scripts' decisions: window, the buyer's units against
 * the per-user limit, then stock; a win is appended to the win list; a give-back counts once
 * per token. Not transactional with the unit of work (Redis is not either). `failNext` makes
 * the next attempt or give-back throw, as a lost connection would.
 */
export class InMemoryFlashSaleStore implements FlashSaleStore {
  readonly pools = new Map<
    string,
    {
      starts: number;
      ends: number;
      limit: number;
      stock: number;
      buyers: Record<string, number>;
      wins: RecordedWin[];
      returned: Set<string>;
    }
  >();
  private n = 0;
  failNext?: Error;

  async load(sale: FlashSale, remaining = sale.stock, buyers: Record<string, number> = {}) {
    const pool = this.pools.get(sale.id);
    const merged = { ...buyers, ...(pool?.buyers ?? {}) };
    this.pools.set(sale.id, {
      starts: sale.startsAt.getTime(),
      ends: sale.endsAt.getTime(),
      limit: sale.perUserLimit,
      stock: pool ? pool.stock : remaining,
      buyers: merged,
      wins: pool?.wins ?? [],
      returned: pool?.returned ?? new Set(),
    });
  }
  isLoaded = async (saleId: string) => this.pools.has(saleId);
  async attempt(
    saleId: string,
    buyer: string,
    quantity: number,
    now: Date,
  ): Promise<AttemptOutcome | { result: 'UNKNOWN' }> {
    this.fault();
    const p = this.pools.get(saleId);
    if (!p) return { result: 'UNKNOWN' };
    const t = now.getTime();
    if (t < p.starts) return { result: 'NOT_STARTED' };
    if (t >= p.ends) return { result: 'ENDED' };
    const bought = p.buyers[buyer] ?? 0;
    if (bought + quantity > p.limit)
      return { result: 'LIMIT_REACHED', allowanceLeft: p.limit - bought };
    if (p.stock < quantity) return { result: 'SOLD_OUT' };
    const token = `${saleId}.t${++this.n}`;
    p.stock -= quantity;
    p.buyers[buyer] = bought + quantity;
    p.wins.push({ token, buyer, quantity, wonAt: now });
    return { result: 'WON', token, expiresAt: now, allowanceLeft: p.limit - bought - quantity };
  }
  /** As `attempt` for each, in order (one fault fails them all, as one lost script call). */
  async attemptMany(
    saleId: string,
    attempts: readonly { buyer: string; quantity: number }[],
    now: Date,
  ): Promise<(AttemptOutcome | { result: 'UNKNOWN' })[]> {
    this.fault();
    const out: (AttemptOutcome | { result: 'UNKNOWN' })[] = [];
    for (const a of attempts) out.push(await this.attempt(saleId, a.buyer, a.quantity, now));
    return out;
  }
  async giveBack(saleId: string, token: string, buyer: string, quantity: number) {
    this.fault();
    const p = this.pools.get(saleId);
    if (!p || p.returned.has(token)) return 0;
    p.returned.add(token);
    p.stock += quantity;
    p.buyers[buyer] = (p.buyers[buyer] ?? 0) - quantity;
    return quantity;
  }
  private fault(): void {
    const e = this.failNext;
    this.failNext = undefined;
    if (e) throw e;
  }
  pendingWins = async (saleId: string, max: number) =>
    (this.pools.get(saleId)?.wins ?? []).slice(0, max);
  async ackWins(saleId: string, wins: readonly RecordedWin[]) {
    const p = this.pools.get(saleId);
    const last = wins[wins.length - 1];
    if (p && last && p.wins[wins.length - 1]?.token === last.token)
      p.wins = p.wins.slice(wins.length);
  }
  async state(saleId: string) {
    const p = this.pools.get(saleId);
    return { stock: p?.stock ?? 0, buyers: { ...(p?.buyers ?? {}) } };
  }
  remaining = async (saleId: string) => this.pools.get(saleId)?.stock ?? 0;
  reading = async (saleId: string) => ({
    remaining: await this.remaining(saleId),
    pending: (this.pools.get(saleId)?.wins ?? []).map((w) => ({
      token: w.token,
      quantity: w.quantity,
    })),
  });
}

/** Deterministic "random" bytes: a counter, so codes differ and tests can force collisions. */
export class SequentialRandom {
  private n = 0;
  /** Bytes to hand out before counting again (to replay a code: a collision). */
  readonly replay: Uint8Array[] = [];
  readonly random: Random = (len) => {
    const r = this.replay.shift();
    if (r) return r;
    const out = new Uint8Array(len);
    let v = ++this.n;
    for (let i = len - 1; i >= 0 && v > 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
    return out;
  };
}

export { FakeClock, SequentialIds } from '@emporia/domain/testing';
