/**
 * What the checks before submission read: a version's frozen loans (with the LPR each was compared
 * with and the area of its sub-area), the bank's earlier compiled quarters (the new loans of each, as
 * its latest version froze them, and the project facts it froze), and how many institutions of the
 * facility had loans by the quarter's end.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import type { CheckLoan, EarlierProjectFacts, QuarterTotals } from '../../domain/disclosures/checks.js';
import { subAreaAnyVersion } from '../../domain/policy/index.js';
import { quarterBounds, type Quarter } from '../../domain/dates.js';

type Rows<T> = { rows: T[] };
const big = (v: string | null) => (v === null ? null : BigInt(v));

export async function checkLoansOf(db: Tx, versionId: string): Promise<CheckLoan[]> {
  const result = (await db.execute(sql`
    select dl.loan_ref, dl.principal_fen::text as principal, dl.rate_ppm::text as rate, l.lpr_ppm::text as lpr,
      dl.disbursed_on::text as disbursed_on, dl.attributed_centitonnes::text as attributed, dl.project_ref,
      dl.project_reduction_centitonnes::text as project_reduction,
      dl.project_total_investment_fen::text as project_investment, dl.sub_area, dl.borrower_credit_code, dl.project_name
    from disclosure_loans dl join loans l on l.id = dl.loan_id
    where dl.version_id = ${versionId}::uuid
    order by dl.loan_ref`)) as unknown as Rows<{
    loan_ref: string;
    principal: string;
    rate: string;
    lpr: string;
    disbursed_on: string;
    attributed: string;
    project_ref: string;
    project_reduction: string | null;
    project_investment: string | null;
    sub_area: string;
    borrower_credit_code: string | null;
    project_name: string | null;
  }>;
  return result.rows.map((r) => ({
    loanRef: r.loan_ref,
    principalFen: BigInt(r.principal),
    ratePpm: BigInt(r.rate),
    lprPpm: BigInt(r.lpr),
    disbursedOn: r.disbursed_on,
    attributedCentitonnes: BigInt(r.attributed),
    projectRef: r.project_ref,
    projectReductionCentitonnes: big(r.project_reduction),
    projectTotalInvestmentFen: big(r.project_investment),
    subArea: r.sub_area,
    area: subAreaAnyVersion(r.sub_area)?.area ?? r.sub_area,
    borrowerCreditCode: r.borrower_credit_code,
    projectName: r.project_name,
  }));
}

/** An earlier quarter of the bank and its latest version's frozen set (null: none). */
export type EarlierQuarter = { quarter: string; key: string | null };

/** The latest version of each of the bank's quarters before `quarter` (its quarter and its set's key), newest first. */
export async function earlierQuartersOf(db: Tx, institutionId: string, quarter: string): Promise<EarlierQuarter[]> {
  const result = (await db.execute(sql`
    select distinct on (v.quarter) v.quarter, v.loan_set_key as key
    from disclosure_versions v
    where v.institution_id = ${institutionId}::uuid and v.quarter < ${quarter}
    order by v.quarter desc, v.version desc`)) as unknown as Rows<EarlierQuarter>;
  return result.rows;
}

/**
 * What the checks read of a frozen set, kept in memory by the set's key: a set never changes once stored
 * (db/sql/frozen-loan-sets.ts), so neither does anything read from it. A bank's quarters each read every
 * earlier quarter's set; without this, each check unnested them all again (O(the bank's whole history) per
 * check, four or five checks per disclosure). Bounded by the entries kept; the oldest read go first.
 */
class SetMemo<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private weight = 0;
  constructor(private readonly maxWeight: number) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }
  set(key: string, value: V, weight: number) {
    const old = this.entries.get(key);
    if (old) this.weight -= old.weight;
    this.entries.delete(key);
    this.entries.set(key, { value, weight });
    this.weight += weight;
    for (const [k, e] of this.entries) {
      if (this.weight <= this.maxWeight || k === key) break;
      this.entries.delete(k);
      this.weight -= e.weight;
    }
  }
}

type QuarterSums = { principalFen: bigint; attributedCentitonnes: bigint };
/** `<set key>/<quarter>` → the sums of the set's loans disbursed in the quarter */
const quarterSumsMemo = new SetMemo<QuarterSums>(100_000);
type SetFacts = Omit<EarlierProjectFacts, 'quarter'>;
/** set key → its projects' distinct frozen facts */
const projectFactsMemo = new SetMemo<SetFacts[]>(200_000);

