import {
  CATALOG_STOCK,
  MARKETING_COUPON,
  ORDER_ORDER,
  SUPPORT_TICKET,
  USER_ACCOUNT,
  type commonV1,
} from '@emporia/contracts';
import { eventHandler, NonRetriableError, on, type ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { NotifyUseCase } from '../application/notify.use-case';
import type { Notice } from '../domain/planner';
import type { TemplateValue } from '../domain/values';
import {
  changePhrase,
  devicePhrase,
  placePhrase,
  signedInWithPhrase,
} from '../domain/security-notices';

/** The topics the service consumes (unprefixed). */
export const CONSUMED_TOPICS = [
  ORDER_ORDER.name,
  SUPPORT_TICKET.name,
  MARKETING_COUPON.name,
  CATALOG_STOCK.name,
  USER_ACCOUNT.name,
] as const;

const required = (what: string, v: string | undefined): string => {
  if (!v) throw new NonRetriableError(`${what} is missing`);
  return v;
};

const money = (what: string, m: commonV1.Money | undefined): TemplateValue => {
  if (!m?.currency) throw new NonRetriableError(`${what} is missing`);
  return { money: { amountMinor: Number(m.amountMinor), currency: m.currency } };
};

const instant = (what: string, v: string | undefined): TemplateValue => {
  const at = new Date(v ?? '');
  if (!v || Number.isNaN(at.getTime())) throw new NonRetriableError(`${what} is not an instant`);
  return { instant: at };
};

/**
 * The events that reach people, each mapped to a notice (template key, category, account,
 * variables) and handed to NotifyUseCase, which records it in the inbox with its deliveries. A
 * malformed event is a NonRetriableError (the DLQ); user being down fails the handling, which
 * the consumer retries with backoff (never dead-lettered).
 */
export function notificationEventsHandler(
  notify: NotifyUseCase,
): (event: ReceivedEvent) => Promise<void> {
  const handle = async (event: ReceivedEvent, ctx: RequestContext, notice: Notice) => {
    await notify.handle(ctx, event, notice);
  };
  return eventHandler(
    on(ORDER_ORDER, {
      OrderPaid: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'order.paid',
          category: 'ORDER',
          accountId: required('account_id', m.accountId),
          vars: {
            order_id: required('order_id', m.orderId),
            amount: money('amount_paid', m.amountPaid),
          },
        }),
      ShipmentShipped: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'order.shipped',
          category: 'ORDER',
          accountId: required('account_id', m.accountId),
          vars: {
            order_id: required('order_id', m.orderId),
            carrier: m.carrier ?? '',
            tracking_number: m.trackingNumber ?? '',
          },
        }),
      ShipmentTracked: async (m, event, ctx) => {
        // only the delivery is news to the customer here; other tracking steps are skipped
        if (m.status !== 'DELIVERED') return;
        await handle(event, ctx, {
          templateKey: 'order.delivered',
          category: 'ORDER',
          accountId: required('account_id', m.accountId),
          vars: { order_id: required('order_id', m.orderId) },
        });
      },
      OrderRefunded: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'order.refunded',
          category: 'ORDER',
          accountId: required('account_id', m.accountId),
          vars: {
            order_id: required('order_id', m.orderId),
            amount: money('amount_refunded', m.amountRefunded),
          },
        }),
    }),
    on(SUPPORT_TICKET, {
      TicketReplied: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'ticket.replied',
          category: 'SERVICE',
          accountId: required('account_id', m.accountId),
          vars: { ticket_id: required('ticket_id', m.ticketId) },
        }),
    }),
    on(MARKETING_COUPON, {
      CouponExpiring: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'coupon.expiring',
          category: 'MARKETING',
          accountId: required('account_id', m.accountId),
          vars: {
            code: m.coupon?.code ?? '',
            benefit: m.benefit ?? '',
            expires_at: instant('expires_at', m.expiresAt),
          },
        }),
    }),
    // security notices (SECURITY: always sent, e-mail and SMS): a sign-in from a device the
    // account never used, and changes to its security settings
    on(USER_ACCOUNT, {
      LoginAnomaly: async (m, event, ctx) => {
        if (!(m.kinds ?? []).includes('NEW_DEVICE')) return;
        await handle(event, ctx, {
          templateKey: 'account.new_device',
          category: 'SECURITY',
          accountId: required('account_id', m.accountId),
          vars: {
            device: devicePhrase(m.deviceName ?? ''),
            place: placePhrase(m.place ?? ''),
            ip: m.ip ?? '',
            at: instant('detected_at', m.detectedAt),
            signed_in_with: signedInWithPhrase(m.signedInWith ?? ''),
          },
        });
      },
      SecurityChanged: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'account.security_changed',
          category: 'SECURITY',
          accountId: required('account_id', m.accountId),
          vars: {
            change: changePhrase(required('change', m.change)),
            detail: m.detail ?? '',
            at: instant('at', m.at),
            ip: m.ip || '-',
          },
        }),
    }),
    on(CATALOG_STOCK, {
      StockLow: (m, event, ctx) =>
        handle(event, ctx, {
          templateKey: 'stock.low',
          category: 'OPERATIONS',
          accountId: null,
          vars: {
            sku_code: m.skuCode || m.skuId,
            product_title: m.productTitle ?? '',
            warehouse_code: m.warehouseCode ?? '',
            available: String(m.available ?? 0),
            threshold: String(m.threshold ?? 0),
          },
        }),
    }),
  );
}
