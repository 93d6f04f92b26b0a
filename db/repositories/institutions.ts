/** Institutions (banks, verifiers, the central bank) and their users. Plain rows in and out. */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { generateApiKey, sha256Hex } from '../../platform/credentials.js';
import { hashPassword } from '../../platform/passwords.js';
import type { Db, Tx } from '../client.js';
import { institutions, users } from '../schema/index.js';
import { insertApiKey } from './keys.js';

export type InstitutionRow = typeof institutions.$inferSelect;
export type NewInstitution = {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: 'operator' | 'bank' | 'verifier';
  eligibleFrom?: string | null;
  eligibleUntil?: string | null;
  category?: 'national' | 'local_legal_person' | 'foreign' | null;
  province?: string | null;
  unifiedSocialCreditCode?: string | null;
  categoryException?: boolean;
};

export const OPERATOR_CODE = 'PBOC';

export async function findInstitutionByCode(db: Tx, code: string): Promise<InstitutionRow | null> {
  const [row] = await db.select().from(institutions).where(eq(institutions.code, code)).limit(1);
  return row ?? null;
}

export async function findInstitutionByCreditCode(db: Tx, code: string): Promise<InstitutionRow | null> {
  const [row] = await db.select().from(institutions).where(eq(institutions.unifiedSocialCreditCode, code)).limit(1);
  return row ?? null;
}

export async function findInstitutionById(db: Tx, id: string): Promise<InstitutionRow | null> {
  const [row] = await db.select().from(institutions).where(eq(institutions.id, id));
  return row ?? null;
}

/** A page of institutions by code, after `afterCode`, optionally of one kind; `limit + 1` rows tell whether more follow. */
export async function listInstitutions(
  db: Tx,
  filter: { kind?: InstitutionRow['kind']; afterCode?: string; limit: number },
): Promise<InstitutionRow[]> {
  const conditions = [
    filter.kind ? eq(institutions.kind, filter.kind) : undefined,
    filter.afterCode !== undefined ? gt(institutions.code, filter.afterCode) : undefined,
  ].filter((c) => c !== undefined);
  return db
    .select()
    .from(institutions)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(institutions.code))
    .limit(filter.limit + 1);
}

/** Changes the names or the eligibility window of an institution; returns the row as it now stands. */
export async function updateInstitution(
  db: Tx,
  id: string,
  change: Partial<
    Pick<
      InstitutionRow,
      | 'nameZh'
      | 'nameEn'
      | 'eligibleFrom'
      | 'eligibleUntil'
      | 'category'
      | 'province'
      | 'unifiedSocialCreditCode'
      | 'categoryException'
      | 'migrationModeSince'
      | 'migrationModeReason'
      | 'migrationModeSetBy'
    >
  >,
): Promise<InstitutionRow> {
  const [row] = await db.update(institutions).set(change).where(eq(institutions.id, id)).returning();
  return row;
}

/** The codes of the institutions `ids`. */
export async function institutionsByIds(db: Tx, ids: readonly string[]): Promise<{ id: string; code: string }[]> {
  if (!ids.length) return [];
  return db
    .select({ id: institutions.id, code: institutions.code })
    .from(institutions)
    .where(inArray(institutions.id, [...ids]));
}

export async function insertInstitution(db: Tx, input: NewInstitution): Promise<InstitutionRow | null> {
  const [row] = await db
    .insert(institutions)
    .values({ ...input, eligibleFrom: input.eligibleFrom ?? null, eligibleUntil: input.eligibleUntil ?? null })
    .onConflictDoNothing({ target: institutions.code })
    .returning();
  return row ?? null;
}

/** Creates a user with a fresh API key (or the given one) and returns the key once. */
export async function insertUser(
  db: Tx,
  input: {
    institutionId: string;
    name: string;
    role: 'operator' | 'bank' | 'verifier';
    apiKey?: string;
    password?: string;
    isAdmin?: boolean;
    createdBy?: string | null;
    /** when the key is created (default: the database's clock) */
    createdAt?: Date;
    passwordHash?: string;
  },
) {
  const apiKey = input.apiKey ?? generateApiKey();
  const [row] = await db
    .insert(users)
    .values({
      institutionId: input.institutionId,
      name: input.name,
      role: input.role,
      apiKeySha256: sha256Hex(apiKey),
      passwordHash: input.passwordHash ?? (input.password ? await hashPassword(input.password) : null),
      isAdmin: input.isAdmin ?? false,
    })
    .returning({ id: users.id, name: users.name, role: users.role, isAdmin: users.isAdmin });
  const key = await insertApiKey(db, {
    userId: row.id,
    sha256: sha256Hex(apiKey),
    createdBy: input.createdBy ?? null,
    createdAt: input.createdAt,
  });
  return { ...row, apiKey, keyId: key.id };
}

/**
 * On an empty database, creates the central bank (operator) and its first user. Returns the key when
 * one was generated (to be printed once), or null when the operator already existed or the key came
 * from configuration.
 */
export async function bootstrapOperator(
  db: Db,
  configuredKey: string | undefined,
): Promise<{ generatedKey: string | null; created: boolean }> {
  return db.transaction(async (tx) => {
    const existing = await findInstitutionByCode(tx, OPERATOR_CODE);
    if (existing) return { generatedKey: null, created: false };
    const operator = await insertInstitution(tx, {
      code: OPERATOR_CODE,
      nameZh: '中国人民银行',
      nameEn: "People's Bank of China",
      kind: 'operator',
    });
    if (!operator) return { generatedKey: null, created: false };
    const user = await insertUser(tx, { institutionId: operator.id, name: 'bootstrap operator', role: 'operator', apiKey: configuredKey });
    return { generatedKey: configuredKey ? null : user.apiKey, created: true };
  });
}

/** The code of the institution `id` (which exists). */
export async function institutionCodeOf(tx: Tx, id: string): Promise<string> {
  const [row] = await tx.select({ code: institutions.code }).from(institutions).where(eq(institutions.id, id));
  return row.code;
}