/** The bank's earlier compiled quarters (`earlierQuartersOf`), newest first, at most `limit`: the loans each one's latest version counted that were disbursed in it. */
export async function quarterHistoryOf(db: Tx, earlier: readonly EarlierQuarter[], limit = 4): Promise<QuarterTotals[]> {
  const latest = earlier.slice(0, limit);
  const sums = new Map<string, QuarterSums>();
  const missing: { quarter: string; key: string }[] = [];
  for (const l of latest) {
    if (!l.key) continue;
    const hit = quarterSumsMemo.get(`${l.key}/${l.quarter}`);
    if (hit) sums.set(`${l.key}/${l.quarter}`, hit);
    else missing.push({ quarter: l.quarter, key: l.key });
  }
  if (missing.length) {
    const bounds = missing.map((m) => quarterBounds(m.quarter as Quarter));
    const result = (await db.execute(sql`
      select s.key, s.quarter, coalesce(sum(f.principal_fen), 0)::text as principal, coalesce(sum(f.attributed_centitonnes), 0)::text as attributed
      from unnest(${sql.param(missing.map((m) => m.key))}::text[], ${sql.param(missing.map((m) => m.quarter))}::text[],
        ${sql.param(bounds.map((b) => b.start))}::date[], ${sql.param(bounds.map((b) => b.end))}::date[]) as s(key, quarter, starts, ends)
      left join lateral (select * from frozen_loans_of_set(s.key) f where f.disbursed_on between s.starts and s.ends) f on true
      group by s.key, s.quarter`)) as unknown as Rows<{ key: string; quarter: string; principal: string; attributed: string }>;
    for (const r of result.rows) {
      const value = { principalFen: BigInt(r.principal), attributedCentitonnes: BigInt(r.attributed) };
      sums.set(`${r.key}/${r.quarter}`, value);
      quarterSumsMemo.set(`${r.key}/${r.quarter}`, value, 1);
    }
  }
  return latest.map((l) => {
    const s = l.key ? sums.get(`${l.key}/${l.quarter}`) : undefined;
    return { quarter: l.quarter, principalFen: s?.principalFen ?? 0n, attributedCentitonnes: s?.attributedCentitonnes ?? 0n };
  });
}

/** The project facts the bank's earlier quarters (`earlierQuartersOf`) froze (one row per quarter, project and facts), by quarter and project. */
export async function earlierProjectFactsOf(db: Tx, earlier: readonly EarlierQuarter[]): Promise<EarlierProjectFacts[]> {
  const latest = [...earlier].reverse();
  const facts = new Map<string, SetFacts[]>();
  for (const l of latest) {
    const hit = l.key ? projectFactsMemo.get(l.key) : undefined;
    if (hit) facts.set(l.key!, hit);
  }
  const keys = [...new Set(latest.map((l) => l.key).filter((k): k is string => k !== null && !facts.has(k)))];
  if (keys.length) {
    const result = (await db.execute(sql`
      select distinct s.key, f.project_ref, f.borrower_credit_code, f.project_name,
        f.project_total_investment_fen::text as investment, f.project_reduction_centitonnes::text as reduction
      from unnest(${sql.param(keys)}::text[]) as s(key) cross join lateral frozen_loans_of_set(s.key) f`)) as unknown as Rows<{
      key: string;
      project_ref: string;
      borrower_credit_code: string | null;
      project_name: string | null;
      investment: string | null;
      reduction: string | null;
    }>;
    for (const k of keys) facts.set(k, []);
    for (const r of result.rows)
      facts.get(r.key)!.push({
        projectRef: r.project_ref,
        borrowerCreditCode: r.borrower_credit_code,
        projectName: r.project_name,
        totalInvestmentFen: big(r.investment),
        reductionCentitonnes: big(r.reduction),
      });
    const order = (a: SetFacts, b: SetFacts) => compare(a.projectRef, b.projectRef) || compare(factsText(a), factsText(b));
    for (const k of keys) projectFactsMemo.set(k, facts.get(k)!.sort(order), facts.get(k)!.length + 1);
  }
  return latest.flatMap((l) => (l.key ? facts.get(l.key)!.map((f) => ({ quarter: l.quarter, ...f })) : []));
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const factsText = (f: SetFacts) => `${f.totalInvestmentFen}/${f.reductionCentitonnes}/${f.borrowerCreditCode}/${f.projectName}`;

/** How many institutions had loans disbursed on or before `on` (one probe of each institution's loans by date). */
export async function institutionsWithLoansOn(db: Tx, on: string): Promise<number> {
  const result = (await db.execute(
    sql`select count(*)::int as n from institutions i
      where exists (select 1 from loans l where l.institution_id = i.id and l.disbursed_on <= ${on}::date)`,
  )) as unknown as Rows<{ n: number }>;
  return Number(result.rows[0]?.n ?? 0);
}

/** The latest version of every bank's disclosure of a quarter, with the bank's code and names, by code. */
export async function latestVersionsOfQuarter(
  db: Tx,
  quarter: string,
): Promise<
  { id: string; institutionId: string; quarter: string; version: number; status: string; code: string; nameZh: string; nameEn: string }[]
> {
  const result = (await db.execute(sql`
    select * from (
      select distinct on (v.institution_id) v.id, v.institution_id, v.quarter, v.version, v.status, i.code, i.name_zh, i.name_en
      from disclosure_versions v join institutions i on i.id = v.institution_id
      where v.quarter = ${quarter}
      order by v.institution_id, v.version desc
    ) latest order by code`)) as unknown as Rows<{
    id: string;
    institution_id: string;
    quarter: string;
    version: number;
    status: string;
    code: string;
    name_zh: string;
    name_en: string;
  }>;
  return result.rows.map((r) => ({
    id: r.id,
    institutionId: r.institution_id,
    quarter: r.quarter,
    version: Number(r.version),
    status: r.status,
    code: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
  }));
}
