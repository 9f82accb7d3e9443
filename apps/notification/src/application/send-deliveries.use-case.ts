import { Inject, Injectable } from '@nestjs/common';
import type { Logger, RequestContext } from '@emporia/platform';
import { hold, markFailed, markSent, type Delivery } from '../domain/delivery';
import { defaultPreferences } from '../domain/preferences';
import { quietHoursEnd } from '../domain/quiet-hours';
import { countDelivery } from './metrics';
import {
  CLOCK,
  EMAIL_SENDER,
  NOTIFICATION_SETTINGS,
  PUSH_PROVIDER,
  RANDOM,
  SendFailure,
  SMS_PROVIDER,
  UNIT_OF_WORK,
  type Clock,
  type EmailSender,
  type MessageProvider,
  type NotificationSettings,
  type UnitOfWork,
} from './ports';

export interface SendReport {
  claimed: number;
  sent: number;
  held: number;
  retrying: number;
  dead: number;
}

export const SENDER_LOGGER = Symbol('SENDER_LOGGER');

/**
 * The sender: claims due deliveries (FOR UPDATE SKIP LOCKED, with a lease, so two replicas never
 * take one row and a crashed sender's rows come back after the lease), sends each through its
 * channel outside any transaction, then records the outcome: SENT, another try later with
 * backoff, or DEAD. A marketing delivery whose moment falls in the account's quiet hours (they may
 * have changed since it was planned) is HELD until they end instead.
 */
@Injectable()
export class SendDeliveriesUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(EMAIL_SENDER) private readonly email: EmailSender,
    @Inject(SMS_PROVIDER) private readonly sms: MessageProvider | null,
    @Inject(PUSH_PROVIDER) private readonly push: MessageProvider | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RANDOM) private readonly random: () => number,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(SENDER_LOGGER) private readonly logger: Logger,
  ) {}

  /** Sends what is due, batch after batch, until a batch comes back short. */
  async run(ctx: RequestContext): Promise<SendReport> {
    const report: SendReport = { claimed: 0, sent: 0, held: 0, retrying: 0, dead: 0 };
    for (let round = 0; round < 20; round++) {
      const now = this.clock.now();
      const claimed = await this.uow.run(ctx, (tx) =>
        tx.deliveries.claimDue(
          now,
          new Date(now.getTime() + this.settings.claimLeaseMs),
          this.settings.sendBatch,
        ),
      );
      report.claimed += claimed.length;
      for (const d of claimed) {
        const after = await this.attempt(ctx, d);
        if (after.status === 'SENT') report.sent++;
        else if (after.status === 'HELD') report.held++;
        else if (after.status === 'DEAD') report.dead++;
        else report.retrying++;
      }
      if (claimed.length < this.settings.sendBatch) break;
    }
    return report;
  }

  private async attempt(ctx: RequestContext, d: Delivery): Promise<Delivery> {
    const now = this.clock.now();
    if (d.category === 'MARKETING' && d.accountId) {
      const prefs =
        (await this.uow.run(ctx, (tx) => tx.preferences.get(d.accountId!))) ??
        defaultPreferences(d.accountId, this.settings.defaultTimeZone);
      const end = quietHoursEnd(now, {
        start: prefs.quietHoursStart,
        end: prefs.quietHoursEnd,
        timeZone: prefs.timeZone || this.settings.defaultTimeZone,
      });
      if (end) return this.record(ctx, hold(d, end), d.status !== 'HELD');
    }
    let next: Delivery;
    try {
      const sent = await this.sendThrough(d);
      next = markSent(d, sent, this.clock.now());
    } catch (err) {
      const permanent = err instanceof SendFailure && err.permanent;
      const message = err instanceof Error ? err.message : String(err);
      next = markFailed(
        d,
        { error: message, permanent },
        { maxAttempts: this.settings.maxAttempts, baseMs: this.settings.retryBaseMs },
        this.clock.now(),
        this.random(),
      );
      this.logger.warn(
        { deliveryId: d.id, channel: d.channel, attempts: next.attempts, status: next.status, err },
        'a delivery attempt failed',
      );
    }
    return this.record(ctx, next, true);
  }

  private async sendThrough(
    d: Delivery,
  ): Promise<{ provider: string | null; providerMessageId: string | null }> {
    if (d.channel === 'EMAIL') {
      await this.email.send({
        messageId: `<${d.id}@emporia>`,
        to: d.recipient,
        subject: d.subject,
        text: d.body,
        html: d.html ?? '',
        unsubscribeUrl: d.unsubscribeUrl,
      });
      return { provider: 'smtp', providerMessageId: `<${d.id}@emporia>` };
    }
    const provider = d.channel === 'SMS' ? this.sms : this.push;
    if (!provider) throw new SendFailure(`no ${d.channel} provider is configured`, true);
    const { providerMessageId } = await provider.send({
      deliveryId: d.id,
      to: d.recipient,
      title: d.subject,
      body: d.body,
    });
    return { provider: provider.name, providerMessageId };
  }

  /** Writes the outcome, unless someone else changed the row meanwhile (an operator's retry). */
  private async record(ctx: RequestContext, next: Delivery, count: boolean): Promise<Delivery> {
    const saved = await this.uow.run(ctx, async (tx) => {
      const current = await tx.deliveries.get(next.id, true);
      if (!current || (current.status !== 'PENDING' && current.status !== 'HELD')) return false;
      await tx.deliveries.save(next);
      return true;
    });
    if (saved && count) countDelivery(next);
    return next;
  }
}
