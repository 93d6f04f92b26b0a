/**
 * A loan's support status in one SQL expression over the loan row `loans`: the live application that
 * lists it (approved, disbursed or submitted; a rejection clears the link), that application's operation,
 * and its latest tranche with the tranche's status on a date (`statusOnSql`). Read by the loan list of the
 * API and of the bank's pages; `covered` (approved or disbursed) is the rule of
 * domain/disclosures/covered-by-approved-support.ts, which the presenter applies to `applicationStatus`.
 */
import { sql } from 'drizzle-orm';
import { loans } from '../schema/index.js';
import { statusOnSql } from './refinancing/status-on.js';

export type LoanSupport = {
  applicationId: string;
  applicationStatus: string;
  operation: string;
  facilityId: string | null;
  facilityStatus: string | null;
  facilityMaturesOn: string | null;
};

/** The loan's support on `on` (a date, `YYYY-MM-DD`), or null when no live application lists it. */
export const loanSupportOn = (on: string) => sql<LoanSupport | null>`(
  select json_build_object(
    'applicationId', a.id, 'applicationStatus', a.status, 'operation', o.quarter,
    'facilityId', f.id, 'facilityStatus', ${statusOnSql({ status: sql`f.status`, maturesOn: sql`f.matures_on`, outstandingFen: sql`f.outstanding_fen` }, sql`${on}::date`)},
    'facilityMaturesOn', f.matures_on)
  from application_loans al
  join applications a on a.id = al.application_id
  join operations o on o.id = a.operation_id
  left join lateral (
    select id, status, matures_on, outstanding_fen from facilities where application_id = a.id order by start_on desc, created_at desc limit 1
  ) f on true
  where al.loan_id = ${loans.id} and al.active = 1 and a.status <> 'rejected'
  order by a.created_at desc
  limit 1)`;
