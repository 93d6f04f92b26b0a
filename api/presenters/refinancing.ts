/**
 * Refinancing views: operation, application (and its detail), collateral, tranche, coverage, margin
 * call, statement, pool shortfall. Pure: rows already read (names joined) in, the API's JSON out; no database. The
 * routes and the operator page both present through these.
 */
import type { z } from 'zod';
import type { ApplicationListing } from '../../db/repositories/refinancing/applications.js';
import type { CollateralRow, MarginCallRow } from '../../db/repositories/refinancing/collateral.js';
import type { OperationRow, OperationUsage } from '../../db/repositories/refinancing/operations.js';
import type { FacilityRow } from '../../db/repositories/refinancing/tranches.js';
import type { ApplicationDetailRows } from '../../db/read-models/application-detail.js';
import type { PoolShortfallRow } from '../../db/repositories/pool-shortfalls.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { formatPpmAsPercent, formatYuan } from '../../domain/money.js';
import { policyOn, type CollateralType, type PolicyVersion } from '../../domain/policy/index.js';
import { eligibleCollateralFen, eligibleValueFen } from '../../domain/refinancing/collateral.js';
import { coverWarnings, leftOutReason } from '../../domain/refinancing/support.js';
import { isPoolShortfallOverdue } from '../../domain/refinancing/pool.js';
import type { PoolShortfallView } from '../../schemas/pool-shortfalls.js';
import type {
  ApplicationApproval,
  ApplicationDetail,
  ApplicationView,
  CollateralView,
  CoverageView,
  FacilityView,
  MarginCallView,
  OperationView,
  StatementView,
} from '../../schemas/refinancing.js';

export function presentOperation(row: OperationRow, usage: OperationUsage): z.infer<typeof OperationView> {
  return {
    id: row.id,
    quarter: row.quarter,
    opensOn: row.opensOn,
    closesOn: row.closesOn,
    status: row.status,
    volume: formatYuan(row.volumeFen),
    approved: formatYuan(usage.approvedFen),
    disbursed: formatYuan(usage.disbursedFen),
    remaining: formatYuan(row.volumeFen - usage.approvedFen),
    awaitingDecision: { count: usage.awaitingCount, requested: formatYuan(usage.awaitingFen) },
  };
}

/** A user's name, or the id itself when the user is unknown. */
const nameOf = (id: string | null, name: string | null) => (id === null ? null : (name ?? id));

export function presentApplication(a: ApplicationListing): z.infer<typeof ApplicationView> {
  const row = a.application;
  return {
    id: row.id,
    institution: a.institutionCode,
    operation: a.quarter,
    appliedOn: row.appliedOn,
    status: row.status,
    policyVersion: row.policyVersion,
    requested: formatYuan(row.requestedFen),
    approved: row.approvedFen === null ? null : formatYuan(row.approvedFen),
    decisionReason: row.decisionReason,
    decidedBy: nameOf(row.decidedBy, a.decidedByName),
    disbursedBy: nameOf(row.disbursedBy, a.disbursedByName),
  };
}

type ApprovalRows = {
  listing: ApplicationListing;
  askedFen: bigint;
  covered: readonly { loanId: string; loanRef: string; disbursedOn: IsoDate; requestedSupportFen: bigint }[];
  leftOut: readonly { loanId: string; loanRef: string; disbursedOn: IsoDate; requestedSupportFen: bigint; roomFen: bigint }[];
};

/** An approval's answer: the application, the amount asked, the loans covered and those left out (with why), and a warning when it covers less than asked. */
export function presentApproval(a: ApprovalRows): z.infer<typeof ApplicationApproval> {
  const loan = (l: ApprovalRows['covered'][number]) => ({
    loanId: l.loanId,
    loanRef: l.loanRef,
    disbursedOn: l.disbursedOn,
    support: formatYuan(l.requestedSupportFen),
  });
  const approvedFen = a.listing.application.approvedFen ?? 0n;
  const left = a.leftOut.map((l) => ({ ...l, supportFen: l.requestedSupportFen }));
  return {
    ...presentApplication(a.listing),
    asked: formatYuan(a.askedFen),
    covered: a.covered.map(loan),
    leftOut: left.map((l) => ({ ...loan(l), reason: leftOutReason(l) })),
    warnings: coverWarnings(a.askedFen, { approvedFen, left }),
  };
}

/** An instrument with its haircut and eligible value under the policy in force on `on` (or when it was valued). */
export function presentCollateral(row: CollateralRow, on: IsoDate): z.infer<typeof CollateralView> {
  const policy = policyOn(on) ?? policyOn(row.valuedOn)!;
  const type = row.instrumentType as CollateralType;
  return {
    id: row.id,
    applicationId: row.applicationId,
    type,
    ref: row.instrumentRef,
    faceValue: formatYuan(row.faceFen),
    marketValue: formatYuan(row.marketFen),
    haircutPercent: formatPpmAsPercent(policy.collateralHaircutPpm[type]),
    eligibleValue: formatYuan(eligibleValueFen(row.marketFen, type, policy)),
    valuedOn: row.valuedOn,
    status: row.status,
  };
}

