/**
 * The national register of projects (docs/projects.md): keys (credit code, folded name, folded province)
 * each naming one entry, the entries, and the reads the over-funding check needs. Set-based: a batch
 * resolves all its keys in a few statements whatever its size. Plain rows in and out; the rules are
 * domain/projects/register.ts, the stories app/loans/submit-loans.ts and app/projects/.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { registerKeyText, type ProjectFigures, type RegisterKey } from '../../domain/projects/register.js';
import { isUuid } from '../../schemas/common.js';
import type { Tx } from '../client.js';
import { loans, projectRegister, projectRegisterKeys } from '../schema/index.js';
import { foldedName as foldSql } from '../sql/shared-projects.js';

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

export type RegisterEntryRow = typeof projectRegister.$inferSelect;
/** A key to resolve, with the spelling a new entry takes its name and province from. */
export type KeyToResolve = RegisterKey & { name: string; province: string };

/** The entries the keys name now (by `registerKeyText`); keys never seen are absent. */
export async function selectKeys(tx: Tx, keys: readonly RegisterKey[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!keys.length) return out;
  const rows = rowsOf<{ credit_code: string; name_key: string; province_key: string; register_id: string }>(
    await tx.execute(sql`
    select k.credit_code, k.name_key, k.province_key, k.register_id::text as register_id
    from project_register_keys k
    join unnest(${sql.param(keys.map((k) => k.creditCode))}::text[], ${sql.param(keys.map((k) => k.nameKey))}::text[],
      ${sql.param(keys.map((k) => k.provinceKey))}::text[]) as u(credit_code, name_key, province_key)
      on k.credit_code = u.credit_code and k.name_key = u.name_key and k.province_key = u.province_key`),
  );
  for (const r of rows)
    out.set(registerKeyText({ creditCode: r.credit_code, nameKey: r.name_key, provinceKey: r.province_key }), r.register_id);
  return out;
}

/**
 * The entry of every key (by `registerKeyText`), creating the entries of keys never seen: each new key is
 * claimed with `insert … on conflict do nothing` (a concurrent transaction claiming the same key first
 * makes this one wait for it, then read its entry), and only the keys claimed get a new entry, in the
 * same statement. `unseen`: the caller read these keys in this transaction and found none, so they are
 * claimed without reading them again (one committed since is lost to its claim and read after, as any).
 */
export async function resolveRegisterKeys(
  tx: Tx,
  keys: readonly KeyToResolve[],
  newId: () => string,
  options: { unseen?: boolean } = {},
): Promise<{ ids: Map<string, string>; created: number; lost: number }> {
  const unique = new Map<string, KeyToResolve>();
  for (const k of keys) if (!unique.has(registerKeyText(k))) unique.set(registerKeyText(k), k);
  const found = options.unseen ? new Map<string, string>() : await selectKeys(tx, [...unique.values()]);
  const missing = [...unique.entries()].filter(([text]) => !found.has(text)).map(([, k]) => ({ ...k, id: newId(), registerId: newId() }));
  if (!missing.length) return { ids: found, created: 0, lost: 0 };
  // the keys claimed, and an entry for each in the same statement (the keys' foreign key is checked at commit)
  const claimed = rowsOf<{ id: string }>(
    await tx.execute(sql`
    with claimed as (
      insert into project_register_keys (id, credit_code, name_key, province_key, register_id)
      select * from unnest(${sql.param(missing.map((k) => k.id))}::uuid[], ${sql.param(missing.map((k) => k.creditCode))}::text[],
        ${sql.param(missing.map((k) => k.nameKey))}::text[], ${sql.param(missing.map((k) => k.provinceKey))}::text[],
        ${sql.param(missing.map((k) => k.registerId))}::uuid[])
      on conflict (credit_code, name_key, province_key) do nothing
      returning register_id)
    insert into project_register (id, credit_code, name, province)
    select u.id, u.credit_code, u.name, u.province
    from unnest(${sql.param(missing.map((k) => k.registerId))}::uuid[], ${sql.param(missing.map((k) => k.creditCode))}::text[],
      ${sql.param(missing.map((k) => k.name))}::text[], ${sql.param(missing.map((k) => k.province))}::text[]) as u(id, credit_code, name, province)
    join claimed c on c.register_id = u.id
    returning id::text as id`),
  );
  const mine = new Set(claimed.map((r) => r.id));
  const created = missing.filter((k) => mine.has(k.registerId));
  for (const k of created) found.set(registerKeyText(k), k.registerId);
  const lost = missing.filter((k) => !mine.has(k.registerId));
  if (lost.length) for (const [text, id] of await selectKeys(tx, lost)) found.set(text, id);
  return { ids: found, created: created.length, lost: lost.length };
}

/** Entries locked for update, in id order (so two transactions never wait on each other in a circle). */
export async function lockRegisterEntries(tx: Tx, ids: readonly string[]): Promise<RegisterEntryRow[]> {
  if (!ids.length) return [];
  return tx
    .select()
    .from(projectRegister)
    .where(inArray(projectRegister.id, [...new Set(ids)].sort()))
    .orderBy(projectRegister.id)
    .for('update');
}

/** The decided figures of an entry, or null. */
export const decidedFigures = (e: RegisterEntryRow): ProjectFigures | null =>
  e.decidedTotalInvestmentFen !== null && e.decidedAnnualReductionCentitonnes !== null
    ? { totalInvestmentFen: e.decidedTotalInvestmentFen, annualReductionCentitonnes: e.decidedAnnualReductionCentitonnes }
    : null;

