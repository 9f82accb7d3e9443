import { notificationV1 } from '@emporia/contracts';
import type { PushDevice } from '../application/ports';
import {
  CATEGORIES,
  CHANNELS,
  CUSTOMER_CATEGORIES,
  type Category,
  type Channel,
} from '../domain/channels';
import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '../domain/delivery';
import { maskRecipient } from '../domain/masking';
import { invalid } from '../domain/notification-error';
import type { Preferences } from '../domain/preferences';
import { TEMPLATE_VARIABLES, type Template } from '../domain/template';

const iso = (d: Date | null) => (d ? d.toISOString() : '');

export const channelToProto = (c: Channel) =>
  notificationV1.Channel[`CHANNEL_${c}` as keyof typeof notificationV1.Channel];
export const categoryToProto = (c: Category) =>
  notificationV1.MessageCategory[
    `MESSAGE_CATEGORY_${c}` as keyof typeof notificationV1.MessageCategory
  ];
export const statusToProto = (s: DeliveryStatus) =>
  notificationV1.DeliveryStatus[
    `DELIVERY_STATUS_${s}` as keyof typeof notificationV1.DeliveryStatus
  ];

/** A proto enum value to the domain's name; unset (UNSPECIFIED, '') is undefined. */
function fromProtoEnum<T extends string>(
  value: string | undefined,
  prefix: string,
  names: readonly T[],
  code: string,
  field: string,
): T | undefined {
  if (!value || value === `${prefix}UNSPECIFIED`) return undefined;
  const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  if (!(names as readonly string[]).includes(name))
    throw invalid(code, `${field} must be one of ${names.join(', ')}`, field);
  return name as T;
}

export const channelFromProto = (v: string | undefined, code: string, field = 'channel') =>
  fromProtoEnum(v, 'CHANNEL_', CHANNELS, code, field);
export const statusFromProto = (v: string | undefined) =>
  fromProtoEnum(v, 'DELIVERY_STATUS_', DELIVERY_STATUSES, 'DELIVERY_FILTER_INVALID', 'status');
export const categoryFromProto = (v: string | undefined, field: string) =>
  fromProtoEnum(v, 'MESSAGE_CATEGORY_', CATEGORIES, 'PREFERENCES_INVALID', field);

export function preferencesToProto(p: Preferences): notificationV1.Preferences {
  return {
    accountId: p.accountId,
    channels: CUSTOMER_CATEGORIES.map((c) => ({
      category: categoryToProto(c),
      email: p.channels[c].email,
      sms: p.channels[c].sms,
      push: p.channels[c].push,
    })),
    quietHoursStart: p.quietHoursStart,
    quietHoursEnd: p.quietHoursEnd,
    timeZone: p.timeZone,
    locale: p.locale,
    updatedAt: iso(p.updatedAt),
  };
}

export const deviceToProto = (d: PushDevice): notificationV1.PushDevice => ({
  token: d.token,
  platform: d.platform,
  registeredAt: iso(d.registeredAt),
});

/** A delivery log line; `masked`: the customer's view (recipient masked). */
export function deliveryToProto(d: Delivery, masked: boolean): notificationV1.Delivery {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    accountId: d.accountId ?? '',
    channel: channelToProto(d.channel),
    category: categoryToProto(d.category),
    recipient: masked ? maskRecipient(d.channel, d.recipient) : d.recipient,
    templateKey: d.templateKey,
    locale: d.locale,
    subject: d.subject,
    body: d.body,
    status: statusToProto(d.status),
    attempts: d.attempts,
    lastError: d.lastError,
    nextAttemptAt: iso(d.nextAttemptAt),
    providerMessageId: d.providerMessageId ?? '',
    createdAt: iso(d.createdAt),
    sentAt: iso(d.sentAt),
    deliveredAt: iso(d.deliveredAt),
    reason: d.reason,
  };
}

export const templateToProto = (t: Template): notificationV1.Template => ({
  key: t.key,
  channel: channelToProto(t.channel),
  locale: t.locale,
  subject: t.subject,
  body: t.body,
  variables: [...TEMPLATE_VARIABLES[t.key]],
  updatedAt: iso(t.updatedAt),
});
