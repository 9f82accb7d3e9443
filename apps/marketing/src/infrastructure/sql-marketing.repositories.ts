import { Money } from '@emporia/money';
import { isUniqueViolation, Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type {
  CampaignRepository,
  CouponRepository,
  CustomerFacts,
  CustomerRepository,
  FlashPurchase,
  FlashRepository,
  FlashSaleCursor,
  GroupDeal,
  GroupMember,
  GroupRepository,
  ListedFlashSale,
  MemberStatus,
  PricingInputs,
  PricingReadRepository,
  PromotionRepository,
  PurchaseStatus,
} from '../application/ports';
import type { Campaign, PromotionRecord } from '../domain/campaign';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import type { FlashSale, FlashSaleStatus } from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import { ruleFromJson, ruleToJson } from './promotion-rule.codec';

// Rows as Postgres returns them (see the marketing schema migration): bigint as a string,
// timestamptz as a Date, jsonb parsed, char(3) padded.

interface CampaignRow {
  id: string;
  name: string;
  starts_at: Date;
  ends_at: Date;
  active: boolean;
  updated_at: Date;
}

interface PromotionRow {
  id: string;
  name: string;
  priority: number;
  exclusive: boolean;
  /** The stored rule's JSON, checked and decoded by `ruleFromJson`. */
  rule: unknown;
  campaign_id: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  active: boolean;
  coupon_only: boolean;
  updated_at: Date;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const PROMOTION_COLUMNS = `id, name, priority, exclusive, rule, campaign_id, starts_at, ends_at,
  active, coupon_only, updated_at`;

interface CouponTemplateRow {
  id: string;
  name: string;
  promotion_id: string;
  total_limit: number;
  per_user_limit: number;
  valid_from: Date;
  valid_to: Date;
  issued: number;
  created_at: Date;
}

interface CouponRow {
  code: string;
  template_id: string;
  owner_id: string | null;
  status: Coupon['status'];
  order_id: string | null;
  updated_at: Date;
}

interface CustomerFactsRow {
  account_id: string;
  tier: string;
  orders_placed: number;
  tier_changed_at: Date | null;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const CUSTOMER_FACTS_COLUMNS = 'account_id, tier, orders_placed, tier_changed_at';

interface FlashSaleRow {
  id: string;
  sku_id: string;
  price_minor: string;
  currency: string;
  stock: number;
  per_user_limit: number;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
}

interface FlashPurchaseRow {
  token: string;
  sale_id: string;
  account_id: string;
  quantity: number;
  status: PurchaseStatus;
  order_id: string | null;
  won_at: Date;
  expires_at: Date;
  updated_at: Date;
}

interface GroupDealRow {
  id: string;
  sku_id: string;
  price_minor: string;
  currency: string;
  group_size: number;
  window_seconds: number;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
}

interface BuyingGroupRow {
  id: string;
  deal_id: string;
  size: number;
  deadline: Date;
  status: Group['status'];
  created_at: Date;
  updated_at: Date;
}

interface GroupMemberRow {
  order_id: string;
  group_id: string;
  account_id: string;
  status: MemberStatus;
  created_at: Date;
  updated_at: Date;
}

const money = (minor: string | number, currency: string) =>
  Money.of(Number(minor), currency.trim());
const lock = (forUpdate: boolean) => (forUpdate ? ' FOR UPDATE' : '');

abstract class SqlRepository {
  protected readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }
  /** An insert whose primary key may already exist: ALREADY_EXISTS with `code`. */
  protected async insert(sql: string, params: unknown[], code: string, id: string): Promise<void> {
    try {
      await this.sql.run(sql, params);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new MarketingError('ALREADY_EXISTS', code, `${id} already exists`);
      throw e;
    }
  }
}

const toCampaign = (r: Omit<CampaignRow, 'updated_at'>): Campaign => ({
  id: r.id,
  name: r.name,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  active: r.active,
});

export class SqlCampaignRepository extends SqlRepository implements CampaignRepository {
  async upsert(c: Campaign, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO campaigns (id, name, starts_at, ends_at, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = $2, starts_at = $3, ends_at = $4, active = $5, updated_at = $6`,
      [c.id, c.name, c.startsAt, c.endsAt, c.active, now],
    );
  }
  async list(): Promise<Campaign[]> {
    return (await this.sql.rows<CampaignRow>(`SELECT * FROM campaigns ORDER BY starts_at, id`)).map(
      toCampaign,
    );
  }
  async find(id: string): Promise<Campaign | null> {
    const r = await this.sql.one<CampaignRow>(`SELECT * FROM campaigns WHERE id = $1`, [id]);
    return r ? toCampaign(r) : null;
  }
}

const toPromotion = (r: Omit<PromotionRow, 'updated_at'>): PromotionRecord => ({
  id: r.id,
  name: r.name,
  priority: Number(r.priority),
  exclusive: r.exclusive,
  ...ruleFromJson(r.id, r.rule),
  campaignId: r.campaign_id,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  active: r.active,
  couponOnly: r.coupon_only,
});

export class SqlPromotionRepository extends SqlRepository implements PromotionRepository {
  async upsert(p: PromotionRecord, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO promotions (id, name, priority, exclusive, rule, campaign_id, starts_at, ends_at, active, coupon_only, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET name = $2, priority = $3, exclusive = $4, rule = $5, campaign_id = $6,
         starts_at = $7, ends_at = $8, active = $9, coupon_only = $10, updated_at = $11`,
      [
        p.id,
        p.name,
        p.priority,
        p.exclusive,
        ruleToJson(p),
        p.campaignId,
        p.startsAt,
        p.endsAt,
        p.active,
        p.couponOnly,
        now,
      ],
    );
  }
  async find(id: string): Promise<PromotionRecord | null> {
    const r = await this.sql.one<PromotionRow>(
      `SELECT ${PROMOTION_COLUMNS} FROM promotions WHERE id = $1`,
      [id],
    );
    return r ? toPromotion(r) : null;
  }
  async findMany(ids: string[]): Promise<PromotionRecord[]> {
    if (ids.length === 0) return [];
    return (
      await this.sql.rows<PromotionRow>(
        `SELECT ${PROMOTION_COLUMNS} FROM promotions WHERE id = ANY($1)`,
        [ids],
      )
    ).map(toPromotion);
  }
  async list(): Promise<PromotionRecord[]> {
    return (
      await this.sql.rows<PromotionRow>(
        `SELECT ${PROMOTION_COLUMNS} FROM promotions ORDER BY priority, id`,
      )
    ).map(toPromotion);
  }
}

const toTemplate = (r: CouponTemplateRow): CouponTemplate & { issued: number } => ({
  id: r.id,
  name: r.name,
  promotionId: r.promotion_id,
  totalLimit: Number(r.total_limit),
  perUserLimit: Number(r.per_user_limit),
  validFrom: r.valid_from,
  validTo: r.valid_to,
  issued: Number(r.issued),
});
const toCoupon = (r: CouponRow): Coupon => ({
  code: r.code,
  templateId: r.template_id,
  ownerId: r.owner_id,
  status: r.status,
  orderId: r.order_id,
});

export class SqlCouponRepository extends SqlRepository implements CouponRepository {
  async orderHoldsAny(orderId: string): Promise<boolean> {
    const r = await this.sql.one<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM coupons WHERE order_id = $1)
           OR EXISTS (SELECT 1 FROM flash_purchases WHERE order_id = $1)
           OR EXISTS (SELECT 1 FROM group_members WHERE order_id = $1) AS any`,
      [orderId],
    );
    return r?.any === true;
  }
  async insertTemplate(t: CouponTemplate, now: Date): Promise<void> {
    await this.insert(
      `INSERT INTO coupon_templates (id, name, promotion_id, total_limit, per_user_limit, valid_from, valid_to, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [t.id, t.name, t.promotionId, t.totalLimit, t.perUserLimit, t.validFrom, t.validTo, now],
      'COUPON_TEMPLATE_EXISTS',
      `coupon template ${t.id}`,
    );
  }
  async findTemplate(id: string, forUpdate = false) {
    const r = await this.sql.one<CouponTemplateRow>(
      `SELECT * FROM coupon_templates WHERE id = $1${lock(forUpdate)}`,
      [id],
    );
    return r ? toTemplate(r) : null;
  }
  async findTemplates(ids: string[]): Promise<CouponTemplate[]> {
    if (ids.length === 0) return [];
    return (
      await this.sql.rows<CouponTemplateRow>(`SELECT * FROM coupon_templates WHERE id = ANY($1)`, [
        ids,
      ])
    ).map(toTemplate);
  }
  async addIssued(templateId: string, count: number): Promise<void> {
    await this.sql.run(`UPDATE coupon_templates SET issued = issued + $2 WHERE id = $1`, [
      templateId,
      count,
    ]);
  }
  async insertCoupons(coupons: Coupon[], now: Date): Promise<string[]> {
    if (coupons.length === 0) return [];
    const rows = await this.sql.rows<{ code: string }>(
      `INSERT INTO coupons (code, template_id, owner_id, status, order_id, updated_at)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::timestamptz[])
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [
        coupons.map((c) => c.code),
        coupons.map((c) => c.templateId),
        coupons.map((c) => c.ownerId),
        coupons.map((c) => c.status),
        coupons.map((c) => c.orderId),
        coupons.map(() => now),
      ],
    );
    return rows.map((r) => r.code);
  }
  async find(code: string, forUpdate = false): Promise<Coupon | null> {
    const r = await this.sql.one<CouponRow>(
      `SELECT * FROM coupons WHERE code = $1${lock(forUpdate)}`,
      [code],
    );
    return r ? toCoupon(r) : null;
  }
  async findMany(codes: string[], forUpdate: boolean): Promise<Coupon[]> {
    if (codes.length === 0) return [];
    // a fixed lock order, so two checkouts naming the same coupons cannot deadlock
    return (
      await this.sql.rows<CouponRow>(
        `SELECT * FROM coupons WHERE code = ANY($1) ORDER BY code${lock(forUpdate)}`,
        [codes],
      )
    ).map(toCoupon);
  }
  async save(c: Coupon, now: Date): Promise<void> {
    await this.sql.run(
      `UPDATE coupons SET owner_id = $2, status = $3, order_id = $4, updated_at = $5 WHERE code = $1`,
      [c.code, c.ownerId, c.status, c.orderId, now],
    );
  }
  async heldBy(accountId: string, templateId: string): Promise<number> {
    const r = await this.sql.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM coupons WHERE owner_id = $1 AND template_id = $2`,
      [accountId, templateId],
    );
    return Number(r?.n ?? 0);
  }
  async ofOrder(orderId: string, forUpdate: boolean): Promise<Coupon[]> {
    return (
      await this.sql.rows<CouponRow>(
        `SELECT * FROM coupons WHERE order_id = $1 ORDER BY code${lock(forUpdate)}`,
        [orderId],
      )
    ).map(toCoupon);
  }
  async ofAccount(accountId: string): Promise<Coupon[]> {
    return (
      await this.sql.rows<CouponRow>(
        `SELECT * FROM coupons WHERE owner_id = $1 ORDER BY updated_at DESC, code`,
        [accountId],
      )
    ).map(toCoupon);
  }
  async expiringUnnoticed(from: Date, until: Date, limit: number): Promise<Coupon[]> {
    // templates by valid_to (coupon_templates_valid_to), then their pending coupons
    // (coupons_expiry_pending); a concurrent run's rows are skipped, never waited for
    return (
      await this.sql.rows<CouponRow>(
        `SELECT c.* FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
          WHERE t.valid_to > $1 AND t.valid_to <= $2
            AND c.owner_id IS NOT NULL AND c.status IN ('ISSUED', 'CLAIMED')
            AND c.expiry_noticed_at IS NULL
          ORDER BY t.valid_to, c.code
          LIMIT $3
          FOR UPDATE OF c SKIP LOCKED`,
        [from, until, limit],
      )
    ).map(toCoupon);
  }
  async markExpiryNoticed(codes: string[], at: Date): Promise<void> {
    if (codes.length === 0) return;
    await this.sql.run(`UPDATE coupons SET expiry_noticed_at = $2 WHERE code = ANY($1)`, [
      codes,
      at,
    ]);
  }
}

export class SqlCustomerRepository extends SqlRepository implements CustomerRepository {
  async facts(accountId: string): Promise<CustomerFacts | null> {
    const r = await this.sql.one<CustomerFactsRow>(
      `SELECT ${CUSTOMER_FACTS_COLUMNS} FROM customer_facts WHERE account_id = $1`,
      [accountId],
    );
    return r ? { tier: r.tier, ordersPlaced: Number(r.orders_placed) } : null;
  }
  async orderPlaced(accountId: string): Promise<void> {
    // held until the transaction's next statement or COMMIT (libs/persistence: one round trip)
    await this.sql.runAtCommit(
      `INSERT INTO customer_facts (account_id, orders_placed) VALUES ($1, 1)
       ON CONFLICT (account_id) DO UPDATE SET orders_placed = customer_facts.orders_placed + 1`,
      [accountId],
    );
  }
  async setTier(accountId: string, tier: string, at: Date): Promise<void> {
    // events may arrive out of order: an older change never overwrites a newer one
    await this.sql.run(
      `INSERT INTO customer_facts (account_id, tier, tier_changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET tier = $2, tier_changed_at = $3
       WHERE customer_facts.tier_changed_at IS NULL OR customer_facts.tier_changed_at <= $3`,
      [accountId, tier, at],
    );
  }
}

const toSale = (r: FlashSaleRow): FlashSale => ({
  id: r.id,
  skuId: r.sku_id,
  price: money(r.price_minor, r.currency),
  stock: Number(r.stock),
  perUserLimit: Number(r.per_user_limit),
  startsAt: r.starts_at,
  endsAt: r.ends_at,
});
const toPurchase = (r: FlashPurchaseRow): FlashPurchase => ({
  token: r.token,
  saleId: r.sale_id,
  accountId: r.account_id,
  quantity: Number(r.quantity),
  status: r.status,
  orderId: r.order_id,
  wonAt: r.won_at,
  expiresAt: r.expires_at,
});

export class SqlFlashRepository extends SqlRepository implements FlashRepository {
  async insertSale(s: FlashSale, now: Date): Promise<void> {
    await this.insert(
      `INSERT INTO flash_sales (id, sku_id, price_minor, currency, stock, per_user_limit, starts_at, ends_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        s.id,
        s.skuId,
        s.price.amountMinor,
        s.price.currency,
        s.stock,
        s.perUserLimit,
        s.startsAt,
        s.endsAt,
        now,
      ],
      'FLASH_SALE_EXISTS',
      `flash sale ${s.id}`,
    );
  }
  async findSale(id: string): Promise<FlashSale | null> {
    const r = await this.sql.one<FlashSaleRow>(`SELECT * FROM flash_sales WHERE id = $1`, [id]);
    return r ? toSale(r) : null;
  }
  async listSales(
    filter: { status: FlashSaleStatus | null; now: Date },
    limit: number,
    after: FlashSaleCursor | null,
  ): Promise<ListedFlashSale[]> {
    // all, or ENDED: flash_sales_created_idx in order. SCHEDULED and LIVE: the sales not ended
    // (flash_sales_ends_idx; a sale that has not started has not ended either), sorted: a few
    const params: unknown[] = [limit];
    const where: string[] = [];
    if (filter.status) {
      const now = `$${params.push(filter.now)}`;
      where.push(
        {
          SCHEDULED: `ends_at > ${now} AND starts_at > ${now}`,
          LIVE: `ends_at > ${now} AND starts_at <= ${now}`,
          ENDED: `ends_at <= ${now}`,
        }[filter.status],
      );
    }
    if (after)
      where.push(
        `(created_at, id) < ($${params.push(after.createdAt)}, $${params.push(after.id)})`,
      );
    const rows = await this.sql.rows<FlashSaleRow>(
      `SELECT * FROM flash_sales ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => ({ sale: toSale(r), createdAt: r.created_at }));
  }
  async liveSales(now: Date): Promise<FlashSale[]> {
    return (
      await this.sql.rows<FlashSaleRow>(`SELECT * FROM flash_sales WHERE ends_at > $1`, [now])
    ).map(toSale);
  }
  async recordWins(ps: FlashPurchase[]): Promise<void> {
    if (ps.length === 0) return;
    const col = <T>(f: (p: FlashPurchase) => T) => ps.map(f);
    await this.sql.run(
      `INSERT INTO flash_purchases (token, sale_id, account_id, quantity, status, order_id, won_at, expires_at, updated_at)
       SELECT t, s, a, q, st, o, w, e, w
         FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[])
           AS x(t, s, a, q, st, o, w, e)
       ON CONFLICT (token) DO NOTHING`,
      [
        col((p) => p.token),
        col((p) => p.saleId),
        col((p) => p.accountId),
        col((p) => p.quantity),
        col((p) => p.status),
        col((p) => p.orderId),
        col((p) => p.wonAt),
        col((p) => p.expiresAt),
      ],
    );
  }
  async findPurchase(token: string, forUpdate: boolean): Promise<FlashPurchase | null> {
    const r = await this.sql.one<FlashPurchaseRow>(
      `SELECT * FROM flash_purchases WHERE token = $1${lock(forUpdate)}`,
      [token],
    );
    return r ? toPurchase(r) : null;
  }
  async purchaseOfOrder(orderId: string, forUpdate: boolean): Promise<FlashPurchase | null> {
    const r = await this.sql.one<FlashPurchaseRow>(
      `SELECT * FROM flash_purchases WHERE order_id = $1${lock(forUpdate)}`,
      [orderId],
    );
    return r ? toPurchase(r) : null;
  }
  async setPurchase(
    token: string,
    status: PurchaseStatus,
    orderId: string | null,
    now: Date,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE flash_purchases SET status = $2, order_id = $3, updated_at = $4 WHERE token = $1`,
      [token, status, orderId, now],
    );
  }
  async lapsed(now: Date, limit: number): Promise<FlashPurchase[]> {
    return (
      await this.sql.rows<FlashPurchaseRow>(
        `SELECT * FROM flash_purchases WHERE status = 'WON' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
        [now, limit],
      )
    ).map(toPurchase);
  }
  async tally(saleId: string) {
    const rows = await this.sql.rows<{ account_id: string; status: PurchaseStatus; units: number }>(
      `SELECT account_id, status, sum(quantity)::int AS units FROM flash_purchases
       WHERE sale_id = $1 AND status <> 'RETURNED' GROUP BY account_id, status`,
      [saleId],
    );
    const buyers: Record<string, number> = {};
    let held = 0;
    let paid = 0;
    for (const r of rows) {
      const units = Number(r.units);
      held += units;
      if (r.status === 'PAID') paid += units;
      buyers[r.account_id] = (buyers[r.account_id] ?? 0) + units;
    }
    return { held, paid, buyers };
  }
  async totals(saleId: string) {
    const [r] = await this.sql.rows<{ held: number; paid: number }>(
      `SELECT coalesce(sum(quantity), 0)::int AS held,
              coalesce(sum(quantity) FILTER (WHERE status = 'PAID'), 0)::int AS paid
         FROM flash_purchases WHERE sale_id = $1 AND status <> 'RETURNED'`,
      [saleId],
    );
    return { held: Number(r?.held ?? 0), paid: Number(r?.paid ?? 0) };
  }
  async totalsOf(saleIds: readonly string[]) {
    const rows = await this.sql.rows<{ sale_id: string; held: number; paid: number }>(
      `SELECT sale_id, coalesce(sum(quantity), 0)::int AS held,
              coalesce(sum(quantity) FILTER (WHERE status = 'PAID'), 0)::int AS paid
         FROM flash_purchases WHERE sale_id = ANY($1::uuid[]) AND status <> 'RETURNED'
        GROUP BY sale_id`,
      [saleIds],
    );
    return new Map(
      rows.map((r) => [r.sale_id, { held: Number(r.held), paid: Number(r.paid) }] as const),
    );
  }
  async recordedTokens(tokens: readonly string[]) {
    if (tokens.length === 0) return new Set<string>();
    const rows = await this.sql.rows<{ token: string }>(
      `SELECT token FROM flash_purchases WHERE token = ANY($1::text[])`,
      [tokens],
    );
    return new Set(rows.map((r) => r.token));
  }
}

