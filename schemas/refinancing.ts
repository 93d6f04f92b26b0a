/** Shapes of the refinancing resources: operations, applications with collateral, facilities, margin calls. */
import { z } from 'zod';
import { isIsoDate } from '../domain/dates.js';
import { BookingDateFields, IsoDateString, PageQuery, QuarterString, readCursor, YuanString } from './common.js';

/** A UUID as PostgreSQL accepts it in its canonical form (anything else in a path is simply not found). */
export { isUuid } from './common.js';
import { isUuid } from './common.js';

const INT8_MAX = 9_223_372_036_854_775_807n;
type CursorKind = 'date' | 'uuid' | 'timestamp' | 'sequence';
const cursorParts: Record<CursorKind, z.ZodType<string>> = {
  date: z.string().refine(isIsoDate),
  uuid: z.string().refine(isUuid),
  // the exact instant as written by the list itself: UTC with microseconds
  timestamp: z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/.test(v) && isIsoDate(v.slice(0, 10))),
  sequence: z.string().refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= INT8_MAX),
};

/**
 * Decodes a keyset cursor whose parts must be of the given kinds (a zod tuple): undefined when there is
 * no cursor, null when it is not one this API wrote (the route answers 422 invalid_cursor).
 */
export function keysetCursor(cursor: string | undefined, kinds: readonly CursorKind[]): string[] | undefined | null {
  const schema = z.tuple(kinds.map((k) => cursorParts[k]) as [z.ZodType<string>, ...z.ZodType<string>[]]);
  return readCursor(schema, cursor) as string[] | undefined | null;
}

export const CollateralTypeEnum = z.enum([
  'central_government_bond',
  'policy_bank_bond',
  'local_government_bond',
  'aaa_credit_bond',
  'high_grade_loan',
]);

export const CreateOperationBody = z
  .object({ quarter: QuarterString, volume: YuanString, ...BookingDateFields })
  .strict()
  .meta({ id: 'CreateOperation' });

export const OperationView = z
  .object({
    id: z.string(),
    quarter: z.string(),
    opensOn: z.string(),
    closesOn: z.string(),
    status: z.enum(['open', 'closed']),
    volume: z.string(),
    approved: z.string().describe('Σ approved support (approved and disbursed applications)'),
    disbursed: z.string(),
    remaining: z.string().describe('volume − approved'),
    awaitingDecision: z.object({ count: z.number().int(), requested: z.string() }),
  })
  .meta({ id: 'Operation' });

export const CollateralInputSchema = z
  .object({
    type: CollateralTypeEnum,
    ref: z.string().min(1).max(100).describe("the instrument's own identifier, e.g. a bond code"),
    faceValue: YuanString,
    marketValue: YuanString,
  })
  .strict();

const RefList = z.array(z.string().min(1).max(100)).min(1).max(10_000);

export const CreateApplicationBody = z
  .object({
    operation: QuarterString.optional().describe('the quarter of the open operation (default: the quarter of `on`)'),
    loanIds: z.array(z.string().uuid()).min(1).max(10_000).optional(),
    loanRefs: RefList.optional(),
    allDisbursedThrough: IsoDateString.optional().describe(
      "all the bank's eligible, disbursed, not-yet-supported loans disbursed up to this date",
    ),
    collateral: z.array(CollateralInputSchema).max(1000).default([]),
    ...BookingDateFields,
  })
  .strict()
  .refine((b) => [b.loanIds, b.loanRefs, b.allDisbursedThrough].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of loanIds, loanRefs or allDisbursedThrough',
    path: ['loans'],
    params: { code: 'loan_selection_required' },
  })
  .meta({ id: 'CreateApplication' });

export const AddCollateralBody = z.object({ collateral: z.array(CollateralInputSchema).min(1).max(1000), ...BookingDateFields }).strict();

export const ApproveBody = z
  .object({
    amount: YuanString.optional().describe('approve partly with this amount; omitted = the full request'),
    reason: z.string().min(1).max(2000),
    on: BookingDateFields.on,
  })
  .strict()
  .meta({ id: 'ApproveApplication' });
export const RejectBody = z
  .object({ reason: z.string().min(1).max(2000), on: BookingDateFields.on })
  .strict()
  .meta({ id: 'RejectApplication' });

export const CollateralView = z
  .object({
    id: z.string(),
    applicationId: z.string(),
    type: CollateralTypeEnum,
    ref: z.string(),
    faceValue: z.string(),
    marketValue: z.string(),
    haircutPercent: z.string(),
    eligibleValue: z.string(),
    valuedOn: z.string(),
    status: z.enum(['pledged', 'released']),
  })
  .meta({ id: 'Collateral' });

export const ApplicationView = z
  .object({
    id: z.string(),
    institution: z.string(),
    operation: z.string(),
    appliedOn: z.string(),
    status: z.enum(['submitted', 'approved', 'rejected', 'disbursed']),
    policyVersion: z.string(),
    requested: z.string(),
    approved: z.string().nullable(),
    decisionReason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    disbursedBy: z.string().nullable(),
  })
  .meta({ id: 'Application' });

