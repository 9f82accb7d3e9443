import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import type { Channel } from '../domain/channels';
import type { Delivery } from '../domain/delivery';
import { planDeliveries, type Notice } from '../domain/planner';
import type { Template } from '../domain/template';
import { countDelivery } from './metrics';
import {
  ACCOUNTS,
  CLOCK,
  ID_GENERATOR,
  NOTIFICATION_SETTINGS,
  PUSH_PROVIDER,
  SMS_PROVIDER,
  UNIT_OF_WORK,
  type AccountDirectory,
  type Clock,
  type IdGenerator,
  type MessageProvider,
  type NotificationSettings,
  type UnitOfWork,
} from './ports';
import { signUnsubscribeToken } from './signing';

/** The consumer group's name in the inbox. */
export const NOTIFICATION_CONSUMER = 'notification';

/**
 * Turns a consumed event into deliveries: recipients from the user service (asked before the
 * transaction; when it does not answer the event fails and Kafka redelivers it), then in one
 * transaction with the inbox record: preferences, devices and templates read, the plan made and
 * its deliveries inserted. A redelivered event finds its inbox row and adds nothing; the unique
 * (event_id, channel, recipient) holds even without it.
 */
@Injectable()
export class NotifyUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(ACCOUNTS) private readonly accounts: AccountDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(SMS_PROVIDER) private readonly sms: MessageProvider | null,
    @Inject(PUSH_PROVIDER) private readonly push: MessageProvider | null,
  ) {}

  /** Handles one event once; false when it had been handled already. */
  async handle(
    ctx: RequestContext,
    event: { eventId: string; eventType: string },
    notice: Notice,
  ): Promise<boolean> {
    const account =
      notice.category === 'OPERATIONS' || !notice.accountId
        ? null
        : await this.accounts.contact(ctx, notice.accountId);
    const providers = new Set<Channel>(['EMAIL']);
    if (this.sms) providers.add('SMS');
    if (this.push) providers.add('PUSH');
    let planned: Delivery[] = [];
    const handled = await this.uow.runForEvent(ctx, NOTIFICATION_CONSUMER, event, async (tx) => {
      const now = this.clock.now();
      const preferences = notice.accountId ? await tx.preferences.get(notice.accountId) : null;
      const devices = notice.accountId ? await tx.devices.list(notice.accountId) : [];
      const templates = await tx.templates.list(notice.templateKey);
      const byKey = new Map<string, Template>(
        templates.map((t) => [`${t.key}|${t.channel}|${t.locale}`, t]),
      );
      planned = planDeliveries({
        eventId: event.eventId,
        eventType: event.eventType,
        notice,
        account,
        preferences,
        pushTokens: devices.map((d) => d.token),
        template: (key, channel, locale) => byKey.get(`${key}|${channel}|${locale}`),
        operatorEmails: this.settings.operatorEmails,
        providers,
        defaultTimeZone: this.settings.defaultTimeZone,
        unsubscribeUrl: (accountId) =>
          `${this.settings.publicBaseUrl.replace(/\/+$/, '')}/v1/notifications/unsubscribe?token=${signUnsubscribeToken(
            this.settings.unsubscribeSecret,
            accountId,
            'MARKETING_EMAIL',
          )}`,
        newId: () => this.ids.newId(),
        now,
      });
      await tx.deliveries.insertMany(planned);
    });
    if (handled) planned.forEach(countDelivery);
    return handled;
  }
}
