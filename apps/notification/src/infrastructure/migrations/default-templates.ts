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

/**
 * Issue 23's templates (migration 1767000002000, which a database created before them needs):
 * one-time codes by SMS only, and the security notices by e-mail and SMS (push never carries
 * them). `{{code}}` is never stored rendered: the delivery log keeps it masked.
 */
export const SECURITY_TEMPLATES: Row[] = [
  [
    'auth.sms_code',
    'SMS',
    'zh-CN',
    '',
    '【Emporia】验证码 {{code}}，{{minutes}} 分钟内有效。请勿告诉他人。',
  ],
  [
    'auth.sms_code',
    'SMS',
    'en',
    '',
    '[Emporia] Your verification code is {{code}}, valid for {{minutes}} minutes. Do not share it with anyone.',
  ],
  ...zh(
    'account.new_device',
    '您的账户在新设备上登录',
    '您好：\n\n您的 Emporia 账户于 {{at}} 在新设备上登录：\n设备：{{device}}\n地点：{{place}}（{{ip}}）\n登录方式：{{signed_in_with}}\n\n如果这不是您本人的操作，请立即修改密码，并在“账户安全”中移除该设备。',
    '您的账户于 {{at}} 在新设备（{{device}}，{{place}}）上登录。如非本人操作，请立即修改密码。',
  ).filter(([, channel]) => channel !== 'PUSH'),
  ...en(
    'account.new_device',
    'New sign-in to your account',
    'Hello,\n\nYour Emporia account was signed in to from a new device at {{at}}:\nDevice: {{device}}\nPlace: {{place}} ({{ip}})\nSigned in with: {{signed_in_with}}\n\nIf this was not you, change your password now and remove the device under Account security.',
    'New sign-in at {{at}} from {{device}} ({{place}}). Not you? Change your password now.',
  ).filter(([, channel]) => channel !== 'PUSH'),
  ...zh(
    'account.security_changed',
    '您的账户安全设置已更改',
    '您好：\n\n您的 Emporia 账户于 {{at}} 发生了安全变更：{{change}} {{detail}}\n操作地址：{{ip}}\n\n如果这不是您本人的操作，请立即联系客服并修改密码。',
    '安全提醒：{{change}} {{detail}}（{{at}}）。如非本人操作，请立即联系客服。',
  ).filter(([, channel]) => channel !== 'PUSH'),
  ...en(
    'account.security_changed',
    'A security setting of your account changed',
    'Hello,\n\nAt {{at}}, {{change}} {{detail}}\nFrom address: {{ip}}\n\nIf this was not you, contact our support and change your password now.',
    'Security notice: {{change}} {{detail}} ({{at}}). Not you? Contact support now.',
  ).filter(([, channel]) => channel !== 'PUSH'),
];
