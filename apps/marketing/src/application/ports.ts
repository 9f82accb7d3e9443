import type { Money } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Campaign, PromotionRecord } from '../domain/campaign';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import type { AttemptOutcome, FlashSale, FlashSaleStatus } from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const FLASH_STORE = Symbol('FLASH_STORE');
export const RANDOM = Symbol('RANDOM');
export const FLASH_SETTINGS = Symbol('FLASH_SETTINGS');
export const COUPON_EXPIRY_SETTINGS = Symbol('COUPON_EXPIRY_SETTINGS');

export type { Clock, IdGenerator } from '@emporia/domain';
/** Random bytes for coupon codes. */
export type Random = (n: number) => Uint8Array;

export interface FlashSettings {
  /** How long a winner has to check out before the units go back to the pool. */
  tokenTtlMs: number;
  /**
   * The sweep reconciles a live sale at most this often (0 or left out: at every sweep): the
   * reconciliation sums every purchase of the sale, which a sale of many winners makes dear.
   */
  reconcileEveryMs?: number;
}

export interface CouponExpirySettings {
  /** Holders hear of a coupon this many hours before it expires (0: never). */
  noticeHours: number;
  /** Coupons noticed per sweep run at most (the rest wait for the next run). */
  batchSize: number;
}

export interface RecordedWin {
  token: string;
  buyer: string;
  quantity: number;
  wonAt: Date;
}

/** The flash-sale pool in Redis: one atomic decision per attempt. */
export interface FlashSaleStore {
  /** Loads a sale's pool if absent; `buyers` restores per-user counts after a loss. */
  load(sale: FlashSale, remaining?: number, buyers?: Record<string, number>): Promise<void>;
  isLoaded(saleId: string): Promise<boolean>;
  attempt(
    saleId: string,
    buyer: string,
    quantity: number,
    now: Date,
  ): Promise<AttemptOutcome | { result: 'UNKNOWN' }>;
  /**
   * Attempts on one sale decided in order in one atomic step, each exactly as `attempt` decides
   * it alone; one outcome per attempt, in order.
   */
  attemptMany(
    saleId: string,
    attempts: readonly { buyer: string; quantity: number }[],
    now: Date,
  ): Promise<(AttemptOutcome | { result: 'UNKNOWN' })[]>;
  /** Gives a win's units back, once per token. */
  giveBack(saleId: string, token: string, buyer: string, quantity: number): Promise<number>;
  /** The oldest wins of the sale's win list (at most `max`), wherever they were decided. */
  pendingWins(saleId: string, max: number): Promise<RecordedWin[]>;
  /**
   * Drops `wins` (the list's first ones, as `pendingWins` read them, now in the database) from
   * the list, unless another reader dropped them first (then it drops nothing: never a win
   * nobody recorded).
   */
  ackWins(saleId: string, wins: readonly RecordedWin[]): Promise<void>;
  state(saleId: string): Promise<{ stock: number; buyers: Record<string, number> }>;
  /** The units left in the pool (`state` without the buyers). */
  remaining(saleId: string): Promise<number>;
  /**
   * The units left and the wins in the win list (recorded in the database or not yet), read at
   * one instant.
   */
  reading(
    saleId: string,
  ): Promise<{ remaining: number; pending: { token: string; quantity: number }[] }>;
}

export type PurchaseStatus = 'WON' | 'ORDERED' | 'PAID' | 'RETURNED';

export interface FlashPurchase {
  token: string;
  saleId: string;
  accountId: string;
  quantity: number;
  status: PurchaseStatus;
  orderId: string | null;
  wonAt: Date;
  expiresAt: Date;
}

export interface GroupDeal {
  id: string;
  skuId: string;
  price: Money;
  groupSize: number;
  windowSeconds: number;
  startsAt: Date;
  endsAt: Date;
}

export type MemberStatus = 'PENDING' | 'JOINED' | 'LEFT' | 'FAILED';

export interface GroupMember {
  groupId: string;
  orderId: string;
  accountId: string;
  status: MemberStatus;
}

export interface CampaignRepository {
  upsert(c: Campaign, now: Date): Promise<void>;
  list(): Promise<Campaign[]>;
  find(id: string): Promise<Campaign | null>;
}

export interface PromotionRepository {
  upsert(p: PromotionRecord, now: Date): Promise<void>;
  find(id: string): Promise<PromotionRecord | null>;
  findMany(ids: string[]): Promise<PromotionRecord[]>;
  list(): Promise<PromotionRecord[]>;
}

