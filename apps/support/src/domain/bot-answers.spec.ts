import {
  deliveredAt,
  formatTime,
  handoffText,
  ORDER_STATUS_WORDS,
  orderListAnswer,
  orderStatusAnswer,
  returnPolicyAnswer,
  returnWindow,
  trackingAnswer,
  type BotOrder,
  type BotShipment,
} from './bot-answers';

const TZ = 'Asia/Shanghai';
const ID = '0190b000-0000-7000-8000-000000000001';

const order = (over: Partial<BotOrder> = {}): BotOrder => ({
  orderId: ID,
  status: 'SHIPPED',
  createdAt: '2026-11-20T02:30:00.000Z',
  paidAt: '2026-11-20T02:31:00.000Z',
  lines: [{ title: '竹牙刷', quantity: 2 }],
  ...over,
});

const shipment = (over: Partial<BotShipment> = {}): BotShipment => ({
  shipmentId: 's1',
  warehouseCode: 'SZ-1',
  status: 'SHIPPED',
  carrier: 'sf',
  trackingNumber: 'SF1234567',
  events: [],
  ...over,
});

const delivered = (at: string, over: Partial<BotShipment> = {}) =>
  shipment({
    status: 'DELIVERED',
    events: [
      { status: 'IN_TRANSIT', description: '', occurredAt: '2026-11-21T01:00:00Z' },
      { status: 'DELIVERED', description: '已放门口', occurredAt: at },
    ],
    ...over,
  });

