import { Inject, Injectable } from '@nestjs/common';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import { MarketingError } from '../domain/marketing-error';
import { claimOfTemplate, templateNotFound } from './coupons.use-case';
import {
  type AudienceGrant,
  CART_REMINDER_SOURCE,
  type CartReminderPolicy,
  CLOCK,
  type Clock,
  type GrantFilter,
  type MarketingTx,
  RANDOM,
  type Random,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export const AUDIENCE_CONSUMER = 'marketing.analytics';
export const MAX_GRANTS_LISTED = 1000;
const HOUR_MS = 3_600_000;

const invalid = (code: string, field: string, message: string) =>
  new MarketingError('INVALID_ARGUMENT', code, message, { field });

/** A part of an audience export from analytics. */
export interface AudiencePart {
  audienceId: string;
  couponTemplateId: string;
  accountIds: string[];
}

/**
 * Coupons answering analytics: each account of an exported audience gets one coupon of the
 * audience's template (once per audience and account, however often the part is delivered),
 * and an abandoned cart gets a reminder coupon when the policy is on, at most one per account
 * within the policy's interval. A coupon that cannot be given (template used up, expired, the
 * account's limit reached, no such template) is recorded as SKIPPED with the reason, never
 * retried: the event is handled.
 */
@Injectable()
export class AudiencesUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM) private readonly random: Random,
  ) {}

  onAudienceExported(ctx: RequestContext, event: ReceivedEvent, part: AudiencePart) {
    return this.uow.runForEvent(ctx, AUDIENCE_CONSUMER, event, async (tx) => {
      const now = this.clock.now();
      for (const accountId of new Set(part.accountIds)) {
        if (await tx.audiences.findGrant(part.audienceId, accountId)) continue;
        await this.grant(tx, part.audienceId, accountId, part.couponTemplateId, now);
      }
    });
  }

  onCartAbandoned(ctx: RequestContext, event: ReceivedEvent, accountId: string) {
    return this.uow.runForEvent(ctx, AUDIENCE_CONSUMER, event, async (tx) => {
      const policy = await tx.audiences.policy();
      if (!policy?.enabled) return;
      const now = this.clock.now();
      // the template row is the lock: two reminders of one account are decided in turn
      await tx.coupons.findTemplate(policy.couponTemplateId, true);
      const last = await tx.audiences.lastReminder(accountId);
      if (last && now.getTime() - last.getTime() < policy.minIntervalHours * HOUR_MS) {
        await this.record(tx, {
          source: CART_REMINDER_SOURCE,
          accountId,
          templateId: policy.couponTemplateId,
          couponCode: null,
          outcome: 'SKIPPED',
          reason: 'FREQUENCY_CAP',
          grantedAt: now,
        });
        return;
      }
      await this.grant(tx, CART_REMINDER_SOURCE, accountId, policy.couponTemplateId, now);
    });
  }

  /** One coupon of the template, or a SKIPPED grant with the rule that refused it. */
  private async grant(
    tx: MarketingTx,
    source: string,
    accountId: string,
    templateId: string,
    now: Date,
  ): Promise<void> {
    const base = { source, accountId, templateId, grantedAt: now };
    try {
      const coupon = await claimOfTemplate(tx, this.random, accountId, templateId, now);
      await this.record(tx, { ...base, couponCode: coupon.code, outcome: 'GRANTED', reason: '' });
    } catch (e) {
      // a broken rule is an answer; an outage or a code collision is retried
      if (!(e instanceof MarketingError) || e.kind === 'UNAVAILABLE') throw e;
      await this.record(tx, { ...base, couponCode: null, outcome: 'SKIPPED', reason: e.code });
    }
  }

  private async record(tx: MarketingTx, g: AudienceGrant): Promise<void> {
    // a grant recorded meanwhile for the same audience and account: roll back and redo
    if (!(await tx.audiences.insertGrant(g)))
      throw new MarketingError(
        'UNAVAILABLE',
        'GRANT_RACE',
        `a grant of ${g.source} to ${g.accountId} was recorded meanwhile`,
      );
  }

  async setPolicy(ctx: RequestContext, p: CartReminderPolicy): Promise<CartReminderPolicy> {
    const hours = p.minIntervalHours;
    if (!Number.isInteger(hours) || hours < 1 || hours > 8760)
      throw invalid(
        'POLICY_INVALID',
        'policy.min_interval_hours',
        'min_interval_hours is 1 to 8760',
      );
    if (p.enabled && !p.couponTemplateId)
      throw invalid(
        'POLICY_INVALID',
        'policy.coupon_template_id',
        'an enabled policy needs a coupon template',
      );
    return this.uow.run(ctx, async (tx) => {
      if (p.couponTemplateId && !(await tx.coupons.findTemplate(p.couponTemplateId)))
        throw templateNotFound(p.couponTemplateId);
      await tx.audiences.savePolicy(p, this.clock.now());
      return p;
    });
  }

  /** The policy, or a disabled one without a template when none was ever set. */
  getPolicy(ctx: RequestContext): Promise<CartReminderPolicy> {
    return this.uow.run(
      ctx,
      async (tx) =>
        (await tx.audiences.policy()) ?? {
          enabled: false,
          couponTemplateId: '',
          minIntervalHours: 0,
        },
    );
  }

  async listGrants(ctx: RequestContext, f: GrantFilter): Promise<AudienceGrant[]> {
    if (!Number.isInteger(f.limit) || f.limit < 1 || f.limit > MAX_GRANTS_LISTED)
      throw invalid('LIMIT_INVALID', 'limit', `limit is 1 to ${MAX_GRANTS_LISTED}`);
    return this.uow.run(ctx, (tx) => tx.audiences.list(f));
  }
}
