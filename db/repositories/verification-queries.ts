/**
 * Query threads of a verification: a verifier's question on a sampled loan and the bank's answers, kept
 * with the version verified. The stories are app/disclosures/raise-query.ts and answer-query.ts.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { verificationQueries, verificationQueryAnswers } from '../schema/index.js';

export type QueryRow = typeof verificationQueries.$inferSelect;
export type QueryAnswerRow = typeof verificationQueryAnswers.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

export async function insertQuery(tx: Tx, values: typeof verificationQueries.$inferInsert): Promise<QueryRow> {
  const [row] = await tx.insert(verificationQueries).values(values).returning();
  return row;
}

export async function insertQueryAnswer(tx: Tx, values: typeof verificationQueryAnswers.$inferInsert): Promise<QueryAnswerRow> {
  const [row] = await tx.insert(verificationQueryAnswers).values(values).returning();
  return row;
}

/** A query of the version, locked (answers to one query are written one at a time). */
export async function lockQuery(tx: Tx, versionId: string, queryId: string): Promise<QueryRow | null> {
  const [row] = await tx
    .select()
    .from(verificationQueries)
    .where(and(eq(verificationQueries.versionId, versionId), eq(verificationQueries.id, queryId)))
    .orderBy(asc(verificationQueries.createdAt))
    .for('update')
    .limit(1);
  return row ?? null;
}

/** One message of a thread: who (user and institution), when, what. */
export type ThreadMessage = { id: string; by: string; institution: string; at: Date; text: string };

/** A query with its loan and its answers, oldest first. */
export type QueryThread = {
  id: string;
  loanId: string;
  loanRef: string;
  question: ThreadMessage;
  answers: ThreadMessage[];
};

type ThreadRow = {
  id: string;
  loan_id: string;
  loan_ref: string;
  text: string;
  created_at: Date | string;
  raised_by: string;
  raised_by_institution: string;
  answers: { id: string; text: string; at: string; by: string; institution: string }[] | null;
};

/** Every query of a version with its answers (one joined query), oldest first. */
export async function queryThreadsOf(tx: Tx, versionId: string): Promise<QueryThread[]> {
  const rows = rowsOf<ThreadRow>(
    await tx.execute(sql`
    select q.id, q.loan_id, l.loan_ref, q.text, q.created_at, u.name as raised_by, i.code as raised_by_institution,
      (select json_agg(json_build_object('id', a.id, 'text', a.text, 'at', a.created_at, 'by', au.name, 'institution', ai.code)
               order by a.created_at, a.id)
       from verification_query_answers a
       join users au on au.id = a.answered_by
       join institutions ai on ai.id = au.institution_id
       where a.query_id = q.id) as answers
    from verification_queries q
    join loans l on l.id = q.loan_id
    join users u on u.id = q.raised_by
    join institutions i on i.id = u.institution_id
    where q.version_id = ${versionId}
    order by q.created_at, q.id`),
  );
  return rows.map((r) => ({
    id: r.id,
    loanId: r.loan_id,
    loanRef: r.loan_ref,
    question: { id: r.id, by: r.raised_by, institution: r.raised_by_institution, at: new Date(r.created_at), text: r.text },
    answers: (r.answers ?? []).map((a) => ({ id: a.id, by: a.by, institution: a.institution, at: new Date(a.at), text: a.text })),
  }));
}
