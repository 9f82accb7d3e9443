import type { Category } from './policy';
import { invalid } from './support-error';

export interface IsoWeek {
  year: number;
  week: number;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** Weeks in an ISO year: 53 when it starts on a Thursday (or Wednesday in a leap year). */
export function weeksInIsoYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

export function parseIsoWeek(v: string): IsoWeek {
  const m = WEEK_RE.exec(v);
  const year = m ? Number(m[1]) : 0;
  const week = m ? Number(m[2]) : 0;
  if (!m || year < 2000 || week < 1 || week > weeksInIsoYear(year))
    throw invalid('WEEK_INVALID', `week must be an ISO week such as 2026-W48, not '${v}'`, 'week');
  return { year, week };
}

export const formatIsoWeek = (w: IsoWeek) => `${w.year}-W${String(w.week).padStart(2, '0')}`;

/** The ISO week of a calendar date (UTC fields of `d` are the date). */
function isoWeekOfDate(y: number, m: number, d: number): IsoWeek {
  const date = new Date(Date.UTC(y, m - 1, d));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day); // the week's Thursday decides its year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { year, week };
}

/** The ISO week an instant falls in, in the shop's time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isoWeekOf(at: Date, timeZone: string): IsoWeek {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return isoWeekOfDate(get('year'), get('month'), get('day'));
}

/**
 * A UTC range surely covering the week in any time zone (±14 h, a day of margin each side);
 * callers keep what `isoWeekOf` puts in the week.
 */
export function weekSearchRange(w: IsoWeek): { from: Date; to: Date } {
  const jan4 = new Date(Date.UTC(w.year, 0, 4));
  const monday =
    Date.UTC(w.year, 0, 4 - ((jan4.getUTCDay() || 7) - 1)) + (w.week - 1) * 7 * 86_400_000;
  return { from: new Date(monday - 86_400_000), to: new Date(monday + 8 * 86_400_000) };
}

export interface ComplaintFacts {
  category: Category;
  skuId: string;
  warehouseCodes: string[];
  openedAt: Date;
}

export interface InsightRow {
  category: Category;
  skuId: string;
  warehouseCode: string;
  tickets: number;
}

/**
 * Complaints of one week by (category, SKU or "", warehouse or ""): a ticket whose order shipped
 * from two warehouses counts once in each. Rows by tickets, most first, then by the keys.
 */
export function aggregateInsights(
  complaints: readonly ComplaintFacts[],
  week: IsoWeek,
  timeZone: string,
): InsightRow[] {
  const rows = new Map<string, InsightRow>();
  for (const c of complaints) {
    const w = isoWeekOf(c.openedAt, timeZone);
    if (w.year !== week.year || w.week !== week.week) continue;
    const warehouses = c.warehouseCodes.length ? [...new Set(c.warehouseCodes)] : [''];
    for (const warehouseCode of warehouses) {
      const key = JSON.stringify([c.category, c.skuId, warehouseCode]);
      const row = rows.get(key) ?? {
        category: c.category,
        skuId: c.skuId,
        warehouseCode,
        tickets: 0,
      };
      row.tickets++;
      rows.set(key, row);
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows.values()].sort(
    (a, b) =>
      b.tickets - a.tickets ||
      cmp(a.category, b.category) ||
      cmp(a.skuId, b.skuId) ||
      cmp(a.warehouseCode, b.warehouseCode),
  );
}

/** RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function insightsCsv(rows: readonly InsightRow[]): string {
  const lines = [
    'category,sku_id,warehouse_code,tickets',
    ...rows.map((r) => [r.category, r.skuId, r.warehouseCode, r.tickets].map(csvField).join(',')),
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}
