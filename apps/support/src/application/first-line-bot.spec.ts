import { DomainError } from '@emporia/domain';
import { FakeClock } from '@emporia/domain/testing';
import {
  anOrderSummary,
  aShipmentSummary,
  InMemoryCustomerOrders,
} from '../testing/in-memory-customer-orders';
import type { BotQuestion } from './customer-orders.port';
import { OrderAwareBot } from './first-line-bot';

const ME = '0190b000-0000-7000-8000-0000000000aa';
const OTHER = '0190b000-0000-7000-8000-0000000000bb';

describe('OrderAwareBot', () => {
  let orders: InMemoryCustomerOrders;
  let clock: FakeClock;
  let bot: OrderAwareBot;
  const ask = (text: string, over: Partial<BotQuestion> = {}) =>
    bot.answer({ accountId: ME, text, locale: 'zh-CN', category: 'OTHER', ...over });

  beforeEach(() => {
    orders = new InMemoryCustomerOrders();
    clock = new FakeClock(new Date('2026-11-25T04:00:00Z'));
    bot = new OrderAwareBot(orders, { returnWindowDays: 7, clock });
  });

  it('hands over at once when the customer asks for a person, without asking order', async () => {
    expect(await ask('我要转人工')).toEqual({
      kind: 'handoff',
      reason: 'CUSTOMER_ASKED',
      text: '好的，正在为您转人工客服，请稍候，客服会看到我们的对话。',
    });
    expect(await ask('can I talk to a human?', { locale: 'en' })).toMatchObject({
      kind: 'handoff',
      reason: 'CUSTOMER_ASKED',
      text: expect.stringContaining("I'm passing you to a person"),
    });
    expect(orders.calls).toEqual([]);
  });

  it('hands over what it does not understand', async () => {
    expect(await ask('这个颜色和图片不一样')).toEqual({
      kind: 'handoff',
      reason: 'BOT_CANNOT_ANSWER',
      text: '抱歉，这个问题我还回答不了，正在为您转人工客服，请稍候，客服会看到我们的对话。',
    });
    expect(orders.calls).toEqual([]);
  });

  it("answers tracking for the ticket's order from its shipments", async () => {
    const o = anOrderSummary();
    orders.addOrder(ME, o).addOrder(ME, anOrderSummary({ createdAt: '2026-11-24T00:00:00Z' }));
    orders.addShipment(
      aShipmentSummary(o.orderId, {
        carrier: 'sf',
        trackingNumber: 'SF7788',
        events: [
          {
            status: 'IN_TRANSIT',
            description: '已到达深圳转运中心',
            occurredAt: '2026-11-21T08:00:00Z',
          },
        ],
      }),
    );
    expect(await ask('我的快递到哪了', { orderId: o.orderId })).toEqual({
      kind: 'answer',
      topic: 'TRACKING',
      text: `订单 ${o.orderId} 的物流信息：\n包裹（SZ-1 仓）：顺丰速运，运单号 SF7788，最新动态：2026-11-21 16:00 运输中（已到达深圳转运中心）`,
    });
    expect(orders.calls).toEqual([`order ${ME} ${o.orderId}`, `shipments ${ME} ${o.orderId}`]);
  });

  it('uses the order named in the text, in any case', async () => {
    const o = anOrderSummary({ status: 'PAID' });
    orders.addOrder(ME, o);
    expect(await ask(`Order status of ${o.orderId.toUpperCase()}?`, { locale: 'en' })).toEqual({
      kind: 'answer',
      topic: 'ORDER_STATUS',
      text: `Order ${o.orderId} (竹牙刷 ×1, placed 2026-11-20 10:30) is paid and the warehouse is preparing it.`,
    });
  });

  it("never shows another account's order: it hands over instead", async () => {
    const theirs = anOrderSummary();
    orders.addOrder(OTHER, theirs).addShipment(aShipmentSummary(theirs.orderId));
    for (const q of [
      ask(`${theirs.orderId} 到哪了`),
      ask('到哪了', { orderId: theirs.orderId }),
      ask('到哪了', { orderId: 'not-a-uuid' }),
    ])
      expect(await q).toEqual({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
        text: '抱歉，我在您的账户下没有找到这个订单，正在为您转人工客服，请稍候，客服会看到我们的对话。',
      });
    expect(orders.calls.some((c) => c.startsWith('shipments'))).toBe(false);
  });

  it('takes the only recent order, or the only one the question is about', async () => {
    const only = anOrderSummary({ status: 'DELIVERED' });
    orders.addOrder(ME, only);
    expect(await ask('发货了吗')).toMatchObject({
      topic: 'ORDER_STATUS',
      text: `订单 ${only.orderId}（竹牙刷 ×1，下单于 2026-11-20 10:30）已签收。`,
    });
    const moving = anOrderSummary({ status: 'SHIPPED', createdAt: '2026-11-22T00:00:00Z' });
    orders
      .addOrder(ME, moving)
      .addShipment(aShipmentSummary(moving.orderId, { trackingNumber: 'SF42' }));
    expect(await ask('where is my parcel', { locale: 'en' })).toMatchObject({
      topic: 'TRACKING',
      text: expect.stringContaining('SF Express, tracking number SF42'),
    });
  });

  it('lists several recent orders for a status question, hands over the others', async () => {
    const a = anOrderSummary({ status: 'PAID', createdAt: '2026-11-23T00:00:00Z' });
    const b = anOrderSummary({ status: 'SHIPPED', createdAt: '2026-11-22T00:00:00Z' });
    const c = anOrderSummary({ status: 'FULFILLING', createdAt: '2026-11-21T00:00:00Z' });
    orders.addOrder(ME, c).addOrder(ME, a).addOrder(ME, b);
    expect(await ask('我的订单状态')).toEqual({
      kind: 'answer',
      topic: 'ORDER_STATUS',
      text: [
        '您最近的 3 个订单：',
        `1. 订单 ${a.orderId}（竹牙刷 ×1，下单于 2026-11-23 08:00）：已付款`,
        `2. 订单 ${b.orderId}（竹牙刷 ×1，下单于 2026-11-22 08:00）：已发货`,
        `3. 订单 ${c.orderId}（竹牙刷 ×1，下单于 2026-11-21 08:00）：出库中`,
        '请告诉我您要查询的订单号。',
      ].join('\n'),
    });
    expect(await ask('快递到哪了')).toMatchObject({
      kind: 'handoff',
      reason: 'BOT_CANNOT_ANSWER',
      text: expect.stringContaining('您最近有多个订单'),
    });
    expect(orders.calls.filter((x) => x.startsWith('recentOrders'))).toEqual([
      `recentOrders ${ME} 5`,
      `recentOrders ${ME} 5`,
    ]);
  });

  it('hands over when the customer has no order', async () => {
    expect(await ask('where is my order', { locale: 'en' })).toEqual({
      kind: 'handoff',
      reason: 'BOT_CANNOT_ANSWER',
      text: "Sorry, I couldn't find an order of yours. I'm passing you to a person, who will see this conversation and reply here shortly.",
    });
  });

  describe('return policy', () => {
    const deliveredOn = (at: string) => {
      const o = anOrderSummary({ status: 'DELIVERED' });
      orders.addOrder(ME, o).addShipment(
        aShipmentSummary(o.orderId, {
          status: 'DELIVERED',
          events: [{ status: 'DELIVERED', description: '', occurredAt: at }],
        }),
      );
      return o;
    };

    it('states the policy itself when there is no order to apply it to', async () => {
      // no order at all
      expect(await ask('怎么退货？')).toEqual({
        kind: 'answer',
        topic: 'RETURN_POLICY',
        text: '签收后 7 天内可申请退货或换货（七天无理由）。告诉我订单号，我可以帮您查看该订单是否仍在退货期内；也可以回复“人工”转人工客服。',
      });
      // several delivered orders and none named
      deliveredOn('2026-11-23T04:00:00Z');
      deliveredOn('2026-11-24T04:00:00Z');
      expect(await ask('how do I return something?', { locale: 'en' })).toEqual({
        kind: 'answer',
        topic: 'RETURN_POLICY',
        text: 'You can ask for a return or an exchange within 7 days of delivery. Tell me the order number and I will check whether it is still inside the window, or ask for a person.',
      });
      // a named order that is not the customer's still goes to a person
      expect(await ask('退货', { orderId: '0190a000-0000-7000-8000-00000000dead' })).toMatchObject({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
      });
    });

    it('tells whether this order is still inside the window, by the clock', async () => {
      const o = deliveredOn('2026-11-23T04:00:00Z');
      orders.addReturn({
        returnId: 'r-1',
        orderId: o.orderId,
        status: 'APPROVED',
        kind: 'REFUND',
        createdAt: '2026-11-24T04:00:00Z',
      });
      expect(await ask('可以退货吗', { orderId: o.orderId })).toEqual({
        kind: 'answer',
        topic: 'RETURN_POLICY',
        text: `签收后 7 天内可申请退货或换货（七天无理由）。订单 ${o.orderId} 于 2026-11-23 12:00 签收，仍在退货期内，可在 2026-11-30 12:00 前申请（还剩 5 天）。您已有的退货申请：r-1（退货退款，2026-11-24 12:00 提交：已同意，请寄回商品）。`,
      });
      clock.advance(6 * 86_400_000);
      expect(await ask('can I return it?', { orderId: o.orderId, locale: 'en' })).toMatchObject({
        topic: 'RETURN_POLICY',
        text: expect.stringContaining('its return window closed on 2026-11-30 12:00'),
      });
    });

    it('follows SUPPORT_RETURN_WINDOW_DAYS', async () => {
      const o = deliveredOn('2026-11-23T04:00:00Z');
      const strict = new OrderAwareBot(orders, { returnWindowDays: 1, clock, timeZone: 'UTC' });
      const q = { accountId: ME, text: 'refund?', locale: 'en' as const, category: 'OTHER' };
      expect(await strict.answer({ ...q, orderId: o.orderId })).toEqual({
        kind: 'answer',
        topic: 'RETURN_POLICY',
        text: `You can ask for a return or an exchange within 1 day of delivery. Order ${o.orderId} was delivered on 2026-11-23 04:00; its return window closed on 2026-11-24 04:00. If an item is faulty, a person can still help.`,
      });
    });

    it('hands over a delivered order without a delivery time', async () => {
      const o = anOrderSummary({ status: 'DELIVERED' });
      orders.addOrder(ME, o).addShipment(aShipmentSummary(o.orderId, { status: 'DELIVERED' }));
      expect(await ask('退款', { orderId: o.orderId })).toMatchObject({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
        text: expect.stringContaining('信息还不足以回答'),
      });
    });
  });

  it('hands over, never throws, when order fails', async () => {
    const o = anOrderSummary();
    orders.addOrder(ME, o);
    const failures: unknown[] = [];
    bot = new OrderAwareBot(orders, {
      returnWindowDays: 7,
      clock,
      onFailure: (e) => failures.push(e),
    });
    orders.failNextCalls(1);
    expect(await ask('发货了吗')).toEqual({
      kind: 'handoff',
      reason: 'BOT_CANNOT_ANSWER',
      text: '抱歉，订单信息暂时查不到，正在为您转人工客服，请稍候，客服会看到我们的对话。',
    });
    expect(failures).toHaveLength(1);

    // the port's other way of saying order is down: a coded error
    class OrderDown extends DomainError {}
    const down = new OrderDown('UNAVAILABLE', 'DEPENDENCY_UNAVAILABLE', 'order is down');
    const orderDown = new OrderAwareBot(
      { recentOrders: () => Promise.reject(down) } as unknown as InMemoryCustomerOrders,
      { returnWindowDays: 7 },
    );
    expect(
      await orderDown.answer({ accountId: ME, text: '到哪了', locale: 'en', category: 'OTHER' }),
    ).toMatchObject({
      reason: 'BOT_CANNOT_ANSWER',
      text: expect.stringContaining("I can't look up your orders right now"),
    });
    const broken = new OrderAwareBot(
      {
        recentOrders: () => Promise.reject(new TypeError('bug')),
      } as unknown as InMemoryCustomerOrders,
      { returnWindowDays: 7 },
    );
    expect(
      await broken.answer({ accountId: ME, text: '到哪了', locale: 'zh-CN', category: 'OTHER' }),
    ).toMatchObject({
      reason: 'BOT_CANNOT_ANSWER',
      text: expect.stringContaining('信息还不足以回答'),
    });
  });

  it('answers bad input with a hand-off', async () => {
    for (const q of [
      { accountId: '', text: '到哪了', locale: 'zh-CN', category: 'OTHER' },
      { accountId: ME, text: undefined, locale: 'xx', category: 'OTHER' },
      undefined,
    ])
      expect(await bot.answer(q as unknown as BotQuestion)).toMatchObject({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
      });
  });
});
