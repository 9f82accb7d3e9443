import { parseCategory, parseLocale, type Category, type Locale } from './policy';
import { invalid } from './support-error';

/** The variables a reply template may use. */
export const TEMPLATE_VARIABLES = [
  'order_id',
  'tracking_number',
  'carrier',
  'customer_name',
  'ticket_id',
  'agent_name',
  'return_id',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export interface ReplyTemplate {
  id: string;
  name: string;
  /** Empty: suggested for every category. */
  categories: Category[];
  locale: Locale;
  body: string;
  updatedAt: Date;
  updatedBy: string;
}

const VARIABLE_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The variables a body names, in order of first use. */
export function variablesOf(body: string): string[] {
  const seen = new Set<string>();
  for (const m of body.matchAll(VARIABLE_RE)) seen.add(m[1]);
  return [...seen];
}

/** Checks a template before it is stored: unknown variables are refused by name. */
export function validateTemplate(
  t: Omit<ReplyTemplate, 'updatedAt' | 'updatedBy'>,
): ReplyTemplate['categories'] {
  if (!t.name.trim() || t.name.length > 200)
    throw invalid('TEMPLATE_INVALID', 'name: 1..200 characters', 'template.name');
  if (!t.body.trim() || t.body.length > 5000)
    throw invalid('TEMPLATE_INVALID', 'body: 1..5000 characters', 'template.body');
  parseLocale(t.locale, 'template.locale');
  const unknown = variablesOf(t.body).filter(
    (v) => !(TEMPLATE_VARIABLES as readonly string[]).includes(v),
  );
  if (unknown.length)
    throw invalid(
      'TEMPLATE_INVALID',
      `unknown variables ${unknown.map((v) => `{{${v}}}`).join(', ')} (known: ${TEMPLATE_VARIABLES.join(', ')})`,
      'template.body',
    );
  return [...new Set(t.categories.map((c) => parseCategory(c, 'template.categories')))];
}

/** Fills in the values it has; the others stay as written and are reported missing. */
export function renderTemplate(
  body: string,
  values: Partial<Record<TemplateVariable, string>>,
): { rendered: string; missing: string[] } {
  const missing = new Set<string>();
  const rendered = body.replace(VARIABLE_RE, (whole, name: string) => {
    const v = values[name as TemplateVariable];
    if (v) return v;
    missing.add(name);
    return whole;
  });
  return { rendered, missing: [...missing] };
}

/** Templates suggested for a ticket: its locale, and its category or every category. */
export const suggestedFor = (
  templates: readonly ReplyTemplate[],
  category: Category,
  locale: Locale,
) =>
  templates
    .filter(
      (t) => t.locale === locale && (t.categories.length === 0 || t.categories.includes(category)),
    )
    .sort((a, b) => b.categories.length - a.categories.length || a.name.localeCompare(b.name));