const CoverNote = z.object({ code: z.string(), message: z.string() });
const ApprovedLoan = z.object({
  loanId: z.string(),
  loanRef: z.string(),
  disbursedOn: z.string(),
  support: z.string().describe("the loan's requested support (60 % of its eligible principal, apportioned)"),
});

export const ApplicationApproval = ApplicationView.extend({
  asked: z.string().describe('the amount the approval asked for (the full request when no amount was given)'),
  covered: z.array(ApprovedLoan).describe('the loans the approval covers (whole loans, in listed order, while their support fits)'),
  leftOut: z
    .array(ApprovedLoan.extend({ reason: CoverNote }))
    .describe('the loans left out, each with why (`support_does_not_fit`): they come off the application, free for a later one'),
  warnings: z.array(CoverNote).describe('`approval_covers_less_than_asked` when the covered loans’ support is less than the amount asked'),
}).meta({ id: 'ApplicationApproval' });

export const ApplicationDetail = ApplicationView.extend({
  loans: z.array(
    z.object({
      loanId: z.string(),
      loanRef: z.string(),
      disbursedOn: z.string(),
      eligiblePrincipal: z.string(),
      requestedSupport: z.string(),
      outstanding: z.string(),
      covered: z
        .boolean()
        .describe('covered by the approved support (a partial approval covers whole loans in listed order; the others are left out)'),
    }),
  ),
  collateral: z.array(CollateralView),
  eligibleCollateral: z.string(),
  collateralCoversApproval: z.boolean().describe('eligible collateral ≥ approved (or requested) amount, today'),
  facilities: z.array(z.string()),
}).meta({ id: 'ApplicationDetail' });

export const ApplicationListQuery = PageQuery.extend({
  status: z.enum(['submitted', 'approved', 'rejected', 'disbursed']).optional(),
  operation: QuarterString.optional(),
});

export const FacilityView = z
  .object({
    id: z.string(),
    institution: z.string(),
    applicationId: z.string(),
    rolledFromId: z.string().nullable(),
    principal: z.string(),
    outstanding: z.string(),
    ratePercent: z.string(),
    dayCount: z.string(),
    startOn: z.string(),
    maturesOn: z.string(),
    rolloverCount: z.number().int(),
    status: z.enum(['active', 'matured', 'rolled_over', 'repaid', 'overdue']),
    policyVersion: z.string(),
    accruedThrough: z.string(),
    interestAccrued: z.string().describe('interest booked on this tranche so far'),
    interestPaid: z.string(),
    closedOn: z.string().nullable(),
  })
  .meta({ id: 'Facility' });

export const FacilityListQuery = PageQuery.extend({
  status: z.enum(['active', 'matured', 'rolled_over', 'repaid', 'overdue']).optional(),
  maturesOnOrBefore: IsoDateString.optional(),
  institution: z.string().max(32).optional(),
});

export const RepayBody = z
  .object({
    principal: YuanString.describe('principal repaid now ("0.00" pays interest only); all interest due is paid with it'),
    ...BookingDateFields,
  })
  .strict()
  .meta({ id: 'Repay' });

export const RepaymentResult = z.object({ facility: FacilityView, paidPrincipal: z.string(), paidInterest: z.string() });
export const RolloverResult = z.object({
  previous: FacilityView,
  facility: FacilityView,
  cap: z.string(),
  excessRepaid: z.string(),
  interestPaid: z.string(),
});

export const StatementQuery = z.object({
  on: IsoDateString.optional(),
  institution: z.string().max(32).optional().describe('operator only: the bank code'),
  horizonDays: z.coerce.number().int().min(1).max(3660).default(90),
});

export const StatementView = z
  .object({
    institution: z.string(),
    on: z.string(),
    dayCountNote: z.string(),
    outstandingPrincipal: z.string(),
    accruedInterest: z.string(),
    tranches: z.array(FacilityView.extend({ interestDue: z.string() })),
    upcomingMaturities: z.array(
      z.object({
        facilityId: z.string(),
        maturesOn: z.string(),
        outstanding: z.string(),
        rolloverCount: z.number().int(),
        rolloversLeft: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'FacilityStatement' });

export const RunOnBody = z.object({ on: IsoDateString.optional() }).strict();
export const AccrueBody = z.object({ through: IsoDateString.optional() }).strict();

export const RevalueBody = z
  .object({ marketValue: YuanString, valuedOn: IsoDateString.optional().describe('the same as `on`'), ...BookingDateFields })
  .strict()
  .meta({ id: 'Revalue' });

export const CoverageView = z.object({
  eligibleCollateral: z.string(),
  exposure: z.string(),
  coveragePercent: z.string().nullable(),
  shortfall: z.string(),
  covered: z.boolean(),
});

export const MarginCallView = z
  .object({
    id: z.string(),
    institution: z.string(),
    applicationId: z.string(),
    raisedOn: z.string(),
    eligibleCollateral: z.string(),
    exposure: z.string(),
    shortfall: z.string(),
    status: z.enum(['open', 'cleared']),
    clearedOn: z.string().nullable(),
  })
  .meta({ id: 'MarginCall' });

export const MarginCallQuery = PageQuery.extend({ status: z.enum(['open', 'cleared']).optional() });
