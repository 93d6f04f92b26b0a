/**
 * Calendar dates as 'YYYY-MM-DD' strings (Asia/Shanghai calendar days). Arithmetic goes through UTC
 * midnight so no host time zone can shift a day. Quarters are 'YYYYQn'.
 */
export type IsoDate = string;
export type Quarter = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const QUARTER = /^(\d{4})Q([1-4])$/;
const DAY_MS = 86_400_000;

const knownDates = new Map<string, boolean>();

export function isIsoDate(text: string): boolean {
  const known = knownDates.get(text);
  if (known !== undefined) return known;
  const m = ISO_DATE.exec(text);
  let valid = false;
  if (m) {
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    valid = d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }
  if (knownDates.size > 50_000) knownDates.clear();
  if (text.length === 10) knownDates.set(text, valid);
  return valid;
}

function toUtc(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not an ISO date: ${date}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3]);
}

function fromUtc(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Same day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y + years, m - 1, 1));
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return fromUtc(target.getTime());
}

/** Same day `months` later; a day the target month lacks becomes its last day (31 January + 1 month = 28 or 29 February). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return fromUtc(target.getTime());
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** Whole months from `from` to `to`, counting a month only once its day is reached. */
export function monthsBetween(from: IsoDate, to: IsoDate): number {
  const [y1, m1, d1] = from.split('-').map(Number);
  const [y2, m2, d2] = to.split('-').map(Number);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (d2 < d1) months -= 1;
  return months;
}

export function isQuarter(text: string): boolean {
  return QUARTER.test(text);
}

export function quarterOf(date: IsoDate): Quarter {
  const [y, m] = date.split('-').map(Number);
  return `${y}Q${Math.floor((m - 1) / 3) + 1}`;
}

export function quarterBounds(quarter: Quarter): { start: IsoDate; end: IsoDate; year: number; q: number } {
  const m = QUARTER.exec(quarter);
  if (!m) throw new Error(`not a quarter: ${quarter}`);
  const year = +m[1];
  const q = +m[2];
  const startMonth = (q - 1) * 3;
  const start = fromUtc(Date.UTC(year, startMonth, 1));
  const end = fromUtc(Date.UTC(year, startMonth + 3, 0));
  return { start, end, year, q };
}

/** The 'YYYY-MM-DD' calendar date in Asia/Shanghai (UTC+8, no daylight saving) at instant `now`. */
export function shanghaiDate(now: Date): IsoDate {
  return fromUtc(now.getTime() + 8 * 3_600_000);
}

export const maxDate = (a: IsoDate, b: IsoDate) => (a > b ? a : b);
export const minDate = (a: IsoDate, b: IsoDate) => (a < b ? a : b);
