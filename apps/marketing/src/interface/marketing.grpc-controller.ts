import { Controller, Inject } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { marketingV1 } from '@emporia/contracts';
import { decodeCursor, encodeCursor, pageSize, withGrpcContext } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import { saleOfToken } from '@emporia/flash';
import { AdminUseCase } from '../application/admin.use-case';
import { AudiencesUseCase } from '../application/audiences.use-case';
import { CouponsUseCase, type CouponView } from '../application/coupons.use-case';
import { FlashSalesUseCase } from '../application/flash-sales.use-case';
import { GroupBuyUseCase } from '../application/group-buy.use-case';
import { attemptFlashPurchase, tryFlashPurchases } from './flash-attempts.raw-handlers';
import { PricingUseCase } from '../application/pricing.use-case';
import { parseFlashSaleStatus, type FlashSale } from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import {
  CART_REMINDER_SOURCE,
  ID_GENERATOR,
  type GroupDeal,
  type IdGenerator,
} from '../application/ports';
import {
  campaignIn,
  campaignOut,
  grantOut,
  money,
  moneyOut,
  promotionIn,
  promotionOut,
  sampleLineIn,
  time,
  uuid,
} from './proto-mapping';

/** The id a draft is read with (PreviewPromotion): the proto's id is not read. */
const DRAFT_ID = '00000000-0000-0000-0000-000000000000';

const couponOut = (c: CouponView): marketingV1.Coupon => ({
  code: c.code,
  templateId: c.templateId,
  name: c.name,
  status: c.status,
  orderId: c.orderId ?? '',
  validFrom: c.validFrom.toISOString(),
  validTo: c.validTo.toISOString(),
});

const saleOut = (s: FlashSale): marketingV1.FlashSale => ({
  id: s.id,
  skuId: s.skuId,
  price: moneyOut(s.price),
  stock: s.stock,
  perUserLimit: s.perUserLimit,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
});

const dealOut = (d: GroupDeal): marketingV1.GroupDeal => ({
  id: d.id,
  skuId: d.skuId,
  price: moneyOut(d.price),
  groupSize: d.groupSize,
  windowSeconds: d.windowSeconds,
  startsAt: d.startsAt.toISOString(),
  endsAt: d.endsAt.toISOString(),
});

const groupOut = (g: Group & { joined?: number }): marketingV1.Group => ({
  id: g.id,
  dealId: g.dealId,
  size: g.size,
  joined: g.joined ?? g.participants.length,
  status: g.status,
  deadline: g.deadline.toISOString(),
});

const required = <T>(v: T | undefined, what: string): T => {
  if (!v) throw new MarketingError('INVALID_ARGUMENT', 'FIELD_REQUIRED', `${what} is required`);
  return v;
};

