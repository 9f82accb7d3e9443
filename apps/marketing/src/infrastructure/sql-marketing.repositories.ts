import { Money } from '@emporia/money';
import { isUniqueViolation } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type {
  CampaignRepository,
  CouponRepository,
  CustomerFacts,
  CustomerRepository,
  FlashPurchase,
  FlashRepository,
  GroupDeal,
  GroupMember,
  GroupRepository,
  MemberStatus,
  PromotionRepository,
  PurchaseStatus,
} from '../application/ports';
import type { Campaign, PromotionRecord } from '../domain/campaign';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import type { FlashSale } from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import {
  actionFromJson,
  conditionsFromJson,
  ruleToJson,
  type StoredRule,
} from './promotion-rule.codec';

type Row = Record<string, unknown>;
const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const money = (minor: unknown, currency: unknown) =>
  Money.of(Number(minor), String(currency).trim());
const lock = (forUpdate: boolean) => (forUpdate ? ' FOR UPDATE' : '');

abstract class Sql {
  constructor(protected readonly m: EntityManager) {}
  protected q(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.m.query(sql, params) as Promise<Row[]>;
  }
  /** An insert whose primary key may already exist: ALREADY_EXISTS with `code`. */
  protected async insert(sql: string, params: unknown[], code: string, id: string): Promise<void> {
    try {
      await this.q(sql, params);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new MarketingError('ALREADY_EXISTS', code, `${id} already exists`);
      throw e;
    }
  }
}

const toCampaign = (r: Row): Campaign => ({
  id: r.id as string,
  name: r.name as string,
  startsAt: d(r.starts_at)!,
  endsAt: d(r.ends_at)!,
  active: r.active as boolean,
});

export class SqlCampaignRepository extends Sql implements CampaignRepository {
  async upsert(c: Campaign, now: Date): Promise<void> {
    await this.q(
      `INSERT INTO campaigns (id, name, starts_at, ends_at, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = $2, starts_at = $3, ends_at = $4, active = $5, updated_at = $6`,
      [c.id, c.name, c.startsAt, c.endsAt, c.active, now],
    );
  }
  async list(): Promise<Campaign[]> {
    return (await this.q(`SELECT * FROM campaigns ORDER BY starts_at, id`)).map(toCampaign);
  }
  async find(id: string): Promise<Campaign | null> {
    const [r] = await this.q(`SELECT * FROM campaigns WHERE id = $1`, [id]);
    return r ? toCampaign(r) : null;
  }
}

const toPromotion = (r: Row): PromotionRecord => {
  const rule = r.rule as StoredRule;
  return {
    id: r.id as string,
    name: r.name as string,
    priority: Number(r.priority),
    exclusive: r.exclusive as boolean,
    scope: rule.scope,
    conditions: conditionsFromJson(rule.conditions),
    action: actionFromJson(rule.action),
    campaignId: (r.campaign_id as string | null) ?? null,
    startsAt: d(r.starts_at),
    endsAt: d(r.ends_at),
    active: r.active as boolean,
    couponOnly: r.coupon_only as boolean,
  };
};

