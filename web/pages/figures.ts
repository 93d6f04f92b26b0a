/**
 * Figures as people read them, with `Intl.NumberFormat` over the exact decimal strings (never through
 * a float): thousands separators; on pages, a loan amount of 1 亿元 or more in 亿元 ("29.33 亿元"), less
 * in 万元 ("1,234.56 万元"); in English "CNY 2.93 billion", "CNY 12.35 million". The downloads keep the
 * published strings; the exact value stays in each element's `data-value`/`title`.
 */
import { html, type Html } from './html.js';
import type { Lang } from './i18n.js';

const LOCALE: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };
const cache = new Map<string, Intl.NumberFormat>();
function formatter(lang: Lang, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${lang}/${key}`;
  let f = cache.get(id);
  if (!f) cache.set(id, (f = new Intl.NumberFormat(LOCALE[lang], options)));
  return f;
}
/** Intl formats a decimal string exactly (ES2023 Intl.NumberFormat v3); the type still says number. */
const fmt = (f: Intl.NumberFormat, value: string) => f.format(value as unknown as number);

/** A decimal string moved `places` to the left (÷ 10^places; negative: × 10^-places), exactly. */
export function shiftLeft(value: string, places: number): string {
  const negative = value.startsWith('-');
  const [int, frac = ''] = (negative ? value.slice(1) : value).split('.');
  let digits = int + frac;
  let point = int.length - places;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(point);
  const out = rest ? `${whole}.${rest}` : whole;
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

const isDecimal = (v: string | null | undefined): v is string => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);

/** A plain decimal with separators, keeping `decimals` places (a count: none). */
export function formatDecimal(lang: Lang, value: string | number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  if (!isDecimal(text)) return text;
  return fmt(formatter(lang, `d${decimals}`, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }), text);
}

/** A loan amount given in 万元, as the page shows it (see the file's note). */
export function formatWanYuan(lang: Lang, wan: string | null | undefined): string {
  if (!isDecimal(wan)) return wan ?? '—';
  const abs = wan.replace('-', '');
  if (lang === 'zh') {
    const [int] = abs.split('.');
    if (int.length > 4) return `${formatDecimal('zh', shiftLeft(wan, 4), 2)} 亿元`;
    return `${formatDecimal('zh', wan, 2)} 万元`;
  }
  const yuan = shiftLeft(wan, -4);
  const [int] = abs.split('.');
  // 10,000 万元 = 100 million: billions from 100,000 万元, millions from 100 万元
  if (int.length >= 6)
    return `CNY ${fmt(formatter('en', 'b', { maximumFractionDigits: 2, minimumFractionDigits: 2 }), shiftLeft(wan, 5))} billion`;
  if (int.length >= 3)
    return `CNY ${fmt(formatter('en', 'm', { maximumFractionDigits: 2, minimumFractionDigits: 2 }), shiftLeft(wan, 2))} million`;
  return `CNY ${formatDecimal('en', yuan, 2)}`;
}

/** Tonnes of CO2e with separators and the unit. */
export const formatTonnes = (lang: Lang, tonnes: string | null | undefined) =>
  isDecimal(tonnes) ? `${formatDecimal(lang, tonnes, 2)} ${lang === 'zh' ? '吨' : 't'}` : (tonnes ?? '—');

/** A rate in percent as published (its own decimals), with the sign. */
export const formatRate = (rate: string | null | undefined) => (isDecimal(rate) ? `${rate}%` : '—');

/** A figure in an element that keeps the exact published value for readers and machines. */
export const figure = (shown: string, exact: string | number | null | undefined, unit = ''): Html =>
  exact === null || exact === undefined
    ? html`${shown}`
    : html`<data value="${String(exact)}" title="${String(exact)}${unit ? ` ${unit}` : ''}">${shown}</data>`;

/** An amount in yuan (exact decimal string) as a person reads it, in 万元/亿元, the exact yuan on hover. */
export const yuanFigure = (lang: Lang, yuan: string | null | undefined): Html =>
  isDecimal(yuan) ? figure(formatWanYuan(lang, shiftLeft(yuan, 4)), yuan, lang === 'zh' ? '元' : 'CNY') : html`${yuan ?? '—'}`;

/** An amount in fen (integer string or bigint), shown as `yuanFigure` does. */
export const fenFigure = (lang: Lang, fen: string | bigint | null | undefined): Html =>
  fen === null || fen === undefined ? html`—` : yuanFigure(lang, shiftLeft(String(fen), 2));

/** An instant in Beijing time, labelled ("2026-11-22 12:00 北京时间"). */
export function beijingTime(lang: Lang, at: Date | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  const local = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  return `${local} ${lang === 'zh' ? '北京时间' : 'Beijing time'}`;
}
