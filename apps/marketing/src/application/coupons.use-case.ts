import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  claim,
  couponCode,
  issuable,
  normaliseCouponCode,
  validateTemplate,
  type Coupon,
  type CouponTemplate,
} from '../domain/coupon';
import { MarketingError } from '../domain/marketing-error';
import {
  CLOCK,
  type Clock,
  type MarketingTx,
  RANDOM,
  type Random,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export interface CouponView extends Coupon {
  name: string;
  validFrom: Date;
  validTo: Date;
}

export const templateNotFound = (id: string) =>
  new MarketingError(
    'NOT_FOUND',
    'COUPON_TEMPLATE_NOT_FOUND',
    `coupon template ${id} does not exist`,
  );

export const parseCode = (input: string): string => {
  const code = normaliseCouponCode(input);
  if (!code)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'COUPON_CODE_INVALID',
      `'${String(input).slice(0, 40)}' is not a coupon code (check for a typo)`,
    );
  return code;
};

/**
 * A new coupon of a template for an account (领券), within the template's total and per-user
 * limits and before it expires; the template row is locked (it serialises one template's
 * claims). Shared by ClaimCoupon and the grants to audiences and abandoned carts.
 */
export async function claimOfTemplate(
  tx: MarketingTx,
  random: Random,
  accountId: string,
  templateId: string,
  now: Date,
): Promise<CouponView> {
  const t = await tx.coupons.findTemplate(templateId, true);
  if (!t) throw templateNotFound(templateId);
  const held = await tx.coupons.heldBy(accountId, t.id);
  issuable(t, t.issued, 1);
  const fresh: Coupon = {
    code: couponCode(random(9)),
    templateId: t.id,
    ownerId: null,
    status: 'ISSUED',
    orderId: null,
  };
  const claimed = claim(fresh, t, accountId, held, now);
  const inserted = await tx.coupons.insertCoupons([claimed], now);
  if (inserted.length !== 1)
    throw new MarketingError('UNAVAILABLE', 'COUPON_CODE_COLLISION', 'a code collided; try again');
  await tx.coupons.addIssued(t.id, 1);
  return { ...claimed, name: t.name, validFrom: t.validFrom, validTo: t.validTo };
}

/** Coupon templates, batch issuance and claims. Reserve/redeem/release live with pricing and events. */
@Injectable()
export class CouponsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM) private readonly random: Random,
  ) {}

  createTemplate(
    ctx: RequestContext,
    t: CouponTemplate,
  ): Promise<CouponTemplate & { issued: number }> {
    validateTemplate(t);
    return this.uow.run(ctx, async (tx) => {
      const p = await tx.promotions.find(t.promotionId);
      if (!p)
        throw new MarketingError(
          'NOT_FOUND',
          'PROMOTION_NOT_FOUND',
          `promotion ${t.promotionId} does not exist`,
        );
      if (!p.couponOnly)
        throw new MarketingError(
          'FAILED_PRECONDITION',
          'PROMOTION_NOT_COUPON_ONLY',
          'a coupon template needs a coupon-only promotion (else everyone gets it without a coupon)',
        );
      await tx.coupons.insertTemplate(t, this.clock.now());
      return { ...t, issued: 0 };
    });
  }

  /** Issues `count` new codes under the template's total limit (template row locked). */
  issue(ctx: RequestContext, templateId: string, count: number): Promise<string[]> {
    if (!Number.isInteger(count) || count < 1 || count > 10_000)
      throw new MarketingError(
        'INVALID_ARGUMENT',
        'COUPON_BATCH_INVALID',
        'issue 1 to 10000 coupons at a time',
      );
    return this.uow.run(ctx, async (tx) => {
      const t = await tx.coupons.findTemplate(templateId, true);
      if (!t) throw templateNotFound(templateId);
      issuable(t, t.issued, count);
      const codes: string[] = [];
      // random codes rarely collide; a collision is skipped and another code drawn
      for (let round = 0; codes.length < count && round < 5; round++) {
        const batch = Array.from({ length: count - codes.length }, () => ({
          code: couponCode(this.random(9)),
          templateId,
          ownerId: null,
          status: 'ISSUED' as const,
          orderId: null,
        }));
        codes.push(...(await tx.coupons.insertCoupons(batch, this.clock.now())));
      }
      if (codes.length < count)
        throw new MarketingError(
          'UNAVAILABLE',
          'COUPON_CODES_EXHAUSTED',
          'could not draw unique codes',
        );
      await tx.coupons.addIssued(templateId, codes.length);
      return codes;
    });
  }

  /**
   * Claims a code (an issued coupon handed out) or a new coupon of a template (领券), within
   * the template's per-user and total limits. Claiming the same code twice is one claim.
   */
  claim(
    ctx: RequestContext,
    accountId: string,
    by: { code: string } | { templateId: string },
  ): Promise<CouponView> {
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      if ('code' in by) {
        const code = parseCode(by.code);
        const c = await tx.coupons.find(code, true);
        if (!c)
          throw new MarketingError(
            'NOT_FOUND',
            'COUPON_NOT_FOUND',
            `coupon ${code} does not exist`,
          );
        // the template row is the lock that serialises one account's claims
        const t = (await tx.coupons.findTemplate(c.templateId, true))!;
        const held = await tx.coupons.heldBy(accountId, t.id);
        const claimed = claim(c, t, accountId, held, now);
        if (claimed !== c) await tx.coupons.save(claimed, now);
        return { ...claimed, name: t.name, validFrom: t.validFrom, validTo: t.validTo };
      }
      return claimOfTemplate(tx, this.random, accountId, by.templateId, now);
    });
  }

  list(ctx: RequestContext, accountId: string): Promise<CouponView[]> {
    return this.uow.run(ctx, async (tx) => {
      const coupons = await tx.coupons.ofAccount(accountId);
      const templates = new Map(
        (await tx.coupons.findTemplates([...new Set(coupons.map((c) => c.templateId))])).map(
          (t) => [t.id, t],
        ),
      );
      return coupons.map((c) => {
        const t = templates.get(c.templateId)!;
        return { ...c, name: t.name, validFrom: t.validFrom, validTo: t.validTo };
      });
    });
  }
}
