/** The double-entry journal: entries (newest first), derived balances, reversals, and the verification walk. */
import { perform } from '../../app/perform.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { answerProposal } from './approvals.js';
import { Router } from 'express';
import { verifyJournal } from '../../app/ledger/journal.js';
import { banksAssignedTo } from '../../db/read-models/verifier-banks.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { accountBalancesOn } from '../../db/read-models/facility-statistics.js';
import { BalancesQuery } from '../../schemas/statistics.js';
import { accountBalances, findEntry, institutionCodes, listEntries } from '../../db/repositories/journal.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { keysetCursor } from '../../schemas/refinancing.js';
import { BalancesView, JournalEntryView, JournalListQuery, ReverseBody, VerifyView } from '../../schemas/journal.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentBalances, presentEntry, presentVerifyReport } from '../presenters/journal.js';
import { parseOrThrow } from '../validate.js';
import { invalidCursor } from './facilities.js';

describe({
  method: 'get',
  path: '/api/v1/journal',
  operationId: 'listJournalEntries',
  tag: 'journal',
  roles: ['bank', 'operator'],
  summary: "Journal entries, newest first (a bank's own)",
  query: JournalListQuery,
  responses: { 200: pageOf(JournalEntryView) },
});
describe({
  method: 'get',
  path: '/api/v1/journal/verify',
  operationId: 'verifyJournal',
  tag: 'journal',
  roles: ['operator', 'verifier', 'bank'],
  summary:
    'Walk the hash chain: every entry balanced, linked and unaltered, debits = credits per institution; names the first entry that breaks it. A bank sees its own totals, a verifier those of the banks it is assigned to verify',
  responses: { 200: VerifyView },
});
describe({
  method: 'get',
  path: '/api/v1/journal/balances',
  operationId: 'getJournalBalances',
  tag: 'journal',
  roles: ['bank', 'operator'],
  summary:
    'Balances derived from the journal per account (?institution= for an operator; ?on= as of a date: entries dated on or before it)',
  query: BalancesQuery,
  responses: { 200: BalancesView },
});
describe({
  method: 'get',
  path: '/api/v1/journal/entries/:id',
  operationId: 'getJournalEntry',
  tag: 'journal',
  roles: ['bank', 'operator'],
  summary: 'One entry',
  responses: { 200: JournalEntryView },
});
describe({
  method: 'post',
  path: '/api/v1/journal/entries/:id/reverse',
  operationId: 'reverseJournalEntry',
  errors: ['entry_already_reversed', 'cannot_reverse_a_reversal'],
  tag: 'journal',
  roles: ['operator'],
  summary:
    'Propose correcting an entry with a reversing entry (four eyes: booked when another operator confirms it; the original stays); refused at once (entry_already_reversed, cannot_reverse_a_reversal)',
  body: ReverseBody,
  responses: { 202: ApprovalView },
  idempotent: true,
});

export function journalRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/journal', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(JournalListQuery, req.query);
    const actor = actorOf(res);
    let institutionId: string | undefined = actor.role === 'operator' ? undefined : actor.institutionId;
    if (!institutionId && q.institution) {
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw notFound(`institution ${q.institution}`);
      institutionId = inst.id;
    }
    const cursor = keysetCursor(q.cursor, ['sequence']);
    if (cursor === null) throw invalidCursor();
    const page = await listEntries(db, { institutionId, kind: q.kind, before: cursor ? BigInt(cursor[0]) : undefined, limit: q.limit });
    const codeOf = await institutionCodes(
      db,
      page.entries.map((e) => e.institutionId),
    );
    const last = page.entries[page.entries.length - 1];
    res.json({
      items: page.entries.map((e) => presentEntry(e, codeOf)),
      nextCursor: page.more && last ? encodeCursor([last.sequence.toString()]) : null,
    });
  });

  router.get('/journal/verify', requireRole('operator', 'verifier', 'bank'), async (_req, res) => {
    const actor = actorOf(res);
    const report = await perform(db, { now: now(), actor }, ({ tx }) => verifyJournal(tx), {
      isolationLevel: 'repeatable read',
      accessMode: 'read only',
    });
    // the chain is checked whole; a bank sees only its own sums, a verifier those of the banks it is assigned
    const assigned = actor.role === 'verifier' ? new Set(await banksAssignedTo(db, actor.institutionId)) : null;
    const visible = (code: string) =>
      actor.role === 'operator' || (actor.role === 'bank' ? code === actor.institutionCode : assigned!.has(code));
    res.json(presentVerifyReport(report, visible));
  });

  router.get('/journal/balances', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(BalancesQuery, req.query);
    const actor = actorOf(res);
    let institutionId: string | undefined = actor.role === 'operator' ? undefined : actor.institutionId;
    let code: string | null = actor.role === 'operator' ? null : actor.institutionCode;
    if (actor.role === 'operator' && q.institution) {
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw notFound(`institution ${q.institution}`);
      institutionId = inst.id;
      code = inst.code;
    }
    const balances = q.on ? await accountBalancesOn(db, q.on, institutionId) : await accountBalances(db, institutionId);
    res.json(presentBalances(code, balances));
  });

  router.get('/journal/entries/:id', requireRole('bank', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const id = String(req.params.id);
    const entry = await findEntry(db, id);
    if (!entry || (actor.role !== 'operator' && entry.institutionId !== actor.institutionId)) throw notFound(`journal entry ${id}`);
    res.json(presentEntry(entry, await institutionCodes(db, [entry.institutionId])));
  });

  router.post('/journal/entries/:id/reverse', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(ReverseBody, req.body);
    const actor = actorOf(res);
    const input = { entryId: String(req.params.id), reason: body.reason, on: body.on };
    const proposed = await perform(db, { now: now(), actor }, (ctx) => proposeAct(ctx, 'reverse_entry', input, { reason: body.reason }));
    if (proposed.performed) throw new Error('reversing an entry always takes four eyes');
    await answerProposal({ database, now }, res, proposed.approval.id);
  });

  return router;
}