export class SqlPromotionRepository extends Sql implements PromotionRepository {
  async upsert(p: PromotionRecord, now: Date): Promise<void> {
    await this.q(
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
    const [r] = await this.q(`SELECT * FROM promotions WHERE id = $1`, [id]);
    return r ? toPromotion(r) : null;
  }
  async findMany(ids: string[]): Promise<PromotionRecord[]> {
    if (ids.length === 0) return [];
    return (await this.q(`SELECT * FROM promotions WHERE id = ANY($1)`, [ids])).map(toPromotion);
  }
  async list(): Promise<PromotionRecord[]> {
    return (await this.q(`SELECT * FROM promotions ORDER BY priority, id`)).map(toPromotion);
  }
  async candidates(now: Date): Promise<PromotionRecord[]> {
    return (
      await this.q(
        `SELECT * FROM promotions WHERE active AND NOT coupon_only
           AND (starts_at IS NULL OR starts_at <= $1) AND (ends_at IS NULL OR ends_at > $1)
         ORDER BY priority, id`,
        [now],
      )
    ).map(toPromotion);
  }
}

const toTemplate = (r: Row): CouponTemplate & { issued: number } => ({
  id: r.id as string,
  name: r.name as string,
  promotionId: r.promotion_id as string,
  totalLimit: Number(r.total_limit),
  perUserLimit: Number(r.per_user_limit),
  validFrom: d(r.valid_from)!,
  validTo: d(r.valid_to)!,
  issued: Number(r.issued),
});
const toCoupon = (r: Row): Coupon => ({
  code: r.code as string,
  templateId: r.template_id as string,
  ownerId: (r.owner_id as string | null) ?? null,
  status: r.status as Coupon['status'],
  orderId: (r.order_id as string | null) ?? null,
});

export class SqlCouponRepository extends Sql implements CouponRepository {
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
    const [r] = await this.q(`SELECT * FROM coupon_templates WHERE id = $1${lock(forUpdate)}`, [
      id,
    ]);
    return r ? toTemplate(r) : null;
  }
  async findTemplates(ids: string[]): Promise<CouponTemplate[]> {
    if (ids.length === 0) return [];
    return (await this.q(`SELECT * FROM coupon_templates WHERE id = ANY($1)`, [ids])).map(
      toTemplate,
    );
  }
  async addIssued(templateId: string, count: number): Promise<void> {
    await this.q(`UPDATE coupon_templates SET issued = issued + $2 WHERE id = $1`, [
      templateId,
      count,
    ]);
  }
  async insertCoupons(coupons: Coupon[], now: Date): Promise<string[]> {
    if (coupons.length === 0) return [];
    const rows = await this.q(
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
    return rows.map((r) => r.code as string);
  }
  async find(code: string, forUpdate = false): Promise<Coupon | null> {
    const [r] = await this.q(`SELECT * FROM coupons WHERE code = $1${lock(forUpdate)}`, [code]);
    return r ? toCoupon(r) : null;
  }
  async findMany(codes: string[], forUpdate: boolean): Promise<Coupon[]> {
    if (codes.length === 0) return [];
    // a fixed lock order, so two checkouts naming the same coupons cannot deadlock
    return (
      await this.q(`SELECT * FROM coupons WHERE code = ANY($1) ORDER BY code${lock(forUpdate)}`, [
        codes,
      ])
    ).map(toCoupon);
  }
  async save(c: Coupon, now: Date): Promise<void> {
    await this.q(
      `UPDATE coupons SET owner_id = $2, status = $3, order_id = $4, updated_at = $5 WHERE code = $1`,
      [c.code, c.ownerId, c.status, c.orderId, now],
    );
  }
  async heldBy(accountId: string, templateId: string): Promise<number> {
    const [r] = await this.q(
      `SELECT count(*)::int AS n FROM coupons WHERE owner_id = $1 AND template_id = $2`,
      [accountId, templateId],
    );
    return Number(r.n);
  }
  async ofOrder(orderId: string, forUpdate: boolean): Promise<Coupon[]> {
    return (
      await this.q(`SELECT * FROM coupons WHERE order_id = $1 ORDER BY code${lock(forUpdate)}`, [
        orderId,
      ])
    ).map(toCoupon);
  }
  async ofAccount(accountId: string): Promise<Coupon[]> {
    return (
      await this.q(`SELECT * FROM coupons WHERE owner_id = $1 ORDER BY updated_at DESC, code`, [
        accountId,
      ])
    ).map(toCoupon);
  }
}

export class SqlCustomerRepository extends Sql implements CustomerRepository {
  async facts(accountId: string): Promise<CustomerFacts | null> {
    const [r] = await this.q(`SELECT * FROM customer_facts WHERE account_id = $1`, [accountId]);
    return r ? { tier: r.tier as string, ordersPlaced: Number(r.orders_placed) } : null;
  }
  async orderPlaced(accountId: string): Promise<void> {
    await this.q(
      `INSERT INTO customer_facts (account_id, orders_placed) VALUES ($1, 1)
       ON CONFLICT (account_id) DO UPDATE SET orders_placed = customer_facts.orders_placed + 1`,
      [accountId],
    );
  }
  async setTier(accountId: string, tier: string, at: Date): Promise<void> {
    // events may arrive out of order: an older change never overwrites a newer one
    await this.q(
      `INSERT INTO customer_facts (account_id, tier, tier_changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET tier = $2, tier_changed_at = $3
       WHERE customer_facts.tier_changed_at IS NULL OR customer_facts.tier_changed_at <= $3`,
      [accountId, tier, at],
    );
  }
}

const toSale = (r: Row): FlashSale => ({
  id: r.id as string,
  skuId: r.sku_id as string,
  price: money(r.price_minor, r.currency),
  stock: Number(r.stock),
  perUserLimit: Number(r.per_user_limit),
  startsAt: d(r.starts_at)!,
  endsAt: d(r.ends_at)!,
});
const toPurchase = (r: Row): FlashPurchase => ({
  token: r.token as string,
  saleId: r.sale_id as string,
  accountId: r.account_id as string,
  quantity: Number(r.quantity),
  status: r.status as PurchaseStatus,
  orderId: (r.order_id as string | null) ?? null,
  wonAt: d(r.won_at)!,
  expiresAt: d(r.expires_at)!,
});

export class SqlFlashRepository extends Sql implements FlashRepository {
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
    const [r] = await this.q(`SELECT * FROM flash_sales WHERE id = $1`, [id]);
    return r ? toSale(r) : null;
  }
  async liveSales(now: Date): Promise<FlashSale[]> {
    return (await this.q(`SELECT * FROM flash_sales WHERE ends_at > $1`, [now])).map(toSale);
  }
  async recordWin(p: FlashPurchase): Promise<void> {
    await this.q(
      `INSERT INTO flash_purchases (token, sale_id, account_id, quantity, status, order_id, won_at, expires_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) ON CONFLICT (token) DO NOTHING`,
      [p.token, p.saleId, p.accountId, p.quantity, p.status, p.orderId, p.wonAt, p.expiresAt],
    );
  }
  async findPurchase(token: string, forUpdate: boolean): Promise<FlashPurchase | null> {
    const [r] = await this.q(`SELECT * FROM flash_purchases WHERE token = $1${lock(forUpdate)}`, [
      token,
    ]);
    return r ? toPurchase(r) : null;
  }
  async purchaseOfOrder(orderId: string, forUpdate: boolean): Promise<FlashPurchase | null> {
    const [r] = await this.q(
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
    await this.q(
      `UPDATE flash_purchases SET status = $2, order_id = $3, updated_at = $4 WHERE token = $1`,
      [token, status, orderId, now],
    );
  }
  async lapsed(now: Date, limit: number): Promise<FlashPurchase[]> {
    return (
      await this.q(
        `SELECT * FROM flash_purchases WHERE status = 'WON' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
        [now, limit],
      )
    ).map(toPurchase);
  }
  async tally(saleId: string) {
    const rows = await this.q(
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
      buyers[r.account_id as string] = (buyers[r.account_id as string] ?? 0) + units;
    }
    return { held, paid, buyers };
  }
}

const toDeal = (r: Row): GroupDeal => ({
  id: r.id as string,
  skuId: r.sku_id as string,
  price: money(r.price_minor, r.currency),
  groupSize: Number(r.group_size),
  windowSeconds: Number(r.window_seconds),
  startsAt: d(r.starts_at)!,
  endsAt: d(r.ends_at)!,
});
const toMember = (r: Row): GroupMember => ({
  groupId: r.group_id as string,
  orderId: r.order_id as string,
  accountId: r.account_id as string,
  status: r.status as MemberStatus,
});

export class SqlGroupRepository extends Sql implements GroupRepository {
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
    const [r] = await this.q(`SELECT * FROM group_deals WHERE id = $1`, [id]);
    return r ? toDeal(r) : null;
  }
  async insertGroup(g: Group, now: Date): Promise<void> {
    await this.q(
      `INSERT INTO buying_groups (id, deal_id, size, deadline, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [g.id, g.dealId, g.size, g.deadline, g.status, now],
    );
  }
  async findGroup(id: string, forUpdate: boolean): Promise<Group | null> {
    const [r] = await this.q(`SELECT * FROM buying_groups WHERE id = $1${lock(forUpdate)}`, [id]);
    if (!r) return null;
    const joined = await this.joined(id);
    return {
      id,
      dealId: r.deal_id as string,
      size: Number(r.size),
      deadline: d(r.deadline)!,
      status: r.status as Group['status'],
      participants: joined.map((m) => ({ accountId: m.accountId, orderId: m.orderId })),
    };
  }
  async setGroupStatus(id: string, status: Group['status'], now: Date): Promise<void> {
    await this.q(`UPDATE buying_groups SET status = $2, updated_at = $3 WHERE id = $1`, [
      id,
      status,
      now,
    ]);
  }
  async openGroups(dealId: string) {
    const rows = await this.q(
      `SELECT g.*, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id AND m.status = 'JOINED') AS joined
       FROM buying_groups g WHERE g.deal_id = $1 AND g.status = 'OPEN' AND g.deadline > now()
       ORDER BY g.deadline LIMIT 50`,
      [dealId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      dealId: r.deal_id as string,
      size: Number(r.size),
      deadline: d(r.deadline)!,
      status: r.status as Group['status'],
      participants: [],
      joined: Number(r.joined),
    }));
  }
  async joined(groupId: string): Promise<GroupMember[]> {
    return (
      await this.q(
        `SELECT * FROM group_members WHERE group_id = $1 AND status = 'JOINED' ORDER BY updated_at, order_id`,
        [groupId],
      )
    ).map(toMember);
  }
  async members(groupId: string): Promise<GroupMember[]> {
    return (
      await this.q(
        `SELECT * FROM group_members WHERE group_id = $1 ORDER BY created_at, order_id`,
        [groupId],
      )
    ).map(toMember);
  }
  async addPending(x: GroupMember, now: Date): Promise<void> {
    await this.q(
      `INSERT INTO group_members (order_id, group_id, account_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'PENDING', $4, $4) ON CONFLICT (order_id) DO NOTHING`,
      [x.orderId, x.groupId, x.accountId, now],
    );
  }
  async memberOfOrder(orderId: string, forUpdate: boolean): Promise<GroupMember | null> {
    const [r] = await this.q(`SELECT * FROM group_members WHERE order_id = $1${lock(forUpdate)}`, [
      orderId,
    ]);
    return r ? toMember(r) : null;
  }
  async setMemberStatus(orderId: string, status: MemberStatus, now: Date): Promise<void> {
    await this.q(`UPDATE group_members SET status = $2, updated_at = $3 WHERE order_id = $1`, [
      orderId,
      status,
      now,
    ]);
  }
  async due(now: Date, limit: number): Promise<string[]> {
    return (
      await this.q(
        `SELECT id FROM buying_groups WHERE status = 'OPEN' AND deadline <= $1 ORDER BY deadline LIMIT $2`,
        [now, limit],
      )
    ).map((r) => r.id as string);
  }
}
