/**
 * The templates a fresh database starts with: every key × channel × locale. Operators change the
 * words with UpdateTemplate; the keys and their variables are fixed (domain/template.ts).
 */
type Row = [key: string, channel: string, locale: string, subject: string, body: string];

const zh = (key: string, subject: string, mail: string, short: string): Row[] => [
  [key, 'EMAIL', 'zh-CN', subject, mail],
  [key, 'SMS', 'zh-CN', '', `【Emporia】${short}`],
  [key, 'PUSH', 'zh-CN', '', short],
];
const en = (key: string, subject: string, mail: string, short: string): Row[] => [
  [key, 'EMAIL', 'en', subject, mail],
  [key, 'SMS', 'en', '', `[Emporia] ${short}`],
  [key, 'PUSH', 'en', '', short],
];

export const DEFAULT_TEMPLATES: Row[] = [
  ...zh(
    'order.paid',
    '订单 {{order_id}} 已支付',
    '您好：\n\n我们已收到订单 {{order_id}} 的付款 {{amount}}，将尽快为您发货。\n\n感谢您在 Emporia 购物。',
    '订单 {{order_id}} 已支付 {{amount}}，我们将尽快发货。',
  ),
  ...en(
    'order.paid',
    'Order {{order_id}} is paid',
    'Hello,\n\nWe received {{amount}} for order {{order_id}} and will ship it soon.\n\nThank you for shopping at Emporia.',
    'Order {{order_id}} is paid ({{amount}}). We will ship it soon.',
  ),
  ...zh(
    'order.shipped',
    '订单 {{order_id}} 已发货',
    '您好：\n\n订单 {{order_id}} 已由 {{carrier}} 发出，运单号 {{tracking_number}}。',
    '订单 {{order_id}} 已发货：{{carrier}} {{tracking_number}}',
  ),
  ...en(
    'order.shipped',
    'Order {{order_id}} has shipped',
    'Hello,\n\nOrder {{order_id}} is on its way with {{carrier}}, tracking number {{tracking_number}}.',
    'Order {{order_id}} shipped: {{carrier}} {{tracking_number}}',
  ),
  ...zh(
    'order.delivered',
    '订单 {{order_id}} 已送达',
    '您好：\n\n订单 {{order_id}} 已送达。如有问题，请联系客服。',
    '订单 {{order_id}} 已送达。',
  ),
  ...en(
    'order.delivered',
    'Order {{order_id}} was delivered',
    'Hello,\n\nOrder {{order_id}} was delivered. If anything is wrong, contact our support.',
    'Order {{order_id}} was delivered.',
  ),
  ...zh(
    'order.refunded',
    '订单 {{order_id}} 已退款',
    '您好：\n\n订单 {{order_id}} 的退款 {{amount}} 已原路退回。',
    '订单 {{order_id}} 已退款 {{amount}}。',
  ),
  ...en(
    'order.refunded',
    'Refund for order {{order_id}}',
    'Hello,\n\nWe refunded {{amount}} for order {{order_id}} to your original payment method.',
    'Order {{order_id}}: {{amount}} refunded.',
  ),
  ...zh(
    'ticket.replied',
    '您的工单 {{ticket_id}} 有新回复',
    '您好：\n\n客服已回复您的工单 {{ticket_id}}，请登录查看。',
    '您的工单 {{ticket_id}} 有新回复。',
  ),
  ...en(
    'ticket.replied',
    'New reply on ticket {{ticket_id}}',
    'Hello,\n\nOur support replied to your ticket {{ticket_id}}. Sign in to read it.',
    'New reply on your ticket {{ticket_id}}.',
  ),
  ...zh(
    'coupon.expiring',
    '您的优惠券即将过期',
    '您好：\n\n您的优惠券 {{code}}（{{benefit}}）将于 {{expires_at}} 过期，别忘了使用。',
    '优惠券 {{code}}（{{benefit}}）将于 {{expires_at}} 过期。',
  ),
  ...en(
    'coupon.expiring',
    'Your coupon expires soon',
    'Hello,\n\nYour coupon {{code}} ({{benefit}}) expires at {{expires_at}}. Do not miss it.',
    'Coupon {{code}} ({{benefit}}) expires at {{expires_at}}.',
  ),
  ...zh(
    'stock.low',
    '库存预警：{{sku_code}} @ {{warehouse_code}}',
    '{{product_title}}（{{sku_code}}）在仓库 {{warehouse_code}} 的可用库存为 {{available}}，已低于阈值 {{threshold}}。',
    '库存预警：{{sku_code}} @ {{warehouse_code}} 可用 {{available}}（阈值 {{threshold}}）',
  ),
  ...en(
    'stock.low',
    'Low stock: {{sku_code}} at {{warehouse_code}}',
    '{{product_title}} ({{sku_code}}) has {{available}} available at {{warehouse_code}}, at or below its threshold of {{threshold}}.',
    'Low stock: {{sku_code}} at {{warehouse_code}}: {{available}} (threshold {{threshold}})',
  ),
];
