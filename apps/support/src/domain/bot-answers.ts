/**
 * The first-line bot's answers, composed from the customer's real orders, shipments and returns
 * in zh-CN or en. Pure functions of their arguments (the time `now` and the shop's time zone
 * included): the same data gives the same words. The shapes are those of the CustomerOrders port
 * (`application/customer-orders.port.ts`), restated here so the domain imports nothing outside it.
 */
export type BotLocale = 'zh-CN' | 'en';

export interface BotOrder {
  orderId: string;
  status: string;
  createdAt: string;
  paidAt: string;
  lines: { title: string; quantity: number }[];
}

export interface BotShipment {
  shipmentId: string;
  warehouseCode: string;
  /** PENDING, SHIPPED, DELIVERED or EXCEPTION. */
  status: string;
  carrier: string;
  trackingNumber: string;
  /** Newest last. */
  events: { status: string; description: string; occurredAt: string }[];
}

export interface BotReturn {
  returnId: string;
  status: string;
  kind: string;
  createdAt: string;
}

type Words = Record<string, { 'zh-CN': string; en: string }>;

/** One sentence per status of the Order proto. */
export const ORDER_STATUS_WORDS: Words = {
  PENDING_REVIEW: {
    'zh-CN': '正在审核中，审核通过后即可付款',
    en: 'is being reviewed; you can pay once it is approved',
  },
  PENDING_PAYMENT: { 'zh-CN': '待付款，请在付款期限内完成支付', en: 'is waiting for your payment' },
  PAID: { 'zh-CN': '已付款，仓库正在备货', en: 'is paid and the warehouse is preparing it' },
  FULFILLING: {
    'zh-CN': '正在出库发货，包裹发出后可查看物流',
    en: 'is being packed and shipped; tracking shows once a parcel leaves',
  },
  SHIPPED: { 'zh-CN': '已发货，正在运输途中', en: 'has shipped and is on its way' },
  DELIVERED: { 'zh-CN': '已签收', en: 'has been delivered' },
  COMPLETED: { 'zh-CN': '已完成', en: 'is complete' },
  CANCELLED: { 'zh-CN': '已取消', en: 'was cancelled' },
  REFUNDED: { 'zh-CN': '已退款', en: 'has been refunded' },
};

/** The same, as a short label (lists of orders). */
export const ORDER_STATUS_LABELS: Words = {
  PENDING_REVIEW: { 'zh-CN': '审核中', en: 'under review' },
  PENDING_PAYMENT: { 'zh-CN': '待付款', en: 'awaiting payment' },
  PAID: { 'zh-CN': '已付款', en: 'paid' },
  FULFILLING: { 'zh-CN': '出库中', en: 'being packed' },
  SHIPPED: { 'zh-CN': '已发货', en: 'shipped' },
  DELIVERED: { 'zh-CN': '已签收', en: 'delivered' },
  COMPLETED: { 'zh-CN': '已完成', en: 'completed' },
  CANCELLED: { 'zh-CN': '已取消', en: 'cancelled' },
  REFUNDED: { 'zh-CN': '已退款', en: 'refunded' },
};

export const TRACKING_STATUS_WORDS: Words = {
  IN_TRANSIT: { 'zh-CN': '运输中', en: 'in transit' },
  OUT_FOR_DELIVERY: { 'zh-CN': '派送中', en: 'out for delivery' },
  DELIVERED: { 'zh-CN': '已签收', en: 'delivered' },
  EXCEPTION: { 'zh-CN': '运输异常', en: 'delivery problem' },
};

/** Carrier codes as order stores them (`ShipShipment`), by name; another code is shown as is. */
export const CARRIER_NAMES: Words = {
  sf: { 'zh-CN': '顺丰速运', en: 'SF Express' },
  jd: { 'zh-CN': '京东物流', en: 'JD Logistics' },
  ems: { 'zh-CN': 'EMS', en: 'EMS' },
  zto: { 'zh-CN': '中通快递', en: 'ZTO Express' },
  yto: { 'zh-CN': '圆通速递', en: 'YTO Express' },
  sto: { 'zh-CN': '申通快递', en: 'STO Express' },
  yunda: { 'zh-CN': '韵达快递', en: 'Yunda Express' },
  jt: { 'zh-CN': '极兔速递', en: 'J&T Express' },
  deppon: { 'zh-CN': '德邦快递', en: 'Deppon Express' },
};

export const RETURN_STATUS_WORDS: Words = {
  REQUESTED: { 'zh-CN': '已提交，等待审核', en: 'waiting for review' },
  APPROVED: { 'zh-CN': '已同意，请寄回商品', en: 'approved, send the goods back' },
  REJECTED: { 'zh-CN': '未通过', en: 'rejected' },
  RECEIVED: { 'zh-CN': '商品已收到', en: 'goods received' },
  REFUNDING: { 'zh-CN': '退款中', en: 'refund in progress' },
  REFUNDED: { 'zh-CN': '已退款', en: 'refunded' },
  EXCHANGED: { 'zh-CN': '换货已发出', en: 'replacement on its way' },
};