@Controller()
@marketingV1.MarketingServiceControllerMethods()
export class MarketingGrpcController implements marketingV1.MarketingServiceController {
  constructor(
    private readonly pricing: PricingUseCase,
    private readonly admin: AdminUseCase,
    private readonly coupons: CouponsUseCase,
    private readonly flash: FlashSalesUseCase,
    private readonly groups: GroupBuyUseCase,
    private readonly audiences: AudiencesUseCase,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** A new record's id: the caller's (idempotent re-creation is refused as a duplicate), or ours. */
  private newId(field: string, v: string): string {
    return v ? uuid(field, v) : this.ids.newId();
  }

  priceCart(
    req: marketingV1.PriceCartRequest,
    md?: Metadata,
  ): Promise<marketingV1.PriceCartResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.pricing.priceCart(ctx, {
        orderId: uuid('order_id', req.orderId),
        accountId: uuid('account_id', req.accountId),
        lines: req.lines.map((l, i) => {
          const quantity = Number(l.quantity);
          if (!Number.isInteger(quantity) || quantity < 1)
            throw new MarketingError(
              'INVALID_ARGUMENT',
              'QUANTITY_INVALID',
              `lines[${i}].quantity must be at least 1`,
            );
          return {
            skuId: uuid(`lines[${i}].sku_id`, l.skuId),
            productId: l.productId,
            categoryPathIds: l.categoryPathIds,
            quantity,
            unitPrice: money(`lines[${i}].unit_price`, l.unitPrice),
          };
        }),
        couponCodes: req.couponCodes,
        channel: req.channel,
        memberTier: req.memberTier,
        firstOrder: req.firstOrder,
        flashToken: req.flashToken,
        flashSaleId: req.flashToken ? saleOfToken(req.flashToken) : null,
        groupDealId: req.groupDealId ? uuid('group_deal_id', req.groupDealId) : '',
        groupId: req.groupId ? uuid('group_id', req.groupId) : '',
      });
      return {
        lines: r.lines.map((l) => ({
          skuId: l.skuId,
          quantity: l.quantity,
          unitPrice: moneyOut(l.unitPrice),
          discount: moneyOut(l.discount),
          total: moneyOut(l.total),
        })),
        subtotal: moneyOut(r.subtotal),
        discount: moneyOut(r.discount),
        shipping: moneyOut(r.shipping),
        total: moneyOut(r.total),
        explanation: r.explanation,
        reservedCouponCodes: r.reservedCoupons,
        groupId: r.group?.id ?? '',
        groupDeadline: r.group ? r.group.deadline.toISOString() : '',
      };
    });
  }

  releaseCoupons(
    req: marketingV1.ReleaseCouponsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ReleaseCouponsResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.pricing.release(ctx, uuid('order_id', req.orderId));
      return {};
    });
  }

  upsertCampaign(
    req: marketingV1.UpsertCampaignRequest,
    md?: Metadata,
  ): Promise<marketingV1.UpsertCampaignResponse> {
    return withGrpcContext(md, async (ctx) => ({
      campaign: campaignOut(
        await this.admin.upsertCampaign(ctx, campaignIn(req.campaign?.id ?? '', req.campaign)),
      ),
    }));
  }

  listCampaigns(
    _req: marketingV1.ListCampaignsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListCampaignsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      campaigns: (await this.admin.listCampaigns(ctx)).map(campaignOut),
    }));
  }

  upsertPromotion(
    req: marketingV1.UpsertPromotionRequest,
    md?: Metadata,
  ): Promise<marketingV1.UpsertPromotionResponse> {
    return withGrpcContext(md, async (ctx) => ({
      promotion: promotionOut(
        await this.admin.upsertPromotion(ctx, promotionIn(req.promotion?.id ?? '', req.promotion)),
      ),
    }));
  }

  listPromotions(
    req: marketingV1.ListPromotionsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListPromotionsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      promotions: (
        await this.admin.listPromotions(
          ctx,
          req.inForceAt ? time('in_force_at', req.inForceAt) : undefined,
        )
      ).map(promotionOut),
    }));
  }

  previewPromotion(
    req: marketingV1.PreviewPromotionRequest,
    md?: Metadata,
  ): Promise<marketingV1.PreviewPromotionResponse> {
    return withGrpcContext(md, async (ctx) => {
      // a draft has no id yet: its messages call it "draft"
      const draft = { ...promotionIn(DRAFT_ID, req.promotion), id: 'draft' };
      const r = await this.admin.previewPromotion(ctx, draft, req.lines.map(sampleLineIn), {
        memberTier: req.memberTier,
        firstOrder: req.firstOrder,
        channel: req.channel,
        at: req.at ? time('at', req.at) : undefined,
      });
      return {
        lines: r.priced.lines.map((l) => ({
          skuId: l.skuId,
          quantity: l.quantity,
          unitPrice: moneyOut(l.unitPrice),
          discount: moneyOut(l.discount),
          total: moneyOut(l.total),
        })),
        subtotal: moneyOut(r.priced.subtotal),
        discount: moneyOut(r.priced.discount),
        total: moneyOut(r.priced.total),
        applied: r.priced.applied.map((a) => ({
          promotionName: a.name,
          discount: moneyOut(a.discount),
          explanation: a.explanation,
        })),
        gifts: r.priced.gifts.map((g) => ({ skuId: g.skuId, quantity: g.quantity })),
        inForce: r.inForce,
      };
    });
  }

  createCouponTemplate(
    req: marketingV1.CreateCouponTemplateRequest,
    md?: Metadata,
  ): Promise<marketingV1.CreateCouponTemplateResponse> {
    return withGrpcContext(md, async (ctx) => {
      const t = required(req.template, 'template');
      const saved = await this.coupons.createTemplate(ctx, {
        id: this.newId('template.id', t.id),
        name: required(t.name, 'template.name'),
        promotionId: uuid('template.promotion_id', t.promotionId),
        totalLimit: t.totalLimit,
        perUserLimit: t.perUserLimit,
        validFrom: time('template.valid_from', t.validFrom),
        validTo: time('template.valid_to', t.validTo),
      });
      return {
        template: {
          ...t,
          id: saved.id,
          promotionId: saved.promotionId,
          validFrom: saved.validFrom.toISOString(),
          validTo: saved.validTo.toISOString(),
          issued: saved.issued,
        },
      };
    });
  }

  issueCoupons(
    req: marketingV1.IssueCouponsRequest,
    md?: Metadata,
  ): Promise<marketingV1.IssueCouponsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      codes: await this.coupons.issue(ctx, uuid('template_id', req.templateId), req.count),
    }));
  }

  claimCoupon(
    req: marketingV1.ClaimCouponRequest,
    md?: Metadata,
  ): Promise<marketingV1.ClaimCouponResponse> {
    return withGrpcContext(md, async (ctx) => {
      if (!!req.code === !!req.templateId)
        throw new MarketingError(
          'INVALID_ARGUMENT',
          'CLAIM_INVALID',
          'give either a code or a template_id',
        );
      const by = req.code
        ? { code: req.code }
        : { templateId: uuid('template_id', req.templateId) };
      return {
        coupon: couponOut(await this.coupons.claim(ctx, uuid('account_id', req.accountId), by)),
      };
    });
  }

  listCoupons(
    req: marketingV1.ListCouponsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListCouponsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      coupons: (await this.coupons.list(ctx, uuid('account_id', req.accountId))).map(couponOut),
    }));
  }

  createFlashSale(
    req: marketingV1.CreateFlashSaleRequest,
    md?: Metadata,
  ): Promise<marketingV1.CreateFlashSaleResponse> {
    return withGrpcContext(md, async (ctx) => {
      const s = required(req.sale, 'sale');
      const sale = await this.flash.create(ctx, {
        id: this.newId('sale.id', s.id),
        skuId: uuid('sale.sku_id', s.skuId),
        price: money('sale.price', s.price),
        stock: s.stock,
        perUserLimit: s.perUserLimit,
        startsAt: time('sale.starts_at', s.startsAt),
        endsAt: time('sale.ends_at', s.endsAt),
      });
      return { sale: saleOut(sale) };
    });
  }

  getFlashSale(
    req: marketingV1.GetFlashSaleRequest,
    md?: Metadata,
  ): Promise<marketingV1.GetFlashSaleResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.flash.get(ctx, uuid('sale_id', req.saleId));
      return { sale: saleOut(r.sale), reconciliation: r.reconciliation };
    });
  }

  listFlashSales(
    req: marketingV1.ListFlashSalesRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListFlashSalesResponse> {
    return withGrpcContext(md, async (ctx) => {
      // a cursor that does not hold a time and a sale id is INVALID_CURSOR, never a query
      const after = req.pageToken
        ? decodeCursor(
            req.pageToken,
            (v): v is { c: string; i: string } =>
              typeof v === 'object' &&
              v !== null &&
              typeof (v as { c?: unknown }).c === 'string' &&
              !Number.isNaN(new Date((v as { c: string }).c).getTime()) &&
              UUID_RE.test(String((v as { i?: unknown }).i)),
          )
        : null;
      const r = await this.flash.list(ctx, {
        status: req.status ? parseFlashSaleStatus(req.status) : null,
        limit: pageSize(req.pageSize),
        after: after && { createdAt: new Date(after.c), id: after.i },
      });
      return {
        sales: r.items.map((d) => ({ sale: saleOut(d.sale), reconciliation: d.reconciliation })),
        nextPageToken: r.next
          ? encodeCursor({ c: r.next.createdAt.toISOString(), i: r.next.id })
          : '',
      };
    });
  }

  // The two flash-sale RPCs are answered by raw handlers (flash-attempts.raw-handlers.ts,
  // registered in marketing.app.ts); these Nest methods answer alike when they are not.
  attemptFlashPurchase(
    req: marketingV1.AttemptFlashPurchaseRequest,
    md?: Metadata,
  ): Promise<marketingV1.AttemptFlashPurchaseResponse> {
    return withGrpcContext(md, (ctx) => attemptFlashPurchase(this.flash, ctx, req));
  }

  /** Attempts of a gateway's batch, each decided as `attemptFlashPurchase` does, in order. */
  tryFlashPurchases(
    req: marketingV1.TryFlashPurchasesRequest,
    md?: Metadata,
  ): Promise<marketingV1.TryFlashPurchasesResponse> {
    return withGrpcContext(md, (ctx) => tryFlashPurchases(this.flash, ctx, req));
  }

  createGroupDeal(
    req: marketingV1.CreateGroupDealRequest,
    md?: Metadata,
  ): Promise<marketingV1.CreateGroupDealResponse> {
    return withGrpcContext(md, async (ctx) => {
      const d = required(req.deal, 'deal');
      const deal = await this.groups.createDeal(ctx, {
        id: this.newId('deal.id', d.id),
        skuId: uuid('deal.sku_id', d.skuId),
        price: money('deal.price', d.price),
        groupSize: d.groupSize,
        windowSeconds: d.windowSeconds,
        startsAt: time('deal.starts_at', d.startsAt),
        endsAt: time('deal.ends_at', d.endsAt),
      });
      return { deal: dealOut(deal) };
    });
  }

  getGroup(req: marketingV1.GetGroupRequest, md?: Metadata): Promise<marketingV1.GetGroupResponse> {
    return withGrpcContext(md, async (ctx) => ({
      group: groupOut(await this.groups.get(ctx, uuid('group_id', req.groupId))),
    }));
  }

  listOpenGroups(
    req: marketingV1.ListOpenGroupsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListOpenGroupsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      groups: (await this.groups.listOpen(ctx, uuid('deal_id', req.dealId))).map(groupOut),
    }));
  }

  setCartReminderPolicy(
    req: marketingV1.SetCartReminderPolicyRequest,
    md?: Metadata,
  ): Promise<marketingV1.SetCartReminderPolicyResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = required(req.policy, 'policy');
      const templateId = p.couponTemplateId
        ? uuid('policy.coupon_template_id', p.couponTemplateId)
        : '';
      return {
        policy: await this.audiences.setPolicy(ctx, {
          enabled: p.enabled,
          couponTemplateId: templateId,
          minIntervalHours: p.minIntervalHours,
        }),
      };
    });
  }

  getCartReminderPolicy(
    _req: marketingV1.GetCartReminderPolicyRequest,
    md?: Metadata,
  ): Promise<marketingV1.GetCartReminderPolicyResponse> {
    return withGrpcContext(md, async (ctx) => ({ policy: await this.audiences.getPolicy(ctx) }));
  }

  listAudienceGrants(
    req: marketingV1.ListAudienceGrantsRequest,
    md?: Metadata,
  ): Promise<marketingV1.ListAudienceGrantsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const source =
        !req.source || req.source === CART_REMINDER_SOURCE
          ? req.source
          : uuid('source', req.source);
      const grants = await this.audiences.listGrants(ctx, {
        source: source ?? '',
        accountId: req.accountId ? uuid('account_id', req.accountId) : '',
        limit: req.limit || 100,
      });
      return { grants: grants.map(grantOut) };
    });
  }
}
