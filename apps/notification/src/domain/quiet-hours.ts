/**
 * Quiet hours: a daily window "HH:MM"-"HH:MM" in an IANA time zone, which may wrap midnight
 * (22:00-08:00). Plain arithmetic over `Intl` (no I/O): the local wall time of an instant, and
 * the instant a local wall time names.
 */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

const HM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of "HH:MM", or undefined when malformed. */
export function parseHm(v: string): number | undefined {
  const m = HM.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function isValidTimeZone(tz: string): boolean {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of `at` in `timeZone`. */
export function wallTime(at: Date, timeZone: string): WallTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** How far `timeZone`'s clock is ahead of UTC at `at`, in ms. */
function offsetMs(at: Date, timeZone: string): number {
  const w = wallTime(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant whose wall time in `timeZone` is the given one (day may overflow: next month). */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  let at = guess - offsetMs(new Date(guess), timeZone);
  // across a DST change the offset at the result may differ from the one at the guess
  at = guess - offsetMs(new Date(at), timeZone);
  return new Date(at);
}

/**
 * When `at` falls inside the quiet hours, the instant they end; otherwise null (also when the
 * window is empty: start = end).
 */
export function quietHoursEnd(at: Date, q: QuietHours): Date | null {
  const s = parseHm(q.start);
  const e = parseHm(q.end);
  if (s === undefined || e === undefined || s === e) return null;
  const w = wallTime(at, q.timeZone);
  const now = w.hour * 60 + w.minute + w.second / 60;
  const endOn = (dayOffset: number) =>
    zonedInstant(q.timeZone, w.year, w.month, w.day + dayOffset, e);
  if (s < e) return now >= s && now < e ? endOn(0) : null;
  // wraps midnight: the evening part ends tomorrow, the morning part today
  if (now >= s) return endOn(1);
  if (now < e) return endOn(0);
  return null;
}

/** "2030-03-04 09:00" in `timeZone`. */
export function formatWallTime(at: Date, timeZone: string): string {
  const w = wallTime(at, timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}
