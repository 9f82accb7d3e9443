/**
 * The event registry: every Kafka topic and the event types it carries, in one place, made of
 * the generated code (proto/emporia/<context>/v1/events.proto, see README.md "Events").
 *
 * - A topic is named once, here (its base name; a service adds its KAFKA_TOPIC_PREFIX with
 *   `topicName`).
 * - An event type's name is the message's fully-qualified protobuf name (`$type`, generated
 *   by ts-proto with `outputTypeAnnotations=static-only`), which carries the version
 *   (`emporia.order.v1.OrderPaid`). No name is typed by hand: renaming or removing a message in
 *   proto/ removes its generated export and breaks compilation wherever it is produced or
 *   handled, instead of silently misrouting.
 * - Each entry is the generated message's encode/decode pair, so producers encode and
 *   consumers decode the type the topic says (`eventHandlers` in @emporia/messaging).
 *
 * `events.spec.ts` checks that every message of every generated `events.ts` is on exactly one
 * topic here, and that everything here is a generated event message.
 */
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import * as analyticsEvents from './gen/emporia/analytics/v1/events';
import * as catalogEvents from './gen/emporia/catalog/v1/events';
import * as marketingEvents from './gen/emporia/marketing/v1/events';
import * as orderEvents from './gen/emporia/order/v1/events';
import * as reviewEvents from './gen/emporia/review/v1/events';
import * as supportEvents from './gen/emporia/support/v1/events';
import * as userEvents from './gen/emporia/user/v1/events';

/** A generated message's functions: its fully-qualified name and its encode/decode pair. */
export interface EventMessage<T = unknown, N extends string = string> {
  readonly $type: N;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array, length?: number): T;
}

/** The decoded payload of a generated message. */
export type PayloadOf<M> = M extends EventMessage<infer T> ? T : never;

/** An event type of a topic: the name routed on (`event-type` header), its version, its codec. */
export interface EventType<T = unknown, N extends string = string> {
  /** Fully-qualified protobuf name, e.g. `emporia.order.v1.OrderPaid`. */
  readonly name: N;
  /** The proto package's version, e.g. `v1` (a new major version is a new message name). */
  readonly version: string;
  /** The base name of the topic the type is published on. */
  readonly topic: string;
  readonly codec: EventMessage<T, N>;
}

type EventTypes<M extends Record<string, EventMessage>> = {
  readonly [K in keyof M]: EventType<PayloadOf<M[K]>, M[K]['$type']>;
};

/** A topic: its base name and its event types, by message name. */
export interface EventTopic<M extends Record<string, EventMessage> = Record<string, EventMessage>> {
  /** Base topic name, without the deployment's prefix. */
  readonly name: string;
  readonly events: EventTypes<M>;
}

/** The version segment of a fully-qualified name (`emporia.order.v1.OrderPaid` -> `v1`). */
export function versionOf(fullName: string): string {
  const version = fullName.split('.').find((part) => /^v\d+/.test(part));
  if (!version) throw new Error(`event type ${fullName} has no version in its package`);
  return version;
}

/** Declares a topic. Keys must be the generated exports' names (shorthand: `{ OrderPaid }`). */
function topic<const M extends Record<string, EventMessage>>(
  name: string,
  messages: M,
): EventTopic<M> {
  const events = Object.fromEntries(
    Object.entries(messages).map(([key, codec]) => {
      if (!codec.$type.endsWith(`.${key}`))
        throw new Error(`topic ${name}: key ${key} is not the message ${codec.$type}`);
      const type: EventType = {
        name: codec.$type,
        version: versionOf(codec.$type),
        topic: name,
        codec,
      };
      return [key, Object.freeze(type)];
    }),
  ) as unknown as EventTypes<M>;
  return Object.freeze({ name, events: Object.freeze(events) });
}

const { ProductCreated, ProductUpdated, ProductStockChanged } = catalogEvents;
const { CategoryCreated, CategoryUpdated, CategoryMoved } = catalogEvents;
const { StockLow, StockRecovered } = catalogEvents;
const { GroupBuySucceeded, GroupBuyFailed, FlashSaleScheduled, CouponExpiring } = marketingEvents;
const { OrderPlaced, OrderPaid, OrderCancelled, OrderRefunded } = orderEvents;
const { ShipmentShipped, ShipmentTracked, CartChanged, ReturnSettled } = orderEvents;
const { BehaviourEventReceived, AudienceExported, CartAbandoned } = analyticsEvents;
const { TicketOpened, TicketHandedOff, TicketReplied, SlaBreached } = supportEvents;
const { TicketEscalated, TicketResolved, TicketReopened, SurveySubmitted } = supportEvents;
const { ReviewApproved, ReviewRejected, ProductRatingChanged } = reviewEvents;
const { AccountRegistered, RefreshTokenReuseDetected, AccountLocked, TierChanged } = userEvents;
const { LoginAnomaly, AccountFrozen, AccountUnfrozen, AccountDeleted, MfaChanged } = userEvents;
const { SecurityChanged } = userEvents;