const toDeal = (r: GroupDealRow): GroupDeal => ({
  id: r.id,
  skuId: r.sku_id,
  price: money(r.price_minor, r.currency),
  groupSize: Number(r.group_size),
  windowSeconds: Number(r.window_seconds),
  startsAt: r.starts_at,
  endsAt: r.ends_at,
});
const toMember = (r: GroupMemberRow): GroupMember => ({
  groupId: r.group_id,
  orderId: r.order_id,
  accountId: r.account_id,
  status: r.status,
});
const toGroup = (r: BuyingGroupRow): Omit<Group, 'participants'> => ({
  id: r.id,
  dealId: r.deal_id,
  size: Number(r.size),
  deadline: r.deadline,
  status: r.status,
});

export class SqlGroupRepository extends SqlRepository implements GroupRepository {
  async insertDeal(x: GroupDeal, now: Date): Promise<void> {
    await this.insert(
      `INSERT INTO group_deals (id, sku_id, price_minor, currency, group_size, window_seconds, starts_at, ends_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        x.id,
        x.skuId,
        x.price.amountMinor,
        x.price.currency,
        x.groupSize,
        x.windowSeconds,
        x.startsAt,
        x.endsAt,
        now,
      ],
      'GROUP_DEAL_EXISTS',
      `group deal ${x.id}`,
    );
  }
  async findDeal(id: string): Promise<GroupDeal | null> {
    const r = await this.sql.one<GroupDealRow>(`SELECT * FROM group_deals WHERE id = $1`, [id]);
    return r ? toDeal(r) : null;
  }
  async insertGroup(g: Group, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO buying_groups (id, deal_id, size, deadline, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [g.id, g.dealId, g.size, g.deadline, g.status, now],
    );
  }
  async findGroup(id: string, forUpdate: boolean): Promise<Group | null> {
    const r = await this.sql.one<BuyingGroupRow>(
      `SELECT * FROM buying_groups WHERE id = $1${lock(forUpdate)}`,
      [id],
    );
    if (!r) return null;
    const joined = await this.joined(id);
    return {
      ...toGroup(r),
      participants: joined.map((m) => ({ accountId: m.accountId, orderId: m.orderId })),
    };
  }
  async setGroupStatus(id: string, status: Group['status'], now: Date): Promise<void> {
    await this.sql.run(`UPDATE buying_groups SET status = $2, updated_at = $3 WHERE id = $1`, [
      id,
      status,
      now,
    ]);
  }
  async openGroups(dealId: string) {
    const rows = await this.sql.rows<BuyingGroupRow & { joined: number }>(
      `SELECT g.*, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id AND m.status = 'JOINED') AS joined
       FROM buying_groups g WHERE g.deal_id = $1 AND g.status = 'OPEN' AND g.deadline > now()
       ORDER BY g.deadline LIMIT 50`,
      [dealId],
    );
    return rows.map((r) => ({ ...toGroup(r), participants: [], joined: Number(r.joined) }));
  }
  async joined(groupId: string): Promise<GroupMember[]> {
    return (
      await this.sql.rows<GroupMemberRow>(
        `SELECT * FROM group_members WHERE group_id = $1 AND status = 'JOINED' ORDER BY updated_at, order_id`,
        [groupId],
      )
    ).map(toMember);
  }
  async members(groupId: string): Promise<GroupMember[]> {
    return (
      await this.sql.rows<GroupMemberRow>(
        `SELECT * FROM group_members WHERE group_id = $1 ORDER BY created_at, order_id`,
        [groupId],
      )
    ).map(toMember);
  }
  async addPending(x: GroupMember, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO group_members (order_id, group_id, account_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'PENDING', $4, $4) ON CONFLICT (order_id) DO NOTHING`,
      [x.orderId, x.groupId, x.accountId, now],
    );
  }
  async memberOfOrder(orderId: string, forUpdate: boolean): Promise<GroupMember | null> {
    const r = await this.sql.one<GroupMemberRow>(
      `SELECT * FROM group_members WHERE order_id = $1${lock(forUpdate)}`,
      [orderId],
    );
    return r ? toMember(r) : null;
  }
  async setMemberStatus(orderId: string, status: MemberStatus, now: Date): Promise<void> {
    await this.sql.run(
      `UPDATE group_members SET status = $2, updated_at = $3 WHERE order_id = $1`,
      [orderId, status, now],
    );
  }
  async due(now: Date, limit: number): Promise<string[]> {
    return (
      await this.sql.rows<{ id: string }>(
        `SELECT id FROM buying_groups WHERE status = 'OPEN' AND deadline <= $1 ORDER BY deadline LIMIT $2`,
        [now, limit],
      )
    ).map((r) => r.id);
  }
}

