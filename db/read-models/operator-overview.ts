/**
 * What the operator overview (/operator) reads: recent operations with their usage, applications
 * awaiting a decision (with their loan counts) and awaiting disbursement (with who approved them),
 * tranches maturing soon and overdue (their status on `on`, from their dates), open margin calls and open pool shortfalls. One query per section,
 * whatever the rows.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { IsoDate } from '../../domain/dates.js';
import type { Tx } from '../client.js';
import { applicationLoans, applications, institutions, operations, users } from '../schema/index.js';
import type { ApplicationListing, ApplicationRow } from '../repositories/refinancing/applications.js';
import { listMarginCalls } from '../repositories/refinancing/collateral.js';
import { listOperations } from '../repositories/refinancing/operations.js';
import { listFacilities } from '../repositories/refinancing/tranches.js';
import { listPoolShortfalls } from '../repositories/pool-shortfalls.js';

export type OverviewApplication = ApplicationListing & { loanCount: number };

const decider = alias(users, 'decider');
const booker = alias(users, 'booker');

/** Applications in one status, oldest first, with their names and how many loans they list. */
async function applicationsIn(tx: Tx, status: ApplicationRow['status'], limit: number): Promise<OverviewApplication[]> {
  return tx
    .select({
      application: applications,
      quarter: operations.quarter,
      institutionCode: institutions.code,
      decidedByName: decider.name,
      disbursedByName: booker.name,
      createdAtUtc: sql<string>`to_char(${applications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      loanCount: sql<number>`(select count(*) from ${applicationLoans} where ${applicationLoans.applicationId} = ${applications.id})::int`,
    })
    .from(applications)
    .innerJoin(operations, eq(operations.id, applications.operationId))
    .innerJoin(institutions, eq(institutions.id, applications.institutionId))
    .leftJoin(decider, eq(decider.id, applications.decidedBy))
    .leftJoin(booker, eq(booker.id, applications.disbursedBy))
    .where(eq(applications.status, status))
    .orderBy(asc(applications.createdAt), asc(applications.id))
    .limit(limit);
}

export async function operatorOverview(tx: Tx, input: { on: IsoDate; maturingThrough: IsoDate; operations: number; limit: number }) {
  const { limit, on } = input;
  return {
    operations: (await listOperations(tx, { limit: input.operations })).slice(0, input.operations),
    submitted: await applicationsIn(tx, 'submitted', limit),
    approved: await applicationsIn(tx, 'approved', limit),
    // statuses on `on`, from the tranches' dates: due today (matured) or later within the horizon; overdue after
    maturing: (
      await listFacilities(tx, { institutionId: null, on, status: ['active', 'matured'], maturesOnOrBefore: input.maturingThrough, limit })
    ).slice(0, limit),
    overdue: (await listFacilities(tx, { institutionId: null, on, status: 'overdue', limit })).slice(0, limit),
    marginCalls: (await listMarginCalls(tx, { institutionId: null, status: 'open', limit })).slice(0, limit),
    poolShortfalls: (await listPoolShortfalls(tx, { institutionId: null, status: 'open', limit })).slice(0, limit),
  };
}