describe('bot answers', () => {
  it('formats times in the shop time zone', () => {
    expect(formatTime('2026-11-20T16:05:00Z', TZ)).toBe('2026-11-21 00:05');
    expect(formatTime('', TZ)).toBe('');
    expect(formatTime('not a time', TZ)).toBe('');
  });

  it('says every status of the Order proto in words', () => {
    const statuses = [
      'PENDING_REVIEW',
      'PENDING_PAYMENT',
      'PAID',
      'FULFILLING',
      'SHIPPED',
      'DELIVERED',
      'COMPLETED',
      'CANCELLED',
      'REFUNDED',
    ];
    expect(Object.keys(ORDER_STATUS_WORDS).sort()).toEqual([...statuses].sort());
    for (const status of statuses) {
      expect(orderStatusAnswer(order({ status }), 'zh-CN', TZ)).toContain(
        ORDER_STATUS_WORDS[status]['zh-CN'],
      );
      expect(orderStatusAnswer(order({ status }), 'en', TZ)).toContain(
        ORDER_STATUS_WORDS[status].en,
      );
    }
    expect(orderStatusAnswer(order(), 'zh-CN', TZ)).toBe(
      `订单 ${ID}（竹牙刷 ×2，下单于 2026-11-20 10:30）已发货，正在运输途中。`,
    );
    expect(orderStatusAnswer(order({ status: 'PAID' }), 'en', TZ)).toBe(
      `Order ${ID} (竹牙刷 ×2, placed 2026-11-20 10:30) is paid and the warehouse is preparing it.`,
    );
    expect(orderStatusAnswer(order({ status: 'ON_HOLD', lines: [] }), 'en', TZ)).toBe(
      `Order ${ID} (placed 2026-11-20 10:30) is ON_HOLD.`,
    );
  });

  it('sums up an order of many lines', () => {
    const many = order({
      status: 'DELIVERED',
      lines: [
        { title: 'A', quantity: 1 },
        { title: 'B', quantity: 2 },
        { title: 'C', quantity: 3 },
      ],
    });
    expect(orderStatusAnswer(many, 'zh-CN', TZ)).toBe(
      `订单 ${ID}（A ×1 等 6 件商品，下单于 2026-11-20 10:30）已签收。`,
    );
    expect(orderStatusAnswer(many, 'en', TZ)).toBe(
      `Order ${ID} (A ×1 and 2 more, 6 items, placed 2026-11-20 10:30) has been delivered.`,
    );
  });

  it('lists several recent orders and asks which one', () => {
    const other = order({
      orderId: 'o2',
      status: 'PENDING_PAYMENT',
      createdAt: '2026-11-22T00:00:00Z',
      lines: [{ title: 'Mug', quantity: 1 }],
    });
    expect(orderListAnswer([other, order()], 'zh-CN', TZ)).toBe(
      [
        '您最近的 2 个订单：',
        '1. 订单 o2（Mug ×1，下单于 2026-11-22 08:00）：待付款',
        `2. 订单 ${ID}（竹牙刷 ×2，下单于 2026-11-20 10:30）：已发货`,
        '请告诉我您要查询的订单号。',
      ].join('\n'),
    );
    expect(orderListAnswer([other], 'en', TZ)).toBe(
      [
        'Your 1 most recent orders:',
        '1. Order o2 (Mug ×1, placed 2026-11-22 08:00): awaiting payment',
        'Tell me the order number you mean and I will look it up.',
      ].join('\n'),
    );
  });

  it('gives each parcel its carrier, tracking number and latest event', () => {
    const parcels = [
      shipment({
        events: [
          { status: 'IN_TRANSIT', description: '', occurredAt: '2026-11-21T01:00:00Z' },
          {
            status: 'OUT_FOR_DELIVERY',
            description: '快递员正在派送',
            occurredAt: '2026-11-22T03:15:00Z',
          },
        ],
      }),
      shipment({
        shipmentId: 's2',
        warehouseCode: 'BJ-1',
        carrier: 'acme',
        trackingNumber: 'AC-99',
      }),
      shipment({ shipmentId: 's3', warehouseCode: 'SH-1', status: 'PENDING', carrier: '' }),
    ];
    expect(trackingAnswer(order(), parcels, 'zh-CN', TZ)).toBe(
      [
        `订单 ${ID} 的物流信息（共 3 个包裹）：`,
        '包裹 1/3（SZ-1 仓）：顺丰速运，运单号 SF1234567，最新动态：2026-11-22 11:15 派送中（快递员正在派送）',
        '包裹 2/3（BJ-1 仓）：acme，运单号 AC-99，已交给快递公司，暂无物流动态',
        '包裹 3/3（SH-1 仓）：尚未发货',
      ].join('\n'),
    );
    expect(trackingAnswer(order(), parcels, 'en', TZ)).toBe(
      [
        `Tracking for order ${ID} (3 parcels):`,
        'Parcel 1/3 (from SZ-1): SF Express, tracking number SF1234567; latest: 2026-11-22 11:15 out for delivery (快递员正在派送)',
        'Parcel 2/3 (from BJ-1): acme, tracking number AC-99; with the carrier, no tracking update yet',
        'Parcel 3/3 (from SH-1): not shipped yet',
      ].join('\n'),
    );
    const one = [delivered('2026-11-23T04:00:00Z', { carrier: 'jd', trackingNumber: 'JD0001' })];
    expect(trackingAnswer(order({ status: 'DELIVERED' }), one, 'en', TZ)).toBe(
      `Tracking for order ${ID}:\nParcel (from SZ-1): JD Logistics, tracking number JD0001; latest: 2026-11-23 12:00 delivered (已放门口)`,
    );
  });

  it('says there is no tracking before anything ships', () => {
    expect(trackingAnswer(order({ status: 'PAID' }), [], 'zh-CN', TZ)).toBe(
      `订单 ${ID} 已付款，仓库正在备货，暂时还没有物流信息。`,
    );
    expect(trackingAnswer(order({ status: 'PENDING_PAYMENT' }), [], 'en', TZ)).toBe(
      `Order ${ID} is waiting for your payment; there is no tracking yet.`,
    );
  });

  it('dates delivery by the last parcel, once every parcel is delivered', () => {
    expect(deliveredAt([])).toBeUndefined();
    expect(
      deliveredAt([delivered('2026-11-23T04:00:00Z'), shipment({ shipmentId: 's2' })]),
    ).toBeUndefined();
    expect(
      deliveredAt([delivered('2026-11-23T04:00:00Z'), delivered('2026-11-24T04:00:00Z')]),
    ).toEqual(new Date('2026-11-24T04:00:00Z'));
    expect(deliveredAt([shipment({ status: 'DELIVERED', events: [] })])).toBeUndefined();
  });

  it('counts the return window from delivery', () => {
    const at = new Date('2026-11-23T04:00:00Z');
    expect(returnWindow(at, 7, new Date('2026-11-29T05:00:00Z'))).toMatchObject({
      open: true,
      daysLeft: 1,
      closesAt: new Date('2026-11-30T04:00:00Z'),
    });
    expect(returnWindow(at, 7, new Date('2026-11-30T04:00:00Z'))).toMatchObject({
      open: false,
      daysLeft: 0,
    });
    expect(returnWindow(at, 0, at).open).toBe(false);
  });

  describe('return policy', () => {
    const opts = (now: string, locale: 'zh-CN' | 'en' = 'zh-CN') => ({
      windowDays: 7,
      now: new Date(now),
      locale,
      timeZone: TZ,
    });
    const done = order({ status: 'DELIVERED' });
    const parcels = [delivered('2026-11-23T04:00:00Z')];

    it('inside the window, with the returns the order already has', () => {
      const returns = [
        { returnId: 'r1', status: 'REQUESTED', kind: 'REFUND', createdAt: '2026-11-24T02:00:00Z' },
        { returnId: 'r2', status: 'REJECTED', kind: 'EXCHANGE', createdAt: '2026-11-24T03:00:00Z' },
      ];
      expect(returnPolicyAnswer(done, parcels, returns, opts('2026-11-25T04:00:00Z'))).toBe(
        `签收后 7 天内可申请退货或换货（七天无理由）。订单 ${ID} 于 2026-11-23 12:00 签收，仍在退货期内，可在 2026-11-30 12:00 前申请（还剩 5 天）。您已有的退货申请：r1（退货退款，2026-11-24 10:00 提交：已提交，等待审核）；r2（换货，2026-11-24 11:00 提交：未通过）。`,
      );
      expect(returnPolicyAnswer(done, parcels, returns, opts('2026-11-29T05:00:00Z', 'en'))).toBe(
        `You can ask for a return or an exchange within 7 days of delivery. Order ${ID} was delivered on 2026-11-23 12:00 and is inside the return window: you can ask until 2026-11-30 12:00 (1 day left). Returns already asked for: r1 (refund, requested 2026-11-24 10:00: waiting for review); r2 (exchange, requested 2026-11-24 11:00: rejected).`,
      );
    });

    it('outside the window', () => {
      expect(returnPolicyAnswer(done, parcels, [], opts('2026-12-01T00:00:00Z'))).toBe(
        `签收后 7 天内可申请退货或换货（七天无理由）。订单 ${ID} 于 2026-11-23 12:00 签收，已超过退货期（2026-11-30 12:00 截止）。如商品有质量问题，可以转人工客服处理。`,
      );
      expect(
        returnPolicyAnswer(order({ status: 'COMPLETED' }), parcels, [], {
          ...opts('2026-12-01T00:00:00Z', 'en'),
          windowDays: 1,
        }),
      ).toBe(
        `You can ask for a return or an exchange within 1 day of delivery. Order ${ID} was delivered on 2026-11-23 12:00; its return window closed on 2026-11-24 12:00. If an item is faulty, a person can still help.`,
      );
    });

    it('before delivery, unpaid, cancelled or refunded', () => {
      const now = opts('2026-11-25T00:00:00Z', 'en');
      expect(returnPolicyAnswer(order(), [shipment()], [], now)).toBe(
        `You can ask for a return or an exchange within 7 days of delivery. Order ${ID} has not been delivered yet; the 7 days start when it is.`,
      );
      expect(
        returnPolicyAnswer(
          order({ status: 'PENDING_PAYMENT' }),
          [],
          [],
          opts('2026-11-25T00:00:00Z'),
        ),
      ).toBe(
        `签收后 7 天内可申请退货或换货（七天无理由）。订单 ${ID} 尚未付款，无需退货，不需要的话可以直接取消。`,
      );
      expect(returnPolicyAnswer(order({ status: 'CANCELLED' }), [], [], now)).toContain(
        'was cancelled; there is nothing to return.',
      );
      expect(
        returnPolicyAnswer(order({ status: 'REFUNDED' }), [], [], { ...now, windowDays: 0 }),
      ).toBe(
        `Items are not taken back without a fault once delivered. Order ${ID} has been refunded in full.`,
      );
    });

    it('has no answer when the data cannot say', () => {
      const noTime = [shipment({ status: 'DELIVERED', events: [] })];
      expect(returnPolicyAnswer(done, noTime, [], opts('2026-11-25T00:00:00Z'))).toBeUndefined();
      expect(
        returnPolicyAnswer(order({ status: 'ON_HOLD' }), [], [], opts('2026-11-25T00:00:00Z')),
      ).toBeUndefined();
    });
  });

  it('hands over politely in both languages', () => {
    expect(handoffText('CUSTOMER_ASKED', 'zh-CN')).toBe(
      '好的，正在为您转人工客服，请稍候，客服会看到我们的对话。',
    );
    expect(handoffText('ORDER_NOT_FOUND', 'en')).toBe(
      "Sorry, I couldn't find that order on your account. I'm passing you to a person, who will see this conversation and reply here shortly.",
    );
  });
});
