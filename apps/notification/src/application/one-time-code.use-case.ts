import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { DEFAULT_LOCALE, type Locale } from '../domain/channels';
import { NotificationError } from '../domain/notification-error';
import {
  oneTimeCode,
  oneTimeCodeDelivery,
  renderOneTimeCode,
  type OneTimeCode,
} from '../domain/one-time-code';
import { countDelivery } from './metrics';
import {
  CLOCK,
  ID_GENERATOR,
  SANDBOX_INBOX,
  SMS_PROVIDER,
  UNIT_OF_WORK,
  type Clock,
  type IdGenerator,
  type MessageProvider,
  type SandboxInbox,
  type SandboxMessage,
  type UnitOfWork,
} from './ports';

const unavailable = (message: string) =>
  new NotificationError('UNAVAILABLE', 'SMS_UNAVAILABLE', message);

/**
 * One-time codes by SMS (SendOneTimeCode, for the user service): sent at once through the SMS
 * provider port, not planned through events (no preferences, no quiet hours: the account asked
 * for it), worded by the `auth.sms_code` template in the locale asked for, else the account's
 * preference, else zh-CN. The delivery log gets the message with the code masked; the code itself
 * is never stored or logged here.
 */
@Injectable()
export class OneTimeCodeUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SMS_PROVIDER) private readonly sms: MessageProvider | null,
    @Inject(SANDBOX_INBOX) private readonly inbox: SandboxInbox | null,
  ) {}

  async send(
    ctx: RequestContext,
    input: Parameters<typeof oneTimeCode>[0],
  ): Promise<{ deliveryId: string; providerMessageId: string }> {
    const code = oneTimeCode(input);
    const sms = this.sms;
    if (!sms) throw unavailable('no SMS provider is configured');
    const { locale, template } = await this.uow.run(ctx, async (tx) => {
      const chosen = await this.localeOf(code, (id) => tx.preferences.get(id));
      const t =
        (await tx.templates.get('auth.sms_code', 'SMS', chosen)) ??
        (await tx.templates.get('auth.sms_code', 'SMS', DEFAULT_LOCALE));
      return { locale: t?.locale ?? chosen, template: t };
    });
    if (!template) throw unavailable('the auth.sms_code template is missing');
    const { text, logged } = renderOneTimeCode(template, code, locale);
    const id = this.ids.newId();
    let outcome: { providerMessageId: string } | { error: string };
    try {
      outcome = await sms.send({ deliveryId: id, to: code.phone, title: '', body: text });
    } catch (err) {
      outcome = { error: err instanceof Error ? err.message : String(err) };
    }
    const delivery = oneTimeCodeDelivery({
      id,
      code,
      locale,
      logged,
      provider: sms.name,
      outcome,
      now: this.clock.now(),
    });
    await this.uow.run(ctx, (tx) => tx.deliveries.insertMany([delivery]));
    countDelivery(delivery);
    if ('error' in outcome) throw unavailable('the SMS provider did not take the message');
    return { deliveryId: id, providerMessageId: outcome.providerMessageId };
  }

  private async localeOf(
    code: OneTimeCode,
    preferences: (accountId: string) => Promise<{ locale: Locale | '' } | null>,
  ): Promise<Locale> {
    if (code.locale) return code.locale;
    const saved = code.accountId ? await preferences(code.accountId) : null;
    return saved?.locale || DEFAULT_LOCALE;
  }

  /** The sandbox SMS inbox of a number, newest first (FAILED_PRECONDITION SANDBOX_DISABLED). */
  sandboxMessages(phone: string, limit: number): SandboxMessage[] {
    if (!this.inbox)
      throw new NotificationError(
        'FAILED_PRECONDITION',
        'SANDBOX_DISABLED',
        'the sandbox providers are off (NOTIFICATION_SANDBOX_ENABLED=false)',
      );
    const n = limit > 0 ? Math.min(limit, 100) : 20;
    return this.inbox.messages((phone ?? '').trim(), n);
  }
}
