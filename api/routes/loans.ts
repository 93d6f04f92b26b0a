/** Loan submissions by banks (API.md "Loans"): single, batch, list, get, amendments, repayments, acceptance. */
import { perform } from '../../app/perform.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { answerProposal } from './approvals.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { loanFactsFromText } from '../../domain/loans/facts.js';
import { shanghaiDate } from '../../domain/dates.js';
import { parseYuan } from '../../domain/money.js';
import { amendLoan, recordRepayment } from '../../app/loans/change-loan.js';
import { submitLoan, submitLoans, type SubmittedRow } from '../../app/loans/submit-loans.js';
import { findLoan, listLoans, listLoanVersions, listRepayments } from '../../db/repositories/loans.js';
import { CursorPart, encodeCursor, pageOf } from '../../schemas/common.js';
import {
  AcceptBody,
  AmendmentBody,
  AmendmentRequest,
  BatchResult,
  LoanBatchBody,
  LoanBatchRequest,
  LoanInput,
  LoanListQuery,
  LoanVersionView,
  LoanView,
  RepaymentBody,
} from '../../schemas/loans.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, validationFailed, zodViolations } from '../errors.js';
import { listedInstitutionId } from './listed-institution.js';
import { describe, type ProblemCode } from '../openapi.js';
import { presentBatch, presentLoan, presentLoanVersions, presentRepayments } from '../presenters/loans.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

const LoanId = z.object({ id: z.string() });