/** A promotion row as JSON (times as text). */
type PromotionJson = Omit<PromotionRow, 'starts_at' | 'ends_at' | 'updated_at'> & {
  starts_at: string | null;
  ends_at: string | null;
};
/** A campaign row as JSON (times as text). */
type CampaignJson = Omit<CampaignRow, 'starts_at' | 'ends_at' | 'updated_at'> & {
  starts_at: string;
  ends_at: string;
};

/**
 * What pricing reads, in one statement: the buyer's facts, the candidate promotions (active, not
 * coupon-only, not outside their own window at $2) and their campaigns, each as JSON.
 */
export class SqlPricingReadRepository extends SqlRepository implements PricingReadRepository {
  async inputs(accountId: string, now: Date): Promise<PricingInputs> {
    const [r] = await this.sql.rows<{
      facts: { tier: string; orders_placed: string } | null;
      promotions: PromotionJson[];
      campaigns: CampaignJson[];
    }>(
      `WITH p AS (
         SELECT id, name, priority, exclusive, rule, campaign_id, starts_at, ends_at, active, coupon_only
           FROM promotions WHERE active AND NOT coupon_only
            AND (starts_at IS NULL OR starts_at <= $2) AND (ends_at IS NULL OR ends_at > $2))
       SELECT
         (SELECT json_build_object('tier', tier, 'orders_placed', orders_placed::text)
            FROM customer_facts WHERE account_id = $1) AS facts,
         COALESCE((SELECT json_agg(json_build_object('id', id, 'name', name, 'priority', priority,
             'exclusive', exclusive, 'rule', rule, 'campaign_id', campaign_id, 'starts_at', starts_at,
             'ends_at', ends_at, 'active', active, 'coupon_only', coupon_only) ORDER BY priority, id)
           FROM p), '[]'::json) AS promotions,
         COALESCE((SELECT json_agg(json_build_object('id', c.id, 'name', c.name,
             'starts_at', c.starts_at, 'ends_at', c.ends_at, 'active', c.active))
           FROM campaigns c WHERE c.id IN (SELECT campaign_id FROM p)), '[]'::json) AS campaigns`,
      [accountId, now],
    );
    return {
      facts: r.facts && { tier: r.facts.tier, ordersPlaced: Number(r.facts.orders_placed) },
      candidates: r.promotions.map((p) =>
        toPromotion({
          ...p,
          starts_at: p.starts_at === null ? null : new Date(p.starts_at),
          ends_at: p.ends_at === null ? null : new Date(p.ends_at),
        }),
      ),
      campaigns: r.campaigns.map((c) =>
        toCampaign({
          ...c,
          starts_at: new Date(c.starts_at),
          ends_at: new Date(c.ends_at),
        }),
      ),
    };
  }
}
