/** Day arithmetic on local dates (YYYY-MM-DD): calendar days, no time zone involved. */
const DAY_MS = 86_400_000;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The W days ending `today`, both ends included. */
export function windowOf(today: string, days: number): { fromDay: string; toDay: string } {
  return { fromDay: addDays(today, -(days - 1)), toDay: today };
}