const exampleLoan = {
  loanRef: 'L-2022-000123',
  borrower: { name: '张家口风能发电有限公司', creditCode: '91130700MA0G5XKQ17' },
  project: {
    ref: 'PRJ-WIND-0007',
    name: '张家口200MW风电项目',
    province: '河北',
    subArea: 'CE.WIND',
    totalInvestment: '1200000000.00',
    annualReductionTonnes: '210000.00',
    reductionBasis: 'feasibility_study',
    evidence: { title: '可行性研究报告（2022年3月）', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  },
  principal: '300000000.00',
  annualRatePercent: '3.45',
  disbursedOn: '2022-08-15',
  maturesOn: '2025-08-15',
} as const;
const exampleLoanView = {
  id: '0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b',
  institution: 'CITIC',
  ...exampleLoan,
  version: 1,
  project: { ...exampleLoan.project, id: '5c0e2f5a-1b7d-4c8e-8f3a-6d2b9e4a1c70', area: 'CE', fundedTotal: '300000000.00' },
  outstandingPrincipal: '300000000.00',
  taxonomyVersion: '2021',
  policyVersion: '2021-11-08',
  attributedAnnualReductionTonnes: '52500.00',
  lprComparison: { tenor: '1y', month: '2022-07', lprPercent: '3.70', deviationBp: '-25', withinBand: true },
  eligible: true,
  eligibility: 'eligible',
  reasons: [],
  acceptance: null,
  support: { application: null, tranche: null, covered: false },
  createdAt: '2026-03-01T04:00:00.000Z',
  updatedAt: '2026-03-01T04:00:00.000Z',
};
/** the same loan once listed on an approved application and supported by a tranche */
const exampleSupportedLoanView = {
  ...exampleLoanView,
  support: {
    application: { id: '7d4e1a2b-3c5f-4e6a-9b8c-0d1e2f3a4b5c', operation: '2022Q3', status: 'disbursed' },
    tranche: { id: '2a9c4e6b-8d0f-4a1c-b3e5-7f9a1c3e5b7d', status: 'active', maturesOn: '2026-09-20' },
    covered: true,
  },
};
const LOAN_RULES = ['loan_ref_conflict', 'institution_not_eligible'] as const satisfies ProblemCode[];

describe({
  method: 'post',
  path: '/api/v1/loans',
  tag: 'loans',
  roles: ['bank'],
  operationId: 'submitLoan',
  summary: 'Submit one loan: 201 created, 200 when identical to the stored one, 409 when the reference exists with other content',
  description:
    'The loan is checked against the rules in force on its disbursement date; a violated rule answers `422 validation_failed` with `errors: [{ path, code, message }]` naming the field and the rule (the codes of each field are listed in `LoanInput`). A rate outside the LPR band is recorded but flagged (`eligible: false`, reason `rate_outside_lpr_band`) until an operator accepts it.',
  body: LoanInput,
  responses: { 201: LoanView, 200: LoanView },
  idempotent: true,
  errors: [...LOAN_RULES],
  examples: {
    request: [{ summary: 'a wind farm loan', value: exampleLoan }],
    responses: { 201: [{ summary: 'created and eligible', value: exampleLoanView }] },
  },
});
describe({
  method: 'post',
  path: '/api/v1/loans/batch',
  tag: 'loans',
  roles: ['bank'],
  operationId: 'submitLoanBatch',
  summary: 'Submit up to 10,000 loans; each row is created, unchanged or an error (which writes nothing)',
  description:
    "Each row is checked on its own with the rules of `POST /api/v1/loans`; a row with errors writes nothing and lists its violations (`path` relative to the row, e.g. `borrower.creditCode`, with the rule's `code`), the other rows land in the same transaction. A row identical to a stored loan is `unchanged`.",
  body: LoanBatchRequest,
  responses: { 200: BatchResult },
  idempotent: true,
  examples: {
    request: [
      {
        summary: 'one good row, one with a wrong credit code',
        value: {
          loans: [
            exampleLoan,
            {
              ...exampleLoan,
              loanRef: 'L-2022-000124',
              borrower: { name: '承德光伏科技有限公司', creditCode: '91130800MA0G5XKQ10' },
              principal: '200000000.00',
            },
          ],
        },
      },
    ],
    responses: {
      200: [
        {
          summary: 'one created, one refused',
          value: {
            summary: { created: 1, unchanged: 0, error: 1 },
            results: [
              { index: 0, loanRef: 'L-2022-000123', status: 'created', id: '0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b', eligible: true },
              {
                index: 1,
                loanRef: 'L-2022-000124',
                status: 'error',
                errors: [
                  {
                    path: 'borrower.creditCode',
                    code: 'invalid_credit_code',
                    message: "not a valid unified social credit code: check character is '0', expected 'C' (credit_code_check_character)",
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  },
});
describe({
  method: 'get',
  path: '/api/v1/loans',
  tag: 'loans',
  roles: ['bank', 'operator'],
  operationId: 'listLoans',
  summary: "A bank's loans (an operator's: all, or ?institution=), each with its support status; `supported=true|false` filters by it",
  description:
    'Each loan says whether the central bank supports it (`support`): the live application that lists it (its operation and status), ' +
    'the latest tranche booked on that application with its status today, and `covered` (the application is approved or disbursed, so the loan counts in the disclosures). ' +
    '`supported=true` lists the loans on a live application, `supported=false` those on none.',
  query: LoanListQuery,
  responses: { 200: pageOf(LoanView) },
  errors: ['not_found'],
  examples: { responses: { 200: [{ summary: 'one page', value: { items: [exampleSupportedLoanView], nextCursor: null } }] } },
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id',
  tag: 'loans',
  roles: ['bank', 'operator'],
  operationId: 'getLoan',
  summary: 'One loan with its support status: application, tranche, covered (a bank: its own; others answer 404)',
  responses: { 200: LoanView },
  examples: { responses: { 200: [{ summary: 'a supported loan', value: exampleSupportedLoanView }] } },
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id/versions',
  tag: 'loans',
  roles: ['bank', 'operator'],
  operationId: 'listLoanVersions',
  summary: 'Every version of a loan, oldest first, with who changed it and why',
  responses: { 200: z.object({ items: z.array(LoanVersionView) }) },
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/amendments',
  tag: 'loans',
  roles: ['bank'],
  operationId: 'amendLoan',
  summary: 'Amend a loan: a new version with a reason; earlier versions are kept',
  body: AmendmentRequest,
  responses: { 201: LoanView },
  idempotent: true,
  errors: ['loan_ref_immutable', 'content_unchanged', 'loan_under_support', 'principal_below_repaid', ...LOAN_RULES],
  examples: {
    request: [
      {
        summary: 'a larger principal',
        value: { reason: 'the borrower drew the second instalment', loan: { ...exampleLoan, principal: '350000000.00' } },
      },
    ],
  },
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/repayments',
  tag: 'loans',
  roles: ['bank'],
  operationId: 'recordLoanRepayment',
  summary: 'Record a repayment of principal by the borrower (lowers the outstanding principal)',
  body: RepaymentBody,
  responses: { 201: LoanView },
  idempotent: true,
  errors: ['repayment_exceeds_outstanding', 'repayment_before_disbursement', 'repayment_in_future'],
  examples: { request: [{ summary: 'a partial repayment', value: { repaidOn: '2023-02-15', amount: '50000000.00' } }] },
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id/repayments',
  tag: 'loans',
  roles: ['bank', 'operator'],
  operationId: 'listLoanRepayments',
  summary: "A loan's repayments",
  responses: { 200: z.object({ items: z.array(z.object({ id: z.string(), repaidOn: z.string(), amount: z.string() })) }) },
  examples: {
    responses: {
      200: [
        {
          summary: 'one repayment',
          value: { items: [{ id: '7d1f0c2a-3b4e-4f5a-8b6c-9d0e1f2a3b4c', repaidOn: '2023-02-15', amount: '50000000.00' }] },
        },
      ],
    },
  },
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/accept',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'acceptFlaggedLoan',
  summary:
    'Propose accepting a loan flagged for its rate, with a reason (four eyes: it becomes eligible when another operator confirms it); refused at once (loan_not_flagged) when it could not be accepted',
  body: AcceptBody,
  responses: { 202: ApprovalView },
  idempotent: true,
  errors: ['loan_not_flagged'],
  examples: {
    request: [{ summary: 'accepted with a reason', value: { reason: 'a green-bond linked rate agreed with the borrower in 2022' } }],
  },
});

export function loanRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  /** A bank sees only its own loans; an operator sees all. Others: 404 as if absent. */
  async function loanForActor(res: Response, id: string) {
    const actor = actorOf(res);
    const today = shanghaiDate(now());
    const row = await findLoan(db, id, actor.role === 'operator' ? { on: today } : { institutionId: actor.institutionId, on: today });
    if (!row) throw notFound(`loan ${id}`);
    return row;
  }

  function parseRow(value: unknown, index: number, prefix: (string | number)[]): SubmittedRow {
    const parsed = LoanInput.safeParse(value);
    if (!parsed.success) return { index, facts: null, violations: zodViolations(parsed.error, prefix) };
    return { index, facts: loanFactsFromText(parsed.data), violations: [] };
  }

  router.post('/loans', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const row = parseRow(req.body, 0, []);
    if (!row.facts) throw validationFailed(row.violations);
    const result = await perform(db, { now: now(), actor }, (ctx) => submitLoan(ctx, row));
    const stored = await findLoan(db, result.id, { institutionId: actor.institutionId, on: shanghaiDate(now()) });
    res.status(result.status === 'created' ? 201 : 200).json(presentLoan(stored!));
  });

  router.post('/loans/batch', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const body = parseOrThrow(LoanBatchBody, req.body);
    const rows = body.loans.map((value, index) => parseRow(value, index, ['loans', index]));
    const results = await perform(db, { now: now(), actor }, (ctx) => submitLoans(ctx, rows));
    res.json(presentBatch(results));
  });

  router.get('/loans', requireRole('bank', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const q = parseOrThrow(LoanListQuery, req.query);
    const institutionId = await listedInstitutionId(db, actor, q.institution);
    const cursor = cursorOrThrow(z.tuple([CursorPart.date, CursorPart.uuid]), q.cursor);
    const rows = await listLoans(db, {
      institutionId,
      on: shanghaiDate(now()),
      supported: q.supported === undefined ? undefined : q.supported === 'true',
      subArea: q.subArea,
      disbursedFrom: q.disbursedFrom,
      disbursedTo: q.disbursedTo,
      eligibility: q.eligibility,
      eligible: q.eligible === undefined ? undefined : q.eligible === 'true',
      projectRef: q.projectRef,
      after: cursor ? { disbursedOn: cursor[0], id: cursor[1] } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(presentLoan),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.loan.disbursedOn, last.loan.id]) : null,
    });
  });

  router.get('/loans/:id', requireRole('bank', 'operator'), async (req, res) => {
    const { id } = parseOrThrow(LoanId, req.params);
    res.json(presentLoan(await loanForActor(res, id)));
  });

  router.get('/loans/:id/versions', requireRole('bank', 'operator'), async (req, res) => {
    const { id } = parseOrThrow(LoanId, req.params);
    const row = await loanForActor(res, id);
    res.json(presentLoanVersions(await listLoanVersions(db, row.loan.id)));
  });

  router.get('/loans/:id/repayments', requireRole('bank', 'operator'), async (req, res) => {
    const { id } = parseOrThrow(LoanId, req.params);
    const row = await loanForActor(res, id);
    res.json(presentRepayments(await listRepayments(db, row.loan.id)));
  });

  router.post('/loans/:id/amendments', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(LoanId, req.params);
    const body = parseOrThrow(AmendmentBody, req.body);
    const loanInput = parseOrThrow(LoanInput, body.loan, ['loan']);
    const result = await perform(db, { now: now(), actor }, (ctx) =>
      amendLoan(ctx, { loanId: id, reason: body.reason, facts: loanFactsFromText(loanInput) }),
    );
    const stored = await findLoan(db, result.id, { institutionId: actor.institutionId, on: shanghaiDate(now()) });
    res.status(201).json(presentLoan(stored!));
  });

  router.post('/loans/:id/repayments', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(LoanId, req.params);
    const body = parseOrThrow(RepaymentBody, req.body);
    await perform(db, { now: now(), actor }, (ctx) =>
      recordRepayment(ctx, { loanId: id, repaidOn: body.repaidOn, amountFen: parseYuan(body.amount)! }),
    );
    const stored = await findLoan(db, id, { institutionId: actor.institutionId, on: shanghaiDate(now()) });
    res.status(201).json(presentLoan(stored!));
  });

  router.post('/loans/:id/accept', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(LoanId, req.params);
    const body = parseOrThrow(AcceptBody, req.body);
    const input = { loanId: id, reason: body.reason, on: body.on };
    const proposed = await perform(db, { now: now(), actor }, (ctx) =>
      proposeAct(ctx, 'accept_flagged_loan', input, { reason: body.reason }),
    );
    if (proposed.performed) throw new Error('accepting a flagged loan always takes four eyes');
    await answerProposal({ database, now }, res, proposed.approval.id);
  });

  return router;
}
