/**
 * What the operator's workflow pages list besides the overview: pledged collateral with its bank and
 * quarter, and every verifier's declared conflicts. One joined query per view.
 */
import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { applications, collateral, institutions, operations, verifierConflicts } from '../schema/index.js';
import { alias } from 'drizzle-orm/pg-core';

/** Pledged collateral, by bank then instrument, with the application's status and operation. */
export async function pledgedCollateral(db: Tx, limit: number, offset = 0) {
  return db
    .select({
      collateral,
      institutionCode: institutions.code,
      applicationStatus: applications.status,
      quarter: operations.quarter,
    })
    .from(collateral)
    .innerJoin(institutions, eq(institutions.id, collateral.institutionId))
    .innerJoin(applications, eq(applications.id, collateral.applicationId))
    .innerJoin(operations, eq(operations.id, applications.operationId))
    .where(eq(collateral.status, 'pledged'))
    .orderBy(asc(institutions.code), asc(operations.quarter), asc(collateral.instrumentRef), asc(collateral.id))
    .limit(limit)
    .offset(offset);
}

const bank = alias(institutions, 'bank');

/** Every declared conflict with the verifier's and the bank's codes. */
export async function allConflicts(db: Tx, limit: number, offset = 0) {
  return db
    .select({ verifier: institutions.code, bank: bank.code, reason: verifierConflicts.reason, createdAt: verifierConflicts.createdAt })
    .from(verifierConflicts)
    .innerJoin(institutions, eq(institutions.id, verifierConflicts.verifierId))
    .innerJoin(bank, eq(bank.id, verifierConflicts.bankId))
    .orderBy(asc(institutions.code), asc(bank.code))
    .limit(limit)
    .offset(offset);
}
