import type { ReceivedEvent } from '@emporia/messaging';
import { Money } from '@emporia/money';
import type { OrderPaidFacts, OrderRefundedFacts } from '../application/order-events.use-case';
import type { AddressFields } from '../domain/profile';

/**
 * Test data builders (eShop `Ordering.UnitTests/Builders.cs`): a valid default, and the one fact
 * a test is about set by name. Amounts are minor units of CNY unless said.
 */

export const cny = (minor: number) => Money.of(minor, 'CNY');

export const PASSWORD = 'correct horse battery 9';

export const aRegistration = (
  email = 'li.lei@example.com',
  over: { phone?: string; password?: string } = {},
) => ({ email, password: PASSWORD, ...over });

export const anAddress = (over: Partial<AddressFields> = {}): AddressFields => ({
  recipient: 'Li Lei',
  phone: '+8613800138000',
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  district: 'Pudong',
  line1: '1 Century Avenue',
  line2: '',
  postalCode: '200120',
  provinceCode: '',
  cityCode: '',
  districtCode: '',
  ...over,
});

let delivered = 0;
/** A Kafka delivery of an event (a fresh event id unless given: redeliveries reuse one). */
export const aDelivery = (eventType: string, eventId = `evt-${++delivered}`): ReceivedEvent => ({
  topic: 'emporia.order.v1',
  key: 'order-1',
  value: Buffer.alloc(0),
  headers: {},
  eventId,
  eventType,
  occurredAt: '2026-11-25T10:00:00Z',
  partition: 0,
  offset: String(delivered),
});

export const anOrderPaid = (
  accountId: string,
  over: Partial<OrderPaidFacts> = {},
): OrderPaidFacts => ({
  orderId: 'order-1',
  accountId,
  amountPaid: cny(12990),
  paidAt: new Date('2026-11-25T09:00:00Z'),
  ...over,
});

export const anOrderRefunded = (
  accountId: string,
  over: Partial<OrderRefundedFacts> = {},
): OrderRefundedFacts => ({
  orderId: 'order-1',
  accountId,
  refundId: 'refund-1',
  amountRefunded: cny(12990),
  refundedAt: new Date('2026-11-25T09:30:00Z'),
  full: true,
  ...over,
});
