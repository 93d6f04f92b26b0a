/**
 * SQL mirror of domain/disclosures/shared-projects.ts: `foldedName` folds as `foldName` (one
 * `translate` over the same table), `sharedProjectGroups` groups as `findSharedProjects` and computes
 * what each shared project counts once. test/api/sql-mirrors-shared-projects.test.ts runs both on the
 * same random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';
import { FOLD_FROM, FOLD_TO } from '../../domain/disclosures/shared-projects.js';

/** A project name or province folded for comparison (full-width → ASCII, capitals → small, whitespace dropped). */
export const foldedName = (text: SQL) => sql`translate(${text}, ${FOLD_FROM}::text, ${FOLD_TO}::text)`;

/**
 * One row per shared project and `scope` among the rows of `source`, a relation with the columns
 * scope (text), institution_id, credit_code, project_name, province, project_id, principal_fen,
 * attributed_centitonnes, project_reduction_centitonnes, register_id (null when the loan has no entry in
 * the register): the loans of two or more institutions in one register entry, or, for loans without one,
 * with the same credit code, folded name and folded province. Columns: scope, register_id (or credit_code,
 * name_key, province_key), banks, projects, principal_fen, attributed, reduction, counted_once, not_counted
 * (integers as text). Only the loans without an entry of a borrower that two or more institutions lend to
 * are folded (a shared project needs one): most borrowers borrow from one bank, and folding is the costly part.
 */
export const sharedProjectGroups = (source: SQL) => sql`
  with src as (${source}),
  several as (
    -- distinct first, then count: hashed, where count(distinct …) would sort every loan
    select scope, credit_code from (select distinct scope, credit_code, institution_id from src where register_id is null) d
    group by scope, credit_code having count(*) > 1
  ),
  keyed as (
    select s.*, s.register_id::text as rid, null::text as code, null::text as name_key, null::text as province_key
    from src s where s.register_id is not null
    union all
    select s.*, null::text, s.credit_code, ${foldedName(sql`s.project_name`)}, ${foldedName(sql`s.province`)}
    from src s join several m on m.scope = s.scope and m.credit_code = s.credit_code where s.register_id is null
  )
  select scope, rid as register_id, code as credit_code, name_key, province_key, banks::text, projects::text, principal_fen::text,
    attributed::text, reduction::text, least(attributed, reduction)::text as counted_once,
    (attributed - least(attributed, reduction))::text as not_counted
  from (
    select s.scope, s.rid, s.code, s.name_key, s.province_key,
      count(distinct s.institution_id) as banks, count(distinct s.project_id) as projects, sum(s.principal_fen) as principal_fen,
      sum(s.attributed_centitonnes) as attributed, max(s.project_reduction_centitonnes) as reduction
    from keyed s
    group by s.scope, s.rid, s.code, s.name_key, s.province_key
    having count(distinct s.institution_id) > 1
  ) g`;
