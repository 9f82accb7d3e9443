import { invalid } from './notification-error';
import type { Channel, Locale } from './channels';

/** The variables each template key offers, by key (the keys are the event kinds). */
export const TEMPLATE_VARIABLES = {
  'order.paid': ['order_id', 'amount'],
  'order.shipped': ['order_id', 'carrier', 'tracking_number'],
  'order.delivered': ['order_id'],
  'order.refunded': ['order_id', 'amount'],
  'ticket.replied': ['ticket_id'],
  'coupon.expiring': ['code', 'benefit', 'expires_at'],
  'stock.low': ['sku_code', 'product_title', 'warehouse_code', 'available', 'threshold'],
  // security (issue 23): one-time codes by SMS, sign-ins from a new device, security changes
  'auth.sms_code': ['code', 'minutes', 'purpose'],
  'account.new_device': ['device', 'place', 'ip', 'at', 'signed_in_with'],
  'account.security_changed': ['change', 'detail', 'at', 'ip'],
} as const satisfies Record<string, readonly string[]>;

export type TemplateKey = keyof typeof TEMPLATE_VARIABLES;
export const TEMPLATE_KEYS = Object.keys(TEMPLATE_VARIABLES) as TemplateKey[];
export const isTemplateKey = (k: string): k is TemplateKey => k in TEMPLATE_VARIABLES;

export interface Template {
  key: TemplateKey;
  channel: Channel;
  locale: Locale;
  /** E-mail only (push and SMS: empty). */
  subject: string;
  body: string;
  updatedAt: Date;
}

const VAR = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** The variable names a text uses. */
export function variablesOf(text: string): string[] {
  return [...text.matchAll(VAR)].map((m) => m[1]!);
}

export const SMS_MAX = 500;
export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

/**
 * A template as an operator wrote it: every variable one its key offers, no stray braces, a body
 * (and a subject for e-mail) within bounds; otherwise TEMPLATE_INVALID naming the fault.
 */
export function validateTemplate(t: Pick<Template, 'key' | 'channel' | 'subject' | 'body'>): void {
  const allowed: readonly string[] = TEMPLATE_VARIABLES[t.key];
  const fields = t.channel === 'EMAIL' ? (['subject', 'body'] as const) : (['body'] as const);
  if (t.channel !== 'EMAIL' && t.subject)
    throw invalid('TEMPLATE_INVALID', 'only e-mail templates have a subject', 'subject');
  for (const field of fields) {
    const text = t[field];
    const max = field === 'subject' ? SUBJECT_MAX : t.channel === 'SMS' ? SMS_MAX : BODY_MAX;
    if (!text.trim()) throw invalid('TEMPLATE_INVALID', `${field} must not be empty`, field);
    if (text.length > max)
      throw invalid('TEMPLATE_INVALID', `${field} is longer than ${max} characters`, field);
    const unknown = variablesOf(text).filter((v) => !allowed.includes(v));
    if (unknown.length > 0)
      throw invalid(
        'TEMPLATE_INVALID',
        `unknown variables ${unknown.map((v) => `{{${v}}}`).join(', ')}; ${t.key} offers ${allowed.join(', ')}`,
        field,
      );
    if (/\{\{|\}\}/.test(text.replace(VAR, '')))
      throw invalid('TEMPLATE_INVALID', `${field} has an unclosed {{ or a stray }}`, field);
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** `text` with its variables replaced (a missing one renders empty). */
export function renderText(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(VAR, (_m, name: string) => vars[name] ?? '');
}

/**
 * The HTML part of a mail: the template's text and the variables both escaped (a product title
 * or a carrier's name never becomes markup), lines as <br>, paragraphs as <p>.
 */
export function renderHtml(text: string, vars: Readonly<Record<string, string>>): string {
  const escaped = escapeHtml(text).replace(VAR, (_m, name: string) => escapeHtml(vars[name] ?? ''));
  return escaped
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}