export const RETURN_KIND_WORDS: Words = {
  REFUND: { 'zh-CN': '退货退款', en: 'refund' },
  EXCHANGE: { 'zh-CN': '换货', en: 'exchange' },
};

/** Why the bot hands a ticket to a person, each with its polite text. */
export type HandoffWhy =
  | 'CUSTOMER_ASKED'
  | 'NOT_UNDERSTOOD'
  | 'NO_ORDER'
  | 'ORDER_NOT_FOUND'
  | 'AMBIGUOUS'
  | 'NO_DATA'
  | 'UNAVAILABLE';

const PASSING_ON = {
  'zh-CN': '正在为您转人工客服，请稍候，客服会看到我们的对话。',
  en: "I'm passing you to a person, who will see this conversation and reply here shortly.",
};

export const HANDOFF_TEXTS: Record<HandoffWhy, { 'zh-CN': string; en: string }> = {
  CUSTOMER_ASKED: {
    'zh-CN': `好的，${PASSING_ON['zh-CN']}`,
    en: `Of course. ${PASSING_ON.en}`,
  },
  NOT_UNDERSTOOD: {
    'zh-CN': `抱歉，这个问题我还回答不了，${PASSING_ON['zh-CN']}`,
    en: `Sorry, I can't answer that myself. ${PASSING_ON.en}`,
  },
  NO_ORDER: {
    'zh-CN': `抱歉，我没有查到您的订单，${PASSING_ON['zh-CN']}`,
    en: `Sorry, I couldn't find an order of yours. ${PASSING_ON.en}`,
  },
  ORDER_NOT_FOUND: {
    'zh-CN': `抱歉，我在您的账户下没有找到这个订单，${PASSING_ON['zh-CN']}`,
    en: `Sorry, I couldn't find that order on your account. ${PASSING_ON.en}`,
  },
  AMBIGUOUS: {
    'zh-CN': `您最近有多个订单，我不确定您问的是哪一个，${PASSING_ON['zh-CN']}`,
    en: `You have several recent orders and I can't tell which one you mean. ${PASSING_ON.en}`,
  },
  NO_DATA: {
    'zh-CN': `抱歉，这个订单的信息还不足以回答您的问题，${PASSING_ON['zh-CN']}`,
    en: `Sorry, I don't have enough about this order to answer. ${PASSING_ON.en}`,
  },
  UNAVAILABLE: {
    'zh-CN': `抱歉，订单信息暂时查不到，${PASSING_ON['zh-CN']}`,
    en: `Sorry, I can't look up your orders right now. ${PASSING_ON.en}`,
  },
};

