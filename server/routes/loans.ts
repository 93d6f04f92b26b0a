/** Loan submissions by banks (API.md "Loans"): single, batch, list, get, amendments, repayments, acceptance. */
import { proposeAct } from '../../app/approvals/propose-act.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { answerProposal } from './approvals.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { loanFactsFromText } from '../../domain/loans/facts.js';
import { parseYuan } from '../../domain/money.js';
import { amendLoan, recordRepayment } from '../../app/loans/change-loan.js';
import { submitLoan, submitLoans, type SubmittedRow } from '../../app/loans/submit-loans.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { findLoan, listLoans, listLoanVersions, listRepayments } from '../../db/repositories/loans.js';
import { decodeCursor, encodeCursor, pageOf } from '../../schemas/common.js';
import {
  AcceptBody,
  AmendmentBody,
  BatchResult,
  LoanBatchBody,
  LoanInput,
  LoanListQuery,
  LoanVersionView,
  LoanView,
  RepaymentBody,
} from '../../schemas/loans.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { notFound, validationFailed, zodViolations } from '../errors.js';
import { describe } from '../openapi.js';
import { presentBatch, presentLoan, presentLoanVersions, presentRepayments } from '../presenters/loans.js';
import { parseOrThrow } from '../validate.js';

const LoanId = z.object({ id: z.string() });

describe({
  method: 'post',
  path: '/api/v1/loans',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Submit one loan: 201 created, 200 when identical to the stored one, 409 when the reference exists with other content',
  body: LoanInput,
  responses: { 201: LoanView, 200: LoanView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/loans/batch',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Submit up to 10,000 loans; each row is created, unchanged or an error (which writes nothing)',
  body: LoanBatchBody,
  responses: { 200: BatchResult },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/loans',
  tag: 'loans',
  roles: ['bank', 'operator'],
  summary: "A bank's loans (an operator's: all, or ?institution=)",
  query: LoanListQuery,
  responses: { 200: pageOf(LoanView) },
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id',
  tag: 'loans',
  roles: ['bank', 'operator'],
  summary: 'One loan',
  responses: { 200: LoanView },
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id/versions',
  tag: 'loans',
  roles: ['bank', 'operator'],
  summary: 'Every version of a loan, oldest first',
  responses: { 200: z.object({ items: z.array(LoanVersionView) }) },
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/amendments',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Amend a loan: a new version with a reason; earlier versions are kept',
  body: AmendmentBody,
  responses: { 201: LoanView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/repayments',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Record a repayment of principal by the borrower',
  body: RepaymentBody,
  responses: { 201: LoanView },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/loans/:id/repayments',
  tag: 'loans',
  roles: ['bank', 'operator'],
  summary: "A loan's repayments",
  responses: { 200: z.object({ items: z.array(z.object({ id: z.string(), repaidOn: z.string(), amount: z.string() })) }) },
});
describe({
  method: 'post',
  path: '/api/v1/loans/:id/accept',
  tag: 'loans',
  roles: ['operator'],
  summary:
    'Propose accepting a loan flagged for its rate, with a reason (four eyes: it becomes eligible when another operator confirms it); refused at once (loan_not_flagged) when it could not be accepted',
  body: AcceptBody,
  responses: { 202: ApprovalView },
  idempotent: true,
});

export function loanRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  /** A bank sees only its own loans; an operator sees all. Others: 404 as if absent. */
  async function loanForActor(res: Response, id: string) {
    const actor = actorOf(res);
    const row = await findLoan(db, id, actor.role === 'operator' ? {} : { institutionId: actor.institutionId });
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
    const result = await db.transaction((tx) => submitLoan({ tx, now: now(), actor }, row));
    const stored = await findLoan(db, result.id, { institutionId: actor.institutionId });
    res.status(result.status === 'created' ? 201 : 200).json(presentLoan(stored!));
  });

  router.post('/loans/batch', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const body = parseOrThrow(LoanBatchBody, req.body);
    const rows = body.loans.map((value, index) => parseRow(value, index, ['loans', index]));
    const results = await db.transaction((tx) => submitLoans({ tx, now: now(), actor }, rows));
    res.json(presentBatch(results));
  });

  router.get('/loans', requireRole('bank', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const q = parseOrThrow(LoanListQuery, req.query);
    let institutionId: string | undefined = actor.institutionId;
    if (actor.role === 'operator') {
      institutionId = undefined;
      if (q.institution) {
        const institution = await findInstitutionByCode(db, q.institution);
        if (!institution) throw notFound(`institution ${q.institution}`);
        institutionId = institution.id;
      }
    }
    const cursor = decodeCursor(q.cursor);
    if (q.cursor && (!cursor || typeof cursor[0] !== 'string' || typeof cursor[1] !== 'string')) {
      throw validationFailed([{ path: 'cursor', code: 'invalid_cursor', message: 'the cursor is not one this API gave out' }]);
    }
    const rows = await listLoans(db, {
      institutionId,
      subArea: q.subArea,
      disbursedFrom: q.disbursedFrom,
      disbursedTo: q.disbursedTo,
      eligibility: q.eligibility,
      eligible: q.eligible === undefined ? undefined : q.eligible === 'true',
      projectRef: q.projectRef,
      after: cursor ? { disbursedOn: cursor[0] as string, id: cursor[1] as string } : undefined,
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
    const result = await db.transaction((tx) =>
      amendLoan({ tx, now: now(), actor }, { loanId: id, reason: body.reason, facts: loanFactsFromText(loanInput) }),
    );
    const stored = await findLoan(db, result.id, { institutionId: actor.institutionId });
    res.status(201).json(presentLoan(stored!));
  });

  router.post('/loans/:id/repayments', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(LoanId, req.params);
    const body = parseOrThrow(RepaymentBody, req.body);
    await db.transaction((tx) =>
      recordRepayment({ tx, now: now(), actor }, { loanId: id, repaidOn: body.repaidOn, amountFen: parseYuan(body.amount)! }),
    );
    const stored = await findLoan(db, id, { institutionId: actor.institutionId });
    res.status(201).json(presentLoan(stored!));
  });

  router.post('/loans/:id/accept', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(LoanId, req.params);
    const body = parseOrThrow(AcceptBody, req.body);
    const input = { loanId: id, reason: body.reason, on: body.on };
    const proposed = await db.transaction((tx) =>
      proposeAct({ tx, now: now(), actor }, 'accept_flagged_loan', input, { reason: body.reason }),
    );
    if (proposed.performed) throw new Error('accepting a flagged loan always takes four eyes');
    await answerProposal({ database, now }, res, proposed.approval.id);
  });

  return router;
}