/** What pricing reads before it prices a cart (`PricingUseCase`). */
export interface PricingInputs {
  /** The buyer's facts (null: none recorded). */
  facts: CustomerFacts | null;
  /**
   * Promotions active, not coupon-only and not outside their own window at `now`, by priority
   * then id (their campaigns still to check).
   */
  candidates: PromotionRecord[];
  /** The campaigns of those candidates. */
  campaigns: Campaign[];
}

export interface PricingReadRepository {
  /** The buyer's facts, the candidate promotions and their campaigns, in one query. */
  inputs(accountId: string, now: Date): Promise<PricingInputs>;
}

export interface CouponRepository {
  /**
   * Whether an order holds anything here — a coupon, a flash-sale purchase or a group seat — in
   * one query without locks. Checkout makes them all (PriceCart) before the order is placed, so
   * an order event of an order that holds nothing has nothing to change.
   */
  orderHoldsAny(orderId: string): Promise<boolean>;
  insertTemplate(t: CouponTemplate, now: Date): Promise<void>;
  findTemplate(
    id: string,
    forUpdate?: boolean,
  ): Promise<(CouponTemplate & { issued: number }) | null>;
  findTemplates(ids: string[]): Promise<CouponTemplate[]>;
  addIssued(templateId: string, count: number): Promise<void>;
  /** Inserts coupons; a code already taken is skipped. Returns the codes inserted. */
  insertCoupons(coupons: Coupon[], now: Date): Promise<string[]>;
  find(code: string, forUpdate?: boolean): Promise<Coupon | null>;
  findMany(codes: string[], forUpdate: boolean): Promise<Coupon[]>;
  save(c: Coupon, now: Date): Promise<void>;
  heldBy(accountId: string, templateId: string): Promise<number>;
  ofOrder(orderId: string, forUpdate: boolean): Promise<Coupon[]>;
  ofAccount(accountId: string): Promise<Coupon[]>;
  /**
   * Coupons an account holds and has not used (ISSUED/CLAIMED with an owner) whose template's
   * validity ends in (from, until], not yet noticed: soonest first, at most `limit`, each row
   * locked for this transaction (rows another transaction holds are skipped).
   */
  expiringUnnoticed(from: Date, until: Date, limit: number): Promise<Coupon[]>;
  /** Records that the holders of these coupons were told they expire soon. */
  markExpiryNoticed(codes: string[], at: Date): Promise<void>;
}

export interface CustomerFacts {
  tier: string;
  ordersPlaced: number;
}

export interface CustomerRepository {
  facts(accountId: string): Promise<CustomerFacts | null>;
  orderPlaced(accountId: string): Promise<void>;
  setTier(accountId: string, tier: string, at: Date): Promise<void>;
}

/** Where a page of flash sales ends: the last sale's creation time and id. */
export interface FlashSaleCursor {
  createdAt: Date;
  id: string;
}

/** A sale as listings show it: with when it was created (their order). */
export interface ListedFlashSale {
  sale: FlashSale;
  createdAt: Date;
}

export interface FlashRepository {
  insertSale(s: FlashSale, now: Date): Promise<void>;
  findSale(id: string): Promise<FlashSale | null>;
  /**
   * Sales newest first (creation time, then id, both descending) after the cursor's sale: all,
   * or those of one status at `now` (see `flashSaleStatus`).
   */
  listSales(
    filter: { status: FlashSaleStatus | null; now: Date },
    limit: number,
    after: FlashSaleCursor | null,
  ): Promise<ListedFlashSale[]>;
  /** Sales not ended at `now` (to keep loaded in Redis). */
  liveSales(now: Date): Promise<FlashSale[]>;
  /** Records wins in one statement (each skipped if its token is already recorded). */
  recordWins(ps: FlashPurchase[]): Promise<void>;
  findPurchase(token: string, forUpdate: boolean): Promise<FlashPurchase | null>;
  purchaseOfOrder(orderId: string, forUpdate: boolean): Promise<FlashPurchase | null>;
  setPurchase(
    token: string,
    status: PurchaseStatus,
    orderId: string | null,
    now: Date,
  ): Promise<void>;
  /** Wins whose token lapsed unused. */
  lapsed(now: Date, limit: number): Promise<FlashPurchase[]>;
  /** Units by status, and per buyer units not returned. */
  tally(saleId: string): Promise<{ held: number; paid: number; buyers: Record<string, number> }>;
  /** `tally` without the buyers: one sum (the sweep's reconciliation, every second). */
  totals(saleId: string): Promise<{ held: number; paid: number }>;
  /** `totals` of several sales in one query; a sale without purchases has none (0, 0). */
  totalsOf(saleIds: readonly string[]): Promise<Map<string, { held: number; paid: number }>>;
  /** Which of these tokens have a purchase recorded (whatever its status). */
  recordedTokens(tokens: readonly string[]): Promise<Set<string>>;
}

