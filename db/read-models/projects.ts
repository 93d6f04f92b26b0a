/**
 * The national register of projects as operators read it (docs/projects.md), one query per view:
 * - `registerEntriesNeedingAttention`: the live entries whose banks declared different figures with no
 *   decision, or whose loans (every bank's) exceed the registered investment (the decided one, else the
 *   smallest declared), in id order from a cursor — with what each bank declared and lent;
 * - `registerEntryLoans`: one entry's every loan, with its bank, its project as the bank records it, and
 *   the entry's spellings.
 * The state of each entry is computed again from the rows by domain/projects/register.ts `entryState`; the
 * filter here is its SQL mirror.
 */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

export type RegisterEntrySummary = {
  id: string;
  creditCode: string;
  name: string;
  province: string;
  decided: { totalInvestmentFen: bigint; annualReductionCentitonnes: bigint; at: Date; reason: string | null } | null;
  banks: number;
  fundedFen: bigint;
  /** each distinct declaration (total investment, annual reduction) */
  declared: { totalInvestmentFen: bigint; annualReductionCentitonnes: bigint }[];
};

type SummaryRow = {
  id: string;
  credit_code: string;
  name: string;
  province: string;
  decided_t: string | null;
  decided_r: string | null;
  decided_at: string | Date | null;
  decision_reason: string | null;
  banks: number;
  funded: string;
  declared: string[] | string;
};

const summaryOf = (r: SummaryRow): RegisterEntrySummary => {
  const declared = (
    Array.isArray(r.declared)
      ? r.declared
      : String(r.declared)
          .replace(/^\{|\}$/g, '')
          .split(',')
  )
    .filter(Boolean)
    .map((d) => {
      const [t, c] = d.replace(/"/g, '').split('/');
      return { totalInvestmentFen: BigInt(t), annualReductionCentitonnes: BigInt(c) };
    });
  return {
    id: r.id,
    creditCode: r.credit_code,
    name: r.name,
    province: r.province,
    decided:
      r.decided_t !== null && r.decided_r !== null && r.decided_at !== null
        ? {
            totalInvestmentFen: BigInt(r.decided_t),
            annualReductionCentitonnes: BigInt(r.decided_r),
            at: new Date(r.decided_at),
            reason: r.decision_reason,
          }
        : null,
    banks: Number(r.banks),
    fundedFen: BigInt(r.funded),
    declared,
  };
};

const SUMMARY = (where: ReturnType<typeof sql>) => sql`
  with per as (
    select l.register_id, count(distinct l.institution_id)::int as banks, sum(l.principal_fen) as funded,
      min(p.total_investment_fen) as min_t,
      count(distinct (p.total_investment_fen, p.annual_reduction_centitonnes))::int as figures,
      array_agg(distinct p.total_investment_fen::text || '/' || p.annual_reduction_centitonnes::text) as declared
    from loans l join projects p on p.id = l.project_id
    where l.register_id is not null
    group by l.register_id
  )
  select r.id::text as id, r.credit_code, r.name, r.province, r.decided_total_investment_fen::text as decided_t,
    r.decided_annual_reduction_centitonnes::text as decided_r, r.decided_at, r.decision_reason,
    per.banks, per.funded::text as funded, per.declared
  from project_register r join per on per.register_id = r.id
  where r.merged_into is null and ${where}`;

/**
 * The entries over-funded or in conflict (with `creditCode`: every entry of that borrower, to find the
 * spellings to link), in id order after `after`; reads `limit + 1`.
 */
export async function registerEntriesNeedingAttention(
  db: Db | Tx,
  page: { limit: number; after: string | null; creditCode?: string },
): Promise<RegisterEntrySummary[]> {
  const after = page.after ? sql`and r.id > ${page.after}::uuid` : sql``;
  const which = page.creditCode
    ? sql`r.credit_code = ${page.creditCode}`
    : sql`((r.decided_at is null and per.figures > 1) or per.funded > coalesce(r.decided_total_investment_fen, per.min_t))`;
  const rows = rowsOf<SummaryRow>(
    await db.execute(sql`${SUMMARY(sql`${which} ${after}`)}
      order by r.id limit ${page.limit + 1}`),
  );
  return rows.map(summaryOf);
}

/** One entry's summary (null when unknown, or when it names no loan). */
export async function registerEntrySummary(db: Db | Tx, id: string): Promise<RegisterEntrySummary | null> {
  const [row] = rowsOf<SummaryRow>(await db.execute(SUMMARY(sql`r.id = ${id}::uuid`)));
  return row ? summaryOf(row) : null;
}

export type RegisterLoanRow = {
  loanId: string;
  loanRef: string;
  institutionCode: string;
  nameZh: string;
  nameEn: string;
  creditCode: string;
  projectRef: string;
  projectName: string;
  province: string;
  principalFen: bigint;
  disbursedOn: string;
  totalInvestmentFen: bigint;
  annualReductionCentitonnes: bigint;
};

/** Every loan of the entry, by bank code and loan reference. */
export async function registerEntryLoans(db: Db | Tx, id: string): Promise<RegisterLoanRow[]> {
  const rows = rowsOf<Record<string, string>>(
    await db.execute(sql`
    select l.id::text as loan_id, l.loan_ref, i.code, i.name_zh, i.name_en, l.borrower_credit_code, p.ref, p.name, p.province,
      l.principal_fen::text as principal, l.disbursed_on::text as disbursed_on, p.total_investment_fen::text as t,
      p.annual_reduction_centitonnes::text as r
    from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id
    where l.register_id = ${id}::uuid
    order by i.code, l.loan_ref`),
  );
  return rows.map((r) => ({
    loanId: r.loan_id,
    loanRef: r.loan_ref,
    institutionCode: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    creditCode: r.borrower_credit_code,
    projectRef: r.ref,
    projectName: r.name,
    province: r.province,
    principalFen: BigInt(r.principal),
    disbursedOn: r.disbursed_on,
    totalInvestmentFen: BigInt(r.t),
    annualReductionCentitonnes: BigInt(r.r),
  }));
}