export function presentApplicationDetail(d: ApplicationDetailRows, on: IsoDate): z.infer<typeof ApplicationDetail> {
  const policy = policyOn(on)!;
  const row = d.listing.application;
  const eligibleFen = eligibleCollateralFen(
    d.collateral.map((c) => ({ status: c.status, marketFen: c.marketFen, type: c.instrumentType as CollateralType })),
    policy,
  );
  return {
    ...presentApplication(d.listing),
    loans: d.loans.map((l) => ({
      loanId: l.loanId,
      loanRef: l.loanRef,
      disbursedOn: l.disbursedOn,
      eligiblePrincipal: formatYuan(l.principalFen),
      requestedSupport: formatYuan(l.requestedSupportFen),
      outstanding: formatYuan(l.outstandingFen),
      covered: l.active === 1 && (row.status === 'approved' || row.status === 'disbursed'),
    })),
    collateral: d.collateral.map((c) => presentCollateral(c, on)),
    eligibleCollateral: formatYuan(eligibleFen),
    collateralCoversApproval: eligibleFen >= (row.approvedFen ?? row.requestedFen),
    facilities: d.facilityIds,
  };
}

export function presentFacility(f: FacilityRow, institutionCode: string): z.infer<typeof FacilityView> {
  return {
    id: f.id,
    institution: institutionCode,
    applicationId: f.applicationId,
    rolledFromId: f.rolledFromId,
    principal: formatYuan(f.principalFen),
    outstanding: formatYuan(f.outstandingFen),
    ratePercent: formatPpmAsPercent(f.ratePpm),
    dayCount: f.dayCount,
    startOn: f.startOn,
    maturesOn: f.maturesOn,
    rolloverCount: f.rolloverCount,
    status: f.status,
    policyVersion: f.policyVersion,
    accruedThrough: f.accruedThrough,
    interestAccrued: formatYuan(f.interestAccruedFen),
    interestPaid: formatYuan(f.interestPaidFen),
    closedOn: f.closedOn,
  };
}

export function presentCoverage(c: {
  eligibleCollateralFen: bigint;
  exposureFen: bigint;
  ppm: bigint | null;
  shortfallFen: bigint;
  covered: boolean;
}): z.infer<typeof CoverageView> {
  return {
    eligibleCollateral: formatYuan(c.eligibleCollateralFen),
    exposure: formatYuan(c.exposureFen),
    coveragePercent: c.ppm === null ? null : formatPpmAsPercent(c.ppm),
    shortfall: formatYuan(c.shortfallFen),
    covered: c.covered,
  };
}

export function presentMarginCall({
  call,
  institutionCode,
}: {
  call: MarginCallRow;
  institutionCode: string;
}): z.infer<typeof MarginCallView> {
  return {
    id: call.id,
    institution: institutionCode,
    applicationId: call.applicationId,
    raisedOn: call.raisedOn,
    eligibleCollateral: formatYuan(call.eligibleCollateralFen),
    exposure: formatYuan(call.exposureFen),
    shortfall: formatYuan(call.shortfallFen),
    status: call.status,
    clearedOn: call.clearedOn,
  };
}

/** A bank's statement on `on`: its live tranches with interest due, and those maturing within `horizonDays`. */
export function presentStatement(
  s: { tranches: { facility: FacilityRow; interestDueFen: bigint }[]; outstandingFen: bigint; interestDueFen: bigint },
  input: { institutionCode: string; on: IsoDate; horizonDays: number; policy: Pick<PolicyVersion, 'rolloverCountMax'> },
): z.infer<typeof StatementView> {
  const { on, policy } = input;
  const horizonEnd = addDays(on, input.horizonDays);
  return {
    institution: input.institutionCode,
    on,
    dayCountNote: 'interest per tranche uses its recorded day count (dayCount), rounded half up once over each interest segment',
    outstandingPrincipal: formatYuan(s.outstandingFen),
    accruedInterest: formatYuan(s.interestDueFen),
    tranches: s.tranches.map((t) => ({ ...presentFacility(t.facility, input.institutionCode), interestDue: formatYuan(t.interestDueFen) })),
    upcomingMaturities: s.tranches
      .filter((t) => t.facility.maturesOn >= on && t.facility.maturesOn <= horizonEnd)
      .map((t) => ({
        facilityId: t.facility.id,
        maturesOn: t.facility.maturesOn,
        outstanding: formatYuan(t.facility.outstandingFen),
        rolloverCount: t.facility.rolloverCount,
        rolloversLeft: Math.max(0, policy.rolloverCountMax - t.facility.rolloverCount),
      })),
  };
}

/** A pool shortfall as the API shows it; `overdue` when it is still open after its due date on `on`. */
export function presentPoolShortfall(
  { shortfall: s, institutionCode }: { shortfall: PoolShortfallRow; institutionCode: string },
  on: IsoDate,
): z.infer<typeof PoolShortfallView> {
  return {
    id: s.id,
    institution: institutionCode,
    applicationId: s.applicationId,
    facilityId: s.facilityId,
    raisedOn: s.raisedOn,
    dueOn: s.dueOn,
    amount: formatYuan(s.amountFen),
    trancheOutstanding: formatYuan(s.trancheOutstandingFen),
    poolOutstandingEligible: formatYuan(s.poolOutstandingFen),
    checkedOn: s.checkedOn,
    status: s.status,
    overdue: isPoolShortfallOverdue(s, on),
    clearedOn: s.clearedOn,
  };
}