/** Catalog products, keyed by product id; each event carries the full product snapshot. */
export const CATALOG_PRODUCT = topic('catalog.product', {
  ProductCreated,
  ProductUpdated,
  ProductStockChanged,
});

/** Catalog categories, keyed by category id. */
export const CATALOG_CATEGORY = topic('catalog.category', {
  CategoryCreated,
  CategoryUpdated,
  CategoryMoved,
});

/** Low-stock crossings of a SKU in a warehouse, keyed by SKU id (once per crossing). */
export const CATALOG_STOCK = topic('catalog.stock', { StockLow, StockRecovered });

/** Group-buy outcomes, keyed by group id. */
export const MARKETING_GROUP_BUY = topic('marketing.group-buy', {
  GroupBuySucceeded,
  GroupBuyFailed,
});

/** Flash sales, keyed by sale id. */
export const MARKETING_FLASH_SALE = topic('marketing.flash-sale', { FlashSaleScheduled });

/** Coupon reminders (an unused coupon expires soon), keyed by coupon code. */
export const MARKETING_COUPON = topic('marketing.coupon', { CouponExpiring });

/** Orders and their shipments, keyed by order id. */
export const ORDER_ORDER = topic('order.order', {
  OrderPlaced,
  OrderPaid,
  OrderCancelled,
  OrderRefunded,
  ShipmentShipped,
  ShipmentTracked,
  ReturnSettled,
});

/** Carts, keyed by account id; each event carries the whole cart after the change. */
export const ORDER_CART = topic('order.cart', { CartChanged });

/** Storefront behaviour events accepted by the collector, keyed by anonymous id. */
export const ANALYTICS_BEHAVIOUR = topic('analytics.behaviour', { BehaviourEventReceived });

/** Audience exports for marketing (coupons to a segment), keyed by audience id. */
export const ANALYTICS_AUDIENCE = topic('analytics.audience', { AudienceExported });

/** Abandoned carts for marketing to win back, keyed by account id. */
export const ANALYTICS_CART = topic('analytics.cart', { CartAbandoned });

/** Accounts, keyed by account id. */
export const USER_ACCOUNT = topic('user.account', {
  AccountRegistered,
  RefreshTokenReuseDetected,
  AccountLocked,
  TierChanged,
  LoginAnomaly,
  AccountFrozen,
  AccountUnfrozen,
  AccountDeleted,
  MfaChanged,
  SecurityChanged,
});

/** Support tickets, keyed by ticket id. */
export const SUPPORT_TICKET = topic('support.ticket', {
  TicketOpened,
  TicketHandedOff,
  TicketReplied,
  SlaBreached,
  TicketEscalated,
  TicketResolved,
  TicketReopened,
  SurveySubmitted,
});

/** Review moderation outcomes, keyed by review id. */
export const REVIEW_REVIEW = topic('review.review', { ReviewApproved, ReviewRejected });

/** Products' rating summaries, keyed by product id (versioned: keep the highest). */
export const REVIEW_PRODUCT = topic('review.product', { ProductRatingChanged });

/** Every topic of the platform. */
export const EVENT_TOPICS: readonly EventTopic[] = [
  CATALOG_PRODUCT,
  CATALOG_CATEGORY,
  CATALOG_STOCK,
  MARKETING_GROUP_BUY,
  MARKETING_FLASH_SALE,
  MARKETING_COUPON,
  ORDER_ORDER,
  ORDER_CART,
  USER_ACCOUNT,
  ANALYTICS_BEHAVIOUR,
  ANALYTICS_AUDIENCE,
  ANALYTICS_CART,
  SUPPORT_TICKET,
  REVIEW_REVIEW,
  REVIEW_PRODUCT,
];

const byName = new Map<string, EventType>(
  EVENT_TOPICS.flatMap((t) => Object.values(t.events).map((e): [string, EventType] => [e.name, e])),
);

/** The registered event type of a name (an `event-type` header), if any. */
export function eventTypeNamed(name: string): EventType | undefined {
  return byName.get(name);
}
