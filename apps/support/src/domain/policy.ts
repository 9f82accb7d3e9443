import { invalid } from './support-error';

/** What a ticket is about; PRODUCT_QUALITY, LOGISTICS_DELAY and RETURN_REFUND are complaints. */
export const CATEGORIES = [
  'PRODUCT_QUALITY',
  'LOGISTICS_DELAY',
  'RETURN_REFUND',
  'ACCOUNT',
  'OTHER',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const QUEUES = ['general', 'senior'] as const;
export type Queue = (typeof QUEUES)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** The categories the weekly insight export counts as complaints. */
export const COMPLAINT_CATEGORIES: readonly Category[] = [
  'PRODUCT_QUALITY',
  'LOGISTICS_DELAY',
  'RETURN_REFUND',
];

/** Priority by category, before the tier's boost (data: change the table, not the code). */
export const CATEGORY_PRIORITY: Readonly<Record<Category, Priority>> = {
  PRODUCT_QUALITY: 'P2',
  RETURN_REFUND: 'P2',
  LOGISTICS_DELAY: 'P3',
  ACCOUNT: 'P3',
  OTHER: 'P4',
};

/**
 * Levels more urgent by membership tier (user's tier codes: MEMBER, SILVER, GOLD, PLATINUM);
 * a tier not listed (or no tier: user unavailable) gets no boost.
 */
export const TIER_BOOST: Readonly<Record<string, number>> = { GOLD: 1, PLATINUM: 1 };

/** Categories that skip the bot and go straight to a person (hand-off reason CATEGORY). */
export const STRAIGHT_TO_PERSON: readonly Category[] = ['PRODUCT_QUALITY'];

export function priorityOf(
  category: Category,
  tierCode: string,
  boosts: Readonly<Record<string, number>> = TIER_BOOST,
): Priority {
  const base = PRIORITIES.indexOf(CATEGORY_PRIORITY[category]);
  const boost = Math.max(0, Math.floor(boosts[tierCode] ?? 0));
  return PRIORITIES[Math.max(0, base - boost)];
}

export interface SlaTarget {
  priority: Priority;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

/** Defaults (the migration seeds them; operators replace them with SetSlaTargets). */
export const DEFAULT_SLA_TARGETS: readonly SlaTarget[] = [
  { priority: 'P1', firstResponseMinutes: 15, resolutionMinutes: 4 * 60 },
  { priority: 'P2', firstResponseMinutes: 60, resolutionMinutes: 24 * 60 },
  { priority: 'P3', firstResponseMinutes: 4 * 60, resolutionMinutes: 48 * 60 },
  { priority: 'P4', firstResponseMinutes: 8 * 60, resolutionMinutes: 72 * 60 },
];

const MAX_SLA_MINUTES = 30 * 24 * 60;

/**
 * A full table: each priority exactly once, 1 minute ≤ first response ≤ resolution ≤ 30 days,
 * and a more urgent priority never slower than a less urgent one.
 */
export function validateSlaTargets(targets: readonly SlaTarget[]): SlaTarget[] {
  const bad = (m: string) => invalid('SLA_TARGETS_INVALID', m, 'targets');
  const byPriority = new Map<string, SlaTarget>();
  for (const t of targets) {
    if (!(PRIORITIES as readonly string[]).includes(t.priority))
      throw bad(`unknown priority '${t.priority}' (P1..P4)`);
    if (byPriority.has(t.priority)) throw bad(`${t.priority} is given twice`);
    const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SLA_MINUTES;
    if (!ok(t.firstResponseMinutes) || !ok(t.resolutionMinutes))
      throw bad(`${t.priority}: minutes must be whole numbers in 1..${MAX_SLA_MINUTES}`);
    if (t.firstResponseMinutes > t.resolutionMinutes)
      throw bad(`${t.priority}: the first response cannot be due after the resolution`);
    byPriority.set(t.priority, t);
  }
  const missing = PRIORITIES.filter((p) => !byPriority.has(p));
  if (missing.length) throw bad(`every priority needs a target; missing ${missing.join(', ')}`);
  const table = PRIORITIES.map((p) => byPriority.get(p)!);
  for (let i = 1; i < table.length; i++) {
    const [a, b] = [table[i - 1], table[i]];
    if (
      a.firstResponseMinutes > b.firstResponseMinutes ||
      a.resolutionMinutes > b.resolutionMinutes
    )
      throw bad(`${a.priority} cannot have longer targets than ${b.priority}`);
  }
  return table;
}

export function parseCategory(v: string, field = 'category'): Category {
  if (!(CATEGORIES as readonly string[]).includes(v))
    throw invalid('CATEGORY_INVALID', `${field} must be one of ${CATEGORIES.join(', ')}`, field);
  return v as Category;
}

export function parseQueue(v: string, field = 'queue'): Queue {
  if (!(QUEUES as readonly string[]).includes(v))
    throw invalid('QUEUE_INVALID', `${field} must be general or senior`, field);
  return v as Queue;
}

export function parseLocale(v: string, field = 'locale'): Locale {
  if (!v) return 'zh-CN';
  if (!(LOCALES as readonly string[]).includes(v))
    throw invalid('LOCALE_INVALID', `${field} must be zh-CN or en`, field);
  return v as Locale;
}