export interface GroupRepository {
  insertDeal(d: GroupDeal, now: Date): Promise<void>;
  findDeal(id: string): Promise<GroupDeal | null>;
  insertGroup(g: Group, now: Date): Promise<void>;
  findGroup(id: string, forUpdate: boolean): Promise<Group | null>;
  setGroupStatus(id: string, status: Group['status'], now: Date): Promise<void>;
  openGroups(dealId: string): Promise<(Group & { joined: number })[]>;
  /** Participants that paid (JOINED). */
  joined(groupId: string): Promise<GroupMember[]>;
  members(groupId: string): Promise<GroupMember[]>;
  addPending(m: GroupMember, now: Date): Promise<void>;
  memberOfOrder(orderId: string, forUpdate: boolean): Promise<GroupMember | null>;
  setMemberStatus(orderId: string, status: MemberStatus, now: Date): Promise<void>;
  /** Open groups past their deadline. */
  due(now: Date, limit: number): Promise<string[]>;
}

/** The source of the coupons handed out for abandoned carts (audiences use their id). */
export const CART_REMINDER_SOURCE = 'cart-reminder';

export type GrantOutcome = 'GRANTED' | 'SKIPPED';

/** A coupon handed to an account for an audience or an abandoned cart, or why not. */
export interface AudienceGrant {
  /** The audience id, or `cart-reminder`. */
  source: string;
  accountId: string;
  templateId: string;
  /** Set when GRANTED. */
  couponCode: string | null;
  outcome: GrantOutcome;
  /** Why a grant was SKIPPED (a stable code: COUPON_LIMIT_REACHED, FREQUENCY_CAP, ...). */
  reason: string;
  grantedAt: Date;
}

export interface CartReminderPolicy {
  enabled: boolean;
  /** '' only while disabled. */
  couponTemplateId: string;
  minIntervalHours: number;
}

export interface GrantFilter {
  source: string;
  accountId: string;
  limit: number;
}

export interface AudienceRepository {
  /** The grant of an audience to an account, if any (one per pair). */
  findGrant(source: string, accountId: string): Promise<AudienceGrant | null>;
  /** Records a grant; false when the (audience, account) pair already has one. */
  insertGrant(g: AudienceGrant): Promise<boolean>;
  /** When the account last got a cart-reminder coupon (GRANTED). */
  lastReminder(accountId: string): Promise<Date | null>;
  /** Grants, newest first; '' filters match everything. */
  list(f: GrantFilter): Promise<AudienceGrant[]>;
  policy(): Promise<CartReminderPolicy | null>;
  savePolicy(p: CartReminderPolicy, now: Date): Promise<void>;
}

/** Domain events of this transaction; written to the outbox with the change, never published directly. */
export interface MarketingEvents {
  groupSucceeded(g: Group, orderIds: string[], at: Date): void;
  groupFailed(g: Group, orderIds: string[], reason: string, at: Date): void;
  /** A flash sale was created (its product is not known here: only its SKU). */
  flashSaleScheduled(sale: FlashSale): void;
  /** An account's unused coupon expires soon (once per coupon); `benefit` is what it takes off. */
  couponExpiring(coupon: Coupon, template: CouponTemplate, benefit: string): void;
}

export interface MarketingTx {
  campaigns: CampaignRepository;
  promotions: PromotionRepository;
  coupons: CouponRepository;
  customers: CustomerRepository;
  pricing: PricingReadRepository;
  flash: FlashRepository;
  groups: GroupRepository;
  audiences: AudienceRepository;
  events: MarketingEvents;
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: MarketingTx) => Promise<T>): Promise<T>;
  /**
   * Read-only work outside a transaction (no BEGIN/COMMIT round trips): for reads that need no
   * snapshot across their queries and no locks. Writes and events belong in `run`.
   */
  read<T>(ctx: RequestContext, work: (tx: MarketingTx) => Promise<T>): Promise<T>;
  /**
   * Work that is one statement, atomic by itself (Postgres runs a statement outside a
   * transaction as its own): no BEGIN/COMMIT round trips. No lock outlives the statement, and
   * events are refused (they need `run`).
   */
  statement<T>(ctx: RequestContext, work: (tx: MarketingTx) => Promise<T>): Promise<T>;
  /** Runs `work` once per event (inbox in the same transaction); false when already handled. */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: MarketingTx) => Promise<void>,
  ): Promise<boolean>;
}