export function handoffText(why: HandoffWhy, locale: BotLocale): string {
  return HANDOFF_TEXTS[why][locale];
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:mm` in the shop's time zone; "" for a missing or unreadable time. */
export function formatTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const word = (table: Words, key: string, locale: BotLocale) => table[key]?.[locale] ?? key;

/** "牙刷 ×2、牙膏 ×1" / "Toothbrush ×2, Toothpaste ×1"; more than two lines are summed up. */
function items(order: BotOrder, locale: BotLocale): string {
  const lines = order.lines.map((l) => `${l.title} ×${l.quantity}`);
  if (lines.length === 0) return '';
  if (lines.length <= 2) return lines.join(locale === 'en' ? ', ' : '、');
  const units = order.lines.reduce((a, l) => a + l.quantity, 0);
  return locale === 'en'
    ? `${lines[0]} and ${lines.length - 1} more, ${units} items`
    : `${lines[0]} 等 ${units} 件商品`;
}

/** "订单 <id>（<items>，下单于 <time>）" / "Order <id> (<items>, placed <time>)". */
function orderTitle(order: BotOrder, locale: BotLocale, timeZone: string): string {
  const placed = formatTime(order.createdAt, timeZone);
  const about = [
    items(order, locale),
    placed && (locale === 'en' ? `placed ${placed}` : `下单于 ${placed}`),
  ]
    .filter(Boolean)
    .join(locale === 'en' ? ', ' : '，');
  if (locale === 'en') return `Order ${order.orderId}${about ? ` (${about})` : ''}`;
  return `订单 ${order.orderId}${about ? `（${about}）` : ''}`;
}

/** The order's status in words: "订单 …（…）已发货，正在运输途中。" */
export function orderStatusAnswer(order: BotOrder, locale: BotLocale, timeZone: string): string {
  const status = ORDER_STATUS_WORDS[order.status]?.[locale];
  const title = orderTitle(order, locale, timeZone);
  if (locale === 'en') return `${title} ${status ?? `is ${order.status}`}.`;
  return `${title}${status ?? `当前状态为 ${order.status}`}。`;
}

/** Several recent orders, one line each, and a request to name one. */
export function orderListAnswer(orders: BotOrder[], locale: BotLocale, timeZone: string): string {
  const lines = orders.map(
    (o, i) =>
      `${i + 1}. ${orderTitle(o, locale, timeZone)}${locale === 'en' ? ': ' : '：'}${word(ORDER_STATUS_LABELS, o.status, locale)}`,
  );
  return locale === 'en'
    ? [
        `Your ${orders.length} most recent orders:`,
        ...lines,
        'Tell me the order number you mean and I will look it up.',
      ].join('\n')
    : [`您最近的 ${orders.length} 个订单：`, ...lines, '请告诉我您要查询的订单号。'].join('\n');
}

function shipmentLine(s: BotShipment, label: string, locale: BotLocale, timeZone: string) {
  const en = locale === 'en';
  const head = en ? `${label} (from ${s.warehouseCode}): ` : `${label}（${s.warehouseCode} 仓）：`;
  if (s.status === 'PENDING' || !s.trackingNumber)
    return head + (en ? 'not shipped yet' : '尚未发货');
  const carrier = word(CARRIER_NAMES, s.carrier, locale);
  const parcel = en
    ? `${carrier}, tracking number ${s.trackingNumber}`
    : `${carrier}，运单号 ${s.trackingNumber}`;
  const latest = s.events[s.events.length - 1];
  if (!latest)
    return (
      head +
      parcel +
      (en ? '; with the carrier, no tracking update yet' : '，已交给快递公司，暂无物流动态')
    );
  const what = word(TRACKING_STATUS_WORDS, latest.status, locale);
  const description = latest.description.trim();
  const detail =
    description &&
    description.toLowerCase() !== what.toLowerCase() &&
    description.toLowerCase() !== latest.status.toLowerCase()
      ? en
        ? ` (${description})`
        : `（${description}）`
      : '';
  const at = formatTime(latest.occurredAt, timeZone);
  return en
    ? `${head}${parcel}; latest: ${at} ${what}${detail}`
    : `${head}${parcel}，最新动态：${at} ${what}${detail}`;
}

/** Each shipment's carrier, tracking number and latest tracking event, one line per parcel. */
export function trackingAnswer(
  order: BotOrder,
  shipments: BotShipment[],
  locale: BotLocale,
  timeZone: string,
): string {
  const en = locale === 'en';
  if (shipments.length === 0) {
    const status = ORDER_STATUS_WORDS[order.status]?.[locale] ?? order.status;
    return en
      ? `Order ${order.orderId} ${status}; there is no tracking yet.`
      : `订单 ${order.orderId} ${status}，暂时还没有物流信息。`;
  }
  const label = (i: number) =>
    shipments.length === 1
      ? en
        ? 'Parcel'
        : '包裹'
      : en
        ? `Parcel ${i + 1}/${shipments.length}`
        : `包裹 ${i + 1}/${shipments.length}`;
  const head = en
    ? `Tracking for order ${order.orderId}${shipments.length > 1 ? ` (${shipments.length} parcels)` : ''}:`
    : `订单 ${order.orderId} 的物流信息${shipments.length > 1 ? `（共 ${shipments.length} 个包裹）` : ''}：`;
  return [head, ...shipments.map((s, i) => shipmentLine(s, label(i), locale, timeZone))].join('\n');
}

/**
 * When the order was delivered: its last parcel's DELIVERED tracking event, once every parcel is
 * delivered; undefined before (or when no delivery time was recorded).
 */
export function deliveredAt(shipments: BotShipment[]): Date | undefined {
  if (shipments.length === 0 || shipments.some((s) => s.status !== 'DELIVERED')) return undefined;
  let last: Date | undefined;
  for (const s of shipments) {
    const times = s.events
      .filter((e) => e.status === 'DELIVERED')
      .map((e) => new Date(e.occurredAt))
      .filter((d) => !Number.isNaN(d.getTime()));
    if (times.length === 0) return undefined;
    const first = new Date(Math.min(...times.map((d) => d.getTime())));
    if (!last || first > last) last = first;
  }
  return last;
}

export interface ReturnWindow {
  deliveredAt: Date;
  closesAt: Date;
  open: boolean;
  /** Whole days left, rounded up (0 once closed). */
  daysLeft: number;
}

/** The return window of an order delivered at `delivered`: `windowDays` days from delivery. */
export function returnWindow(delivered: Date, windowDays: number, now: Date): ReturnWindow {
  const closesAt = new Date(delivered.getTime() + windowDays * DAY_MS);
  const open = now.getTime() < closesAt.getTime();
  return {
    deliveredAt: delivered,
    closesAt,
    open,
    daysLeft: open ? Math.ceil((closesAt.getTime() - now.getTime()) / DAY_MS) : 0,
  };
}

function policySentence(windowDays: number, locale: BotLocale): string {
  if (windowDays <= 0)
    return locale === 'en'
      ? 'Items are not taken back without a fault once delivered.'
      : '商品签收后不支持无理由退换货。';
  return locale === 'en'
    ? `You can ask for a return or an exchange within ${windowDays} day${windowDays === 1 ? '' : 's'} of delivery.`
    : `签收后 ${windowDays} 天内可申请退货或换货${windowDays === 7 ? '（七天无理由）' : ''}。`;
}

/**
 * The return policy without an order to apply it to (the customer has none, or several and the
 * question names none): the rule, and how to get an answer for one order.
 */
export function generalReturnPolicyAnswer(windowDays: number, locale: BotLocale): string {
  return locale === 'en'
    ? `${policySentence(windowDays, locale)} Tell me the order number and I will check whether it is still inside the window, or ask for a person.`
    : `${policySentence(windowDays, locale)}告诉我订单号，我可以帮您查看该订单是否仍在退货期内；也可以回复“人工”转人工客服。`;
}

function returnsSentence(returns: BotReturn[], locale: BotLocale, timeZone: string): string {
  if (returns.length === 0) return '';
  const each = returns.map((r) => {
    const kind = word(RETURN_KIND_WORDS, r.kind, locale);
    const status = word(RETURN_STATUS_WORDS, r.status, locale);
    const at = formatTime(r.createdAt, timeZone);
    return locale === 'en'
      ? `${r.returnId} (${kind}, requested ${at}: ${status})`
      : `${r.returnId}（${kind}，${at} 提交：${status}）`;
  });
  return locale === 'en'
    ? `Returns already asked for: ${each.join('; ')}.`
    : `您已有的退货申请：${each.join('；')}。`;
}

/**
 * The return policy and where THIS order stands in it (delivered when, the window open or closed,
 * its returns). Undefined when the data cannot say: delivered without a recorded delivery time,
 * or a status the policy does not cover.
 */
export function returnPolicyAnswer(
  order: BotOrder,
  shipments: BotShipment[],
  returns: BotReturn[],
  opts: { windowDays: number; now: Date; locale: BotLocale; timeZone: string },
): string | undefined {
  const { locale, timeZone, windowDays } = opts;
  const en = locale === 'en';
  const id = order.orderId;
  let standing: string;
  switch (order.status) {
    case 'PENDING_REVIEW':
    case 'PENDING_PAYMENT':
      standing = en
        ? `Order ${id} is not paid yet, so there is nothing to return; you can cancel it instead.`
        : `订单 ${id} 尚未付款，无需退货，不需要的话可以直接取消。`;
      break;
    case 'CANCELLED':
      standing = en
        ? `Order ${id} was cancelled; there is nothing to return.`
        : `订单 ${id} 已取消，无需退货。`;
      break;
    case 'REFUNDED':
      standing = en ? `Order ${id} has been refunded in full.` : `订单 ${id} 已全额退款。`;
      break;
    case 'PAID':
    case 'FULFILLING':
    case 'SHIPPED':
      standing = en
        ? `Order ${id} has not been delivered yet; the ${windowDays} days start when it is.`
        : `订单 ${id} 还未签收，退货期从签收时开始计算。`;
      break;
    case 'DELIVERED':
    case 'COMPLETED': {
      const delivered = deliveredAt(shipments);
      if (!delivered) return undefined;
      const w = returnWindow(delivered, windowDays, opts.now);
      const on = formatTime(delivered.toISOString(), timeZone);
      const until = formatTime(w.closesAt.toISOString(), timeZone);
      if (w.open)
        standing = en
          ? `Order ${id} was delivered on ${on} and is inside the return window: you can ask until ${until} (${w.daysLeft} day${w.daysLeft === 1 ? '' : 's'} left).`
          : `订单 ${id} 于 ${on} 签收，仍在退货期内，可在 ${until} 前申请（还剩 ${w.daysLeft} 天）。`;
      else
        standing = en
          ? `Order ${id} was delivered on ${on}; its return window closed on ${until}. If an item is faulty, a person can still help.`
          : `订单 ${id} 于 ${on} 签收，已超过退货期（${until} 截止）。如商品有质量问题，可以转人工客服处理。`;
      break;
    }
    default:
      return undefined;
  }
  return [policySentence(windowDays, locale), standing, returnsSentence(returns, locale, timeZone)]
    .filter(Boolean)
    .join(en ? ' ' : '');
}
