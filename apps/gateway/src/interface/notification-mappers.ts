import { notificationV1 } from '@emporia/contracts';
import type {
  DeliveryView,
  MyNotificationView,
  NotificationTemplateView,
  PreferencesDto,
  PreferencesView,
  PushDeviceView,
} from './dto/notification.dto';

/** Explicit mapping between the notification routes' JSON and `emporia.notification.v1`. */

const orNull = (s: string): string | null => s || null;

/** `CHANNEL_EMAIL` → `EMAIL` (the JSON names enumerations without their prefix). */
const unprefixed = (prefix: string) => (v: string) =>
  v.startsWith(prefix) ? v.slice(prefix.length) : v;

export const channelName = unprefixed('CHANNEL_');
export const categoryName = unprefixed('MESSAGE_CATEGORY_');
export const deliveryStatusName = unprefixed('DELIVERY_STATUS_');

export const channelToProto = (c: string | undefined): notificationV1.Channel =>
  c ? (`CHANNEL_${c}` as notificationV1.Channel) : notificationV1.Channel.CHANNEL_UNSPECIFIED;

export const deliveryStatusToProto = (s: string | undefined): notificationV1.DeliveryStatus =>
  s
    ? (`DELIVERY_STATUS_${s}` as notificationV1.DeliveryStatus)
    : notificationV1.DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED;

export const preferencesView = (p: notificationV1.Preferences): PreferencesView => ({
  channels: p.channels.map((c) => ({
    category: categoryName(c.category),
    email: c.email,
    sms: c.sms,
    push: c.push,
  })),
  quietHoursStart: orNull(p.quietHoursStart),
  quietHoursEnd: orNull(p.quietHoursEnd),
  timeZone: p.timeZone,
  locale: orNull(p.locale),
  updatedAt: orNull(p.updatedAt),
});

/** The account is the token's: the gateway sets it here, never from the body. */
export const preferencesToProto = (
  accountId: string,
  b: PreferencesDto,
): notificationV1.Preferences => ({
  accountId,
  channels: b.channels.map((c) => ({
    category: `MESSAGE_CATEGORY_${c.category}` as notificationV1.MessageCategory,
    email: c.email,
    sms: c.sms,
    push: c.push,
  })),
  quietHoursStart: b.quietHoursStart ?? '',
  quietHoursEnd: b.quietHoursEnd ?? '',
  timeZone: b.timeZone ?? '',
  locale: b.locale ?? '',
  updatedAt: '',
});

export const pushDeviceView = (d: notificationV1.PushDevice): PushDeviceView => ({
  token: d.token,
  platform: d.platform,
  registeredAt: d.registeredAt,
});

/** A customer's line: masked by the service (customer_view), provider bookkeeping left out. */
export const myNotificationView = (d: notificationV1.Delivery): MyNotificationView => ({
  id: d.id,
  eventType: d.eventType,
  channel: channelName(d.channel),
  category: categoryName(d.category),
  recipient: d.recipient,
  subject: d.subject,
  body: d.body,
  status: deliveryStatusName(d.status),
  reason: orNull(d.reason),
  createdAt: d.createdAt,
  sentAt: orNull(d.sentAt),
  deliveredAt: orNull(d.deliveredAt),
});

export const deliveryView = (d: notificationV1.Delivery): DeliveryView => ({
  ...myNotificationView(d),
  eventId: d.eventId,
  accountId: orNull(d.accountId),
  templateKey: d.templateKey,
  locale: d.locale,
  attempts: d.attempts,
  lastError: orNull(d.lastError),
  nextAttemptAt: orNull(d.nextAttemptAt),
  providerMessageId: orNull(d.providerMessageId),
});

export const notificationTemplateView = (t: notificationV1.Template): NotificationTemplateView => ({
  key: t.key,
  channel: channelName(t.channel),
  locale: t.locale,
  subject: t.subject,
  body: t.body,
  variables: t.variables,
  updatedAt: orNull(t.updatedAt),
});
