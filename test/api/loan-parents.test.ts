/**
 * A loan's project and register entry exist, checked per statement rather than by foreign keys (migration
 * 0038): a statement naming a missing parent is refused whole with SQLSTATE 23503, and a project or an entry
 * is never deleted, truncated or given another id.
 */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let loan: { id: string; project_id: string; register_id: string; institution_id: string };
const MISSING = '00000000-0000-4000-8000-000000000000';

/** The SQLSTATE of a failed statement (the driver's error, or the one Drizzle wraps). */
async function sqlState(statement: Promise<unknown>): Promise<string | undefined> {
  try {
    await statement;
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    return e.code ?? e.cause?.code;
  }
  return undefined;
}

const rows = async <T>(query: ReturnType<typeof sql>) => (await t.database.db.execute(query)) as unknown as { rows: T[] };

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  const bank = await createInstitution(t);
  const res = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).send(loanRequest());
  expect(res.status).toBe(201);
  [loan] = (
    await rows<typeof loan>(
      sql`select id::text, project_id::text, register_id::text, institution_id::text from loans where id = ${res.body.id}::uuid`,
    )
  ).rows;
});
afterAll(async () => t.close());

const copyOf = (projectId: string, registerId: string | null) => sql`
  insert into loans (institution_id, loan_ref, project_id, register_id, borrower_name, borrower_credit_code, principal_fen,
    outstanding_fen, rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm,
    within_lpr_band, eligibility, content_sha256, changed_by)
  select institution_id, loan_ref || '-copy', ${projectId}::uuid, ${registerId}::uuid, borrower_name, borrower_credit_code,
    principal_fen, outstanding_fen, rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month,
    lpr_ppm, within_lpr_band, eligibility, content_sha256, changed_by
  from loans where id = ${loan.id}::uuid`;

describe("a loan's project and register entry", () => {
  it('when a loan is written naming a project or a register entry that does not exist, then the statement is refused (23503) and nothing is written', async () => {
    expect(await sqlState(t.database.db.execute(copyOf(MISSING, loan.register_id)))).toBe('23503');
    expect(await sqlState(t.database.db.execute(copyOf(loan.project_id, MISSING)))).toBe('23503');
    const { rows: copies } = await rows<{ n: number }>(sql`select count(*)::int as n from loans where loan_ref like '%-copy'`);
    expect(copies[0].n).toBe(0);
    // the same loan naming parents that exist is written
    expect(await sqlState(t.database.db.execute(copyOf(loan.project_id, null)))).toBeUndefined();
  });

  it('when a loan is moved to a project or an entry that does not exist, then the update is refused (23503)', async () => {
    expect(await sqlState(t.database.db.execute(sql`update loans set project_id = ${MISSING}::uuid where id = ${loan.id}::uuid`))).toBe(
      '23503',
    );
    expect(await sqlState(t.database.db.execute(sql`update loans set register_id = ${MISSING}::uuid where id = ${loan.id}::uuid`))).toBe(
      '23503',
    );
  });

  it('when a project or a register entry is deleted, truncated or given another id, then it is refused and stays', async () => {
    expect(await sqlState(t.database.db.execute(sql`delete from projects where id = ${loan.project_id}::uuid`))).toBe('23503');
    expect(await sqlState(t.database.db.execute(sql`delete from project_register where id = ${loan.register_id}::uuid`))).toBe('23503');
    expect(await sqlState(t.database.db.execute(sql`truncate project_register cascade`))).toBe('23503');
    expect(await sqlState(t.database.db.execute(sql`update projects set id = gen_random_uuid() where id = ${loan.project_id}::uuid`))).toBe(
      '23503',
    );
    const { rows: left } = await rows<{ n: number }>(
      sql`select (select count(*) from projects where id = ${loan.project_id}::uuid)::int
        + (select count(*) from project_register where id = ${loan.register_id}::uuid)::int as n`,
    );
    expect(left[0].n).toBe(2);
  });
});
