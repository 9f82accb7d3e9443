/**
 * What support knows of a customer's orders, asked of the order service over gRPC (the adapter
 * is `infrastructure/grpc-customer-orders.ts`). Used by the first-line bot and by reply
 * templates ({{order_id}}, {{tracking_number}}, {{carrier}}, {{return_id}}).
 *
 * Every call names the customer: an order of another account is `undefined`, never shown.
 * When order does not answer, calls throw `DependencyUnavailableError` (libs/messaging) or a
 * DomainError with code DEPENDENCY_UNAVAILABLE: the bot then hands the ticket to a person.
 */
export const CUSTOMER_ORDERS = Symbol('CUSTOMER_ORDERS');

export interface OrderSummary {
  orderId: string;
  /** PENDING_REVIEW, PENDING_PAYMENT, PAID, FULFILLING, SHIPPED, DELIVERED, COMPLETED, CANCELLED, REFUNDED. */
  status: string;
  createdAt: string;
  paidAt: string;
  lines: { skuId: string; productId: string; title: string; quantity: number }[];
}

export interface ShipmentSummary {
  shipmentId: string;
  orderId: string;
  warehouseCode: string;
  /** PENDING, SHIPPED, DELIVERED or EXCEPTION. */
  status: string;
  carrier: string;
  trackingNumber: string;
  /** Newest last. */
  events: { status: string; description: string; occurredAt: string }[];
  skuIds: string[];
}

export interface ReturnSummary {
  returnId: string;
  orderId: string;
  /** REQUESTED, APPROVED, REJECTED, RECEIVED, REFUNDING, REFUNDED or EXCHANGED. */
  status: string;
  kind: string;
  createdAt: string;
}

export interface CustomerOrders {
  /** The customer's most recent orders, newest first (at most `limit`). */
  recentOrders(accountId: string, limit: number): Promise<OrderSummary[]>;
  order(accountId: string, orderId: string): Promise<OrderSummary | undefined>;
  shipments(accountId: string, orderId: string): Promise<ShipmentSummary[]>;
  returns(accountId: string, orderId: string): Promise<ReturnSummary[]>;
}

/** The bot that answers a ticket first (`application/first-line-bot.ts`). */
export const FIRST_LINE_BOT = Symbol('FIRST_LINE_BOT');

export interface BotQuestion {
  accountId: string;
  /** The customer's message. */
  text: string;
  locale: 'zh-CN' | 'en';
  /** PRODUCT_QUALITY, LOGISTICS_DELAY, RETURN_REFUND, ACCOUNT or OTHER. */
  category: string;
  /** What the ticket is about, when it names it. */
  orderId?: string;
  shipmentId?: string;
  returnId?: string;
}

export type BotAnswer =
  | { kind: 'answer'; topic: 'ORDER_STATUS' | 'TRACKING' | 'RETURN_POLICY'; text: string }
  /** The customer asked for a person, or the bot has no answer from real data. */
  | { kind: 'handoff'; reason: 'CUSTOMER_ASKED' | 'BOT_CANNOT_ANSWER'; text: string };

export interface FirstLineBot {
  answer(question: BotQuestion): Promise<BotAnswer>;
}
