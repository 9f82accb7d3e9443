import { isUuid, type Clock } from '@emporia/domain';
import { classifyFailure } from '@emporia/messaging';
import {
  generalReturnPolicyAnswer,
  handoffText,
  orderListAnswer,
  orderStatusAnswer,
  returnPolicyAnswer,
  trackingAnswer,
  type BotLocale,
  type HandoffWhy,
} from '../domain/bot-answers';
import { recogniseIntent, type BotTopic } from '../domain/bot-intents';
import type {
  BotAnswer,
  BotQuestion,
  CustomerOrders,
  FirstLineBot,
  OrderSummary,
} from './customer-orders.port';

export interface OrderAwareBotSettings {
  /** SUPPORT_RETURN_WINDOW_DAYS: days after delivery a return may be asked for. */
  returnWindowDays: number;
  clock?: Clock;
  /** SUPPORT_TIME_ZONE: the times in answers are the shop's (default Asia/Shanghai). */
  timeZone?: string;
  /** Optional: told why an answer became a hand-off because order failed (for the logs). */
  onFailure?: (error: unknown, question: BotQuestion) => void;
}

/** How many of the customer's latest orders the bot looks at when the question names none. */
export const RECENT_ORDERS = 5;

/** Among several recent orders, the ones a question is likely about. */
const RELEVANT: Record<BotTopic, ReadonlySet<string>> = {
  ORDER_STATUS: new Set(['PENDING_REVIEW', 'PENDING_PAYMENT', 'PAID', 'FULFILLING', 'SHIPPED']),
  TRACKING: new Set(['FULFILLING', 'SHIPPED']),
  RETURN_POLICY: new Set(['DELIVERED', 'COMPLETED']),
};

type OrderChoice = { order: OrderSummary } | { several: OrderSummary[] } | { why: HandoffWhy };

const systemClock: Clock = { now: () => new Date() };

/**
 * The first-line bot: answers order status, tracking and return-policy questions from the
 * customer's own orders (CustomerOrders, over gRPC), and hands the ticket to a person when asked
 * or when it cannot answer from real data. Never throws: any failure is a hand-off.
 *
 * Which order: the ticket's, else one named in the text, else the customer's only recent order,
 * else the only recent one the question is likely about (tracking: a parcel on its way; returns:
 * delivered; status: not finished). Still several: a status question gets the short list, a
 * return question the policy itself (as when the customer has no order), tracking a hand-off.
 */
export class OrderAwareBot implements FirstLineBot {
  private readonly clock: Clock;
  private readonly timeZone: string;

  constructor(
    private readonly orders: CustomerOrders,
    private readonly settings: OrderAwareBotSettings,
  ) {
    this.clock = settings.clock ?? systemClock;
    this.timeZone = settings.timeZone ?? 'Asia/Shanghai';
  }

  async answer(question: BotQuestion): Promise<BotAnswer> {
    const locale: BotLocale = question?.locale === 'en' ? 'en' : 'zh-CN';
    try {
      return await this.decide(question, locale);
    } catch (e) {
      this.settings.onFailure?.(e, question);
      return handoff(classifyFailure(e) === 'unavailable' ? 'UNAVAILABLE' : 'NO_DATA', locale);
    }
  }

  private async decide(q: BotQuestion, locale: BotLocale): Promise<BotAnswer> {
    const recognised = recogniseIntent(typeof q?.text === 'string' ? q.text : '');
    if (recognised.intent === 'HUMAN') return handoff('CUSTOMER_ASKED', locale);
    if (recognised.intent === 'UNKNOWN') return handoff('NOT_UNDERSTOOD', locale);
    if (typeof q.accountId !== 'string' || !isUuid(q.accountId)) return handoff('NO_DATA', locale);
    const topic = recognised.intent;

    const named = q.orderId || recognised.orderId;
    const picked = await this.pickOrder(q.accountId, topic, named);
    // the policy itself needs no order: said when there is none to apply it to (not when a named
    // order is not the customer's: that goes to a person)
    if (
      topic === 'RETURN_POLICY' &&
      !named &&
      ('several' in picked || ('why' in picked && picked.why === 'NO_ORDER'))
    )
      return {
        kind: 'answer',
        topic,
        text: generalReturnPolicyAnswer(this.settings.returnWindowDays, locale),
      };
    if ('why' in picked) return handoff(picked.why, locale);
    if ('several' in picked)
      return topic === 'ORDER_STATUS'
        ? { kind: 'answer', topic, text: orderListAnswer(picked.several, locale, this.timeZone) }
        : handoff('AMBIGUOUS', locale);

    const { order } = picked;
    switch (topic) {
      case 'ORDER_STATUS':
        return { kind: 'answer', topic, text: orderStatusAnswer(order, locale, this.timeZone) };
      case 'TRACKING': {
        const shipments = await this.orders.shipments(q.accountId, order.orderId);
        return {
          kind: 'answer',
          topic,
          text: trackingAnswer(order, shipments, locale, this.timeZone),
        };
      }
      case 'RETURN_POLICY': {
        const [shipments, returns] = await Promise.all([
          this.orders.shipments(q.accountId, order.orderId),
          this.orders.returns(q.accountId, order.orderId),
        ]);
        const text = returnPolicyAnswer(order, shipments, returns, {
          windowDays: this.settings.returnWindowDays,
          now: this.clock.now(),
          locale,
          timeZone: this.timeZone,
        });
        return text ? { kind: 'answer', topic, text } : handoff('NO_DATA', locale);
      }
    }
  }

  private async pickOrder(
    accountId: string,
    topic: BotTopic,
    named?: string,
  ): Promise<OrderChoice> {
    if (named) {
      if (!isUuid(named)) return { why: 'ORDER_NOT_FOUND' };
      const order = await this.orders.order(accountId, named.toLowerCase());
      return order ? { order } : { why: 'ORDER_NOT_FOUND' };
    }
    const recent = await this.orders.recentOrders(accountId, RECENT_ORDERS);
    if (recent.length === 0) return { why: 'NO_ORDER' };
    if (recent.length === 1) return { order: recent[0] };
    const relevant = recent.filter((o) => RELEVANT[topic].has(o.status));
    if (relevant.length === 1) return { order: relevant[0] };
    return { several: relevant.length > 1 ? relevant : recent };
  }
}

function handoff(why: HandoffWhy, locale: BotLocale): BotAnswer {
  return {
    kind: 'handoff',
    reason: why === 'CUSTOMER_ASKED' ? 'CUSTOMER_ASKED' : 'BOT_CANNOT_ANSWER',
    text: handoffText(why, locale),
  };
}
