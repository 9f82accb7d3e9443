import { createHmac, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { notificationV1 } from '@emporia/contracts';
import { grpcError, startFakeGrpc, type FakeService } from '@emporia/testing';

/** The receipts' HMAC key of the fake (the real service's NOTIFICATION_SANDBOX_SECRET). */
export const FAKE_RECEIPT_SECRET = 'fake-sandbox-secret-of-at-least-32-chars';
/** The one unsubscribe token the fake accepts. */
export const GOOD_UNSUBSCRIBE_TOKEN = 'v1.0190a000-0000-7000-8000-0000000000c1.c2lnbmVk';

/** The canonical receipt the provider signs (shared definitions). */
export const receiptSignature = (
  provider: string,
  r: { providerMessageId: string; status: string; occurredAt: string; errorCode?: string },
  secret = FAKE_RECEIPT_SECRET,
): string =>
  createHmac('sha256', secret)
    .update([provider, r.providerMessageId, r.status, r.occurredAt, r.errorCode ?? ''].join('|'))
    .digest('hex');

type Delivery = notificationV1.Delivery;

/**
 * A test double of the notification service at its gRPC boundary (the end-to-end suite runs the
 * real one), in memory, with the contract's visible rules so the gateway's mapping can be checked
 * both ways: time zone `Mars/Olympus` is INVALID_ARGUMENT TIME_ZONE_INVALID; an unknown
 * unsubscribe token INVALID_ARGUMENT UNSUBSCRIBE_TOKEN_INVALID; a receipt whose signature is not
 * the HMAC of its canonical string PERMISSION_DENIED RECEIPT_SIGNATURE_INVALID, one for an
 * unknown message NOT_FOUND RECEIPT_UNKNOWN; retrying an unknown delivery NOT_FOUND
 * DELIVERY_NOT_FOUND, one that is not dead FAILED_PRECONDITION DELIVERY_NOT_DEAD; a template of
 * key `nope` NOT_FOUND TEMPLATE_NOT_FOUND. The customers' view masks recipients.
 */
export async function startFakeNotification(
  deliveries: Delivery[],
): Promise<FakeService & { unsubscribed: Set<string> }> {
  const preferences = new Map<string, notificationV1.Preferences>();
  const devices = new Map<string, notificationV1.PushDevice[]>();
  const unsubscribed = new Set<string>();
  const now = () => new Date().toISOString();
  const defaults = (accountId: string): notificationV1.Preferences => ({
    accountId,
    channels: ['ORDER', 'SERVICE', 'MARKETING'].map((c) => ({
      category: `MESSAGE_CATEGORY_${c}` as notificationV1.MessageCategory,
      email: true,
      sms: false,
      push: c !== 'MARKETING',
    })),
    quietHoursStart: '',
    quietHoursEnd: '',
    timeZone: 'Asia/Shanghai',
    locale: '',
    updatedAt: '',
  });
  const mask = (r: string) => r.replace(/^(.)[^@]*@/, '$1***@');

  const fake = await startFakeGrpc('notification', {
    getPreferences: (req: notificationV1.GetPreferencesRequest) => ({
      preferences: preferences.get(req.accountId) ?? defaults(req.accountId),
    }),
    updatePreferences: (req: notificationV1.UpdatePreferencesRequest) => {
      if (req.preferences!.timeZone === 'Mars/Olympus')
        throw grpcError(status.INVALID_ARGUMENT, 'TIME_ZONE_INVALID', 'no such time zone');
      const p = { ...req.preferences!, accountId: req.accountId, updatedAt: now() };
      preferences.set(req.accountId, p);
      return { preferences: p };
    },
    registerPushDevice: (req: notificationV1.RegisterPushDeviceRequest) => {
      const device = { token: req.token, platform: req.platform, registeredAt: now() };
      devices.set(req.accountId, [
        ...(devices.get(req.accountId) ?? []).filter((d) => d.token !== req.token),
        device,
      ]);
      return { device };
    },
    listPushDevices: (req: notificationV1.ListPushDevicesRequest) => ({
      devices: devices.get(req.accountId) ?? [],
    }),
    removePushDevice: (req: notificationV1.RemovePushDeviceRequest) => {
      devices.set(
        req.accountId,
        (devices.get(req.accountId) ?? []).filter((d) => d.token !== req.token),
      );
      return {};
    },
    listDeliveries: (req: notificationV1.ListDeliveriesRequest) => {
      const found = deliveries.filter(
        (d) =>
          (!req.accountId || d.accountId === req.accountId) &&
          (req.status === 'DELIVERY_STATUS_UNSPECIFIED' || d.status === req.status) &&
          (req.channel === 'CHANNEL_UNSPECIFIED' || d.channel === req.channel) &&
          (!req.eventId || d.eventId === req.eventId),
      );
      if (req.customerView && !req.accountId)
        throw grpcError(status.INVALID_ARGUMENT, 'ACCOUNT_REQUIRED', 'customer view needs one');
      return {
        deliveries: found.map((d) =>
          req.customerView ? { ...d, recipient: mask(d.recipient) } : d,
        ),
        nextPageToken: found.length > 0 && !req.pageToken ? 'next-page' : '',
      };
    },
    retryDelivery: (req: notificationV1.RetryDeliveryRequest) => {
      const d = deliveries.find((x) => x.id === req.deliveryId);
      if (!d) throw grpcError(status.NOT_FOUND, 'DELIVERY_NOT_FOUND', 'no such delivery');
      if (d.status !== 'DELIVERY_STATUS_DEAD')
        throw grpcError(status.FAILED_PRECONDITION, 'DELIVERY_NOT_DEAD', 'not dead');
      return {
        delivery: { ...d, status: 'DELIVERY_STATUS_PENDING', nextAttemptAt: now(), attempts: 0 },
      };
    },
    unsubscribe: (req: notificationV1.UnsubscribeRequest) => {
      if (req.token !== GOOD_UNSUBSCRIBE_TOKEN)
        throw grpcError(status.INVALID_ARGUMENT, 'UNSUBSCRIBE_TOKEN_INVALID', 'bad token');
      unsubscribed.add(req.token);
      return { accountId: 'someone', preferences: defaults('someone') };
    },
    recordReceipt: (req: notificationV1.RecordReceiptRequest) => {
      if (req.signature !== receiptSignature(req.provider, req))
        throw grpcError(status.PERMISSION_DENIED, 'RECEIPT_SIGNATURE_INVALID', 'forged');
      const d = deliveries.find((x) => x.providerMessageId === req.providerMessageId);
      if (!d) throw grpcError(status.NOT_FOUND, 'RECEIPT_UNKNOWN', 'no such message');
      return { delivery: { ...d, status: `DELIVERY_STATUS_${req.status}` } };
    },
    listTemplates: (req: notificationV1.ListTemplatesRequest) => ({
      templates: [
        {
          key: 'order.shipped',
          channel: 'CHANNEL_EMAIL',
          locale: 'zh-CN',
          subject: '您的订单已发货',
          body: '运单号 {{trackingNumber}}',
          variables: ['orderId', 'carrier', 'trackingNumber'],
          updatedAt: '',
        },
      ].filter((t) => !req.key || t.key === req.key),
    }),
    updateTemplate: (req: notificationV1.UpdateTemplateRequest) => {
      if (req.template!.key === 'nope')
        throw grpcError(status.NOT_FOUND, 'TEMPLATE_NOT_FOUND', 'no such template');
      return { template: { ...req.template!, variables: ['orderId'], updatedAt: now() } };
    },
  });
  return Object.assign(fake, { unsubscribed });
}

/** A delivery log line with the proto's defaults. */
export const delivery = (over: Partial<Delivery>): Delivery => ({
  id: randomUUID(),
  eventId: randomUUID(),
  eventType: 'emporia.order.v1.ShipmentShipped',
  accountId: '',
  channel: 'CHANNEL_EMAIL' as notificationV1.Channel,
  category: 'MESSAGE_CATEGORY_ORDER' as notificationV1.MessageCategory,
  recipient: 'zoe@example.com',
  templateKey: 'order.shipped',
  locale: 'zh-CN',
  subject: '您的订单已发货',
  body: '运单号 SF123',
  status: 'DELIVERY_STATUS_SENT' as notificationV1.DeliveryStatus,
  attempts: 1,
  lastError: '',
  nextAttemptAt: '',
  providerMessageId: '',
  createdAt: '2026-12-01T00:00:00Z',
  sentAt: '2026-12-01T00:00:01Z',
  deliveredAt: '',
  reason: '',
  ...over,
});
