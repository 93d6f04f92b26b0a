/**
 * SQL mirror of `isCoveredByApprovedSupport` (domain/disclosures/covered-by-approved-support.ts): the
 * joins that keep only the loans `l` with an active `application_loans` row (alias `al`) on an
 * application (alias `a`) that is approved or disbursed. A loan has at most one active row (unique
 * index `application_loans_live_loan`), so the joins never repeat a loan. Used by the quarter's
 * compilation and the verifier's sample; test/api/sql-mirrors-disclosures.test.ts checks that both agree.
 */
import { sql } from 'drizzle-orm';
import { SUPPORTING_APPLICATION_STATUSES } from '../../domain/disclosures/covered-by-approved-support.js';

const statuses = SUPPORTING_APPLICATION_STATUSES.map((s) => `'${s}'`).join(',');

export const coveredByApprovedSupport = sql.raw(`join application_loans al on al.loan_id = l.id and al.active = 1
  join applications a on a.id = al.application_id and a.status in (${statuses})`);

/** The statuses of an application whose live rows cover their loans, as an SQL list (`a.status in (…)`). */
export const supportingStatuses = sql.raw(statuses);