/**
 * For each entry, what every bank lent to it (Σ principal; `except.loanId` left out) and the smallest total
 * investment any bank declared for it (one statement).
 */
export async function registerFunding(
  tx: Tx,
  ids: readonly string[],
  except: { loanId: string; projectId: string | null } | null = null,
): Promise<Map<string, { fundedFen: bigint; minDeclaredFen: bigint | null }>> {
  const out = new Map<string, { fundedFen: bigint; minDeclaredFen: bigint | null }>();
  if (!ids.length) return out;
  const exceptLoan = except ? sql`and l.id <> ${except.loanId}::uuid` : sql``;
  // the project an amendment rewrites declares its new figures: its stored ones are left out of the smallest
  const declared = except?.projectId ? sql`filter (where p.id <> ${except.projectId}::uuid)` : sql``;
  const rows = rowsOf<{ register_id: string; funded: string; min_t: string | null }>(
    await tx.execute(sql`
    select l.register_id::text as register_id, sum(l.principal_fen)::text as funded, min(p.total_investment_fen) ${declared}::text as min_t
    from loans l join projects p on p.id = l.project_id
    where l.register_id = any(${sql.param([...new Set(ids)])}::uuid[]) ${exceptLoan}
    group by l.register_id`),
  );
  for (const r of rows) out.set(r.register_id, { fundedFen: BigInt(r.funded), minDeclaredFen: r.min_t === null ? null : BigInt(r.min_t) });
  return out;
}

export async function findRegisterEntry(db: Tx, id: string): Promise<RegisterEntryRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(projectRegister).where(eq(projectRegister.id, id)).limit(1);
  return row ?? null;
}

export async function registerKeysOf(db: Tx, registerId: string) {
  return db
    .select({
      creditCode: projectRegisterKeys.creditCode,
      nameKey: projectRegisterKeys.nameKey,
      provinceKey: projectRegisterKeys.provinceKey,
    })
    .from(projectRegisterKeys)
    .where(eq(projectRegisterKeys.registerId, registerId))
    .orderBy(projectRegisterKeys.createdAt, projectRegisterKeys.id);
}

/** Every key and loan of `from` now names `into`; `from` is marked merged into it. */
export async function mergeRegisterEntries(tx: Tx, fromId: string, intoId: string): Promise<void> {
  await tx.update(projectRegisterKeys).set({ registerId: intoId }).where(eq(projectRegisterKeys.registerId, fromId));
  await tx.update(loans).set({ registerId: intoId }).where(eq(loans.registerId, fromId));
  await tx.update(projectRegister).set({ mergedInto: intoId }).where(eq(projectRegister.id, fromId));
}

/** Moves one key of `fromId`, and the loans it names, to a new entry `newId` (name and province as given). */
export async function splitRegisterKey(
  tx: Tx,
  input: { fromId: string; newId: string; key: RegisterKey; name: string; province: string },
): Promise<number> {
  await tx
    .insert(projectRegister)
    .values({ id: input.newId, creditCode: input.key.creditCode, name: input.name, province: input.province });
  await tx
    .update(projectRegisterKeys)
    .set({ registerId: input.newId })
    .where(
      and(
        eq(projectRegisterKeys.registerId, input.fromId),
        eq(projectRegisterKeys.creditCode, input.key.creditCode),
        eq(projectRegisterKeys.nameKey, input.key.nameKey),
        eq(projectRegisterKeys.provinceKey, input.key.provinceKey),
      ),
    );
  // the loans of that spelling: their credit code and their project's name and province fold to the key
  const moved = rowsOf<{ id: string }>(
    await tx.execute(sql`
    update loans l set register_id = ${input.newId}::uuid
    from projects p
    where p.id = l.project_id and l.register_id = ${input.fromId}::uuid and l.borrower_credit_code = ${input.key.creditCode}
      and ${foldSql(sql`p.name`)} = ${input.key.nameKey} and ${foldSql(sql`p.province`)} = ${input.key.provinceKey}
    returning l.id`),
  );
  return moved.length;
}

/** Records the operator's decision of an entry's figures. */
export async function decideRegisterEntry(
  tx: Tx,
  input: { id: string; figures: ProjectFigures; decidedBy: string; decidedAt: Date; reason: string },
): Promise<void> {
  await tx
    .update(projectRegister)
    .set({
      decidedTotalInvestmentFen: input.figures.totalInvestmentFen,
      decidedAnnualReductionCentitonnes: input.figures.annualReductionCentitonnes,
      decidedBy: input.decidedBy,
      decidedAt: input.decidedAt,
      decisionReason: input.reason,
    })
    .where(and(eq(projectRegister.id, input.id), isNull(projectRegister.mergedInto)));
}

/** Each institution with loans on the entries, and the earliest disbursement date of those loans. */
export async function institutionsOnEntries(db: Tx, ids: readonly string[]): Promise<{ institutionId: string; from: string }[]> {
  if (!ids.length) return [];
  return rowsOf<{ institution_id: string; first: string }>(
    await db.execute(sql`
    select institution_id::text as institution_id, min(disbursed_on)::text as first from loans
    where register_id = any(${sql.param([...new Set(ids)])}::uuid[]) group by institution_id order by 1`),
  ).map((r) => ({ institutionId: r.institution_id, from: r.first }));
}
