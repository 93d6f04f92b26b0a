/** The double-entry journal: entries (newest first), derived balances, reversals, and the verification walk. */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { reversalOf, type ChainedEntry } from '../../domain/ledger/entry.js';
import { formatYuan } from '../../domain/money.js';
import type { Tx } from '../../db/client.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { accountBalances, appendEntries, findEntry, isReversed, listEntries, lockJournal, verifyJournal } from '../../db/repositories/journal.js';
import { institutions } from '../../db/schema/index.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { isUuid, keysetCursor } from '../../schemas/refinancing.js';
import { invalidCursor } from './facilities.js';
import { BalancesView, JournalEntryView, JournalListQuery, ReverseBody, VerifyView } from '../../schemas/journal.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';

async function codes(db: Tx) {
  const rows = await db.select({ id: institutions.id, code: institutions.code }).from(institutions);
  return new Map(rows.map((r) => [r.id, r.code]));
}

const present = (e: ChainedEntry, codeOf: Map<string, string>): z.infer<typeof JournalEntryView> => ({
  id: e.id,
  sequence: e.sequence.toString(),
  institution: codeOf.get(e.institutionId) ?? e.institutionId,
  kind: e.kind,
  effectiveOn: e.effectiveOn,
  reversesId: e.reversesId,
  memo: e.memo,
  lines: e.lines.map((l) => ({ account: l.account, facilityId: l.facilityId, debit: formatYuan(l.debitFen), credit: formatYuan(l.creditFen) })),
  prevHash: e.prevHash,
  hash: e.hash,
});

describe({ method: 'get', path: '/api/v1/journal', tag: 'journal', roles: ['bank', 'operator'], summary: "Journal entries, newest first (a bank's own)", query: JournalListQuery, responses: { 200: pageOf(JournalEntryView) } });
describe({ method: 'get', path: '/api/v1/journal/verify', tag: 'journal', roles: ['operator', 'verifier', 'bank'], summary: 'Walk the hash chain: every entry balanced, linked and unaltered, debits = credits per institution; names the first entry that breaks it', responses: { 200: VerifyView } });
describe({ method: 'get', path: '/api/v1/journal/balances', tag: 'journal', roles: ['bank', 'operator'], summary: 'Balances derived from the journal per account (?institution= for an operator)', query: z.object({ institution: z.string().max(32).optional() }), responses: { 200: BalancesView } });
describe({ method: 'get', path: '/api/v1/journal/entries/:id', tag: 'journal', roles: ['bank', 'operator'], summary: 'One entry', responses: { 200: JournalEntryView } });
describe({ method: 'post', path: '/api/v1/journal/entries/:id/reverse', tag: 'journal', roles: ['operator'], summary: 'Correct an entry with a reversing entry (the original stays)', body: ReverseBody, responses: { 201: JournalEntryView }, idempotent: true });

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
    const codeOf = await codes(db);
    const last = page.entries[page.entries.length - 1];
    res.json({ items: page.entries.map((e) => present(e, codeOf)), nextCursor: page.more && last ? encodeCursor([last.sequence.toString()]) : null });
  });

  router.get('/journal/verify', requireRole('operator', 'verifier', 'bank'), async (_req, res) => {
    const actor = actorOf(res);
    const report = await db.transaction((tx) => verifyJournal(tx), { isolationLevel: 'repeatable read', accessMode: 'read only' });
    // the chain is checked whole; a bank sees only its own sums
    const visible = actor.role === 'bank' ? report.institutions.filter((i) => i.code === actor.institutionCode) : report.institutions;
    res.json({
      ...report,
      institutions: visible.map((i) => ({ code: i.code, debits: formatYuan(i.debitFen), credits: formatYuan(i.creditFen), balanced: i.balanced })),
    });
  });

  router.get('/journal/balances', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(z.object({ institution: z.string().max(32).optional() }), req.query);
    const actor = actorOf(res);
    let institutionId: string | undefined = actor.role === 'operator' ? undefined : actor.institutionId;
    let code: string | null = actor.role === 'operator' ? null : actor.institutionCode;
    if (actor.role === 'operator' && q.institution) {
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw notFound(`institution ${q.institution}`);
      institutionId = inst.id;
      code = inst.code;
    }
    const rows = await accountBalances(db, institutionId);
    res.json({ institution: code, accounts: rows.map((r) => ({ account: r.account, debit: formatYuan(r.debitFen), credit: formatYuan(r.creditFen), balance: formatYuan(r.debitFen - r.creditFen) })) });
  });

  router.get('/journal/entries/:id', requireRole('bank', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const id = String(req.params.id);
    const entry = isUuid(id) ? await findEntry(db, id) : null;
    if (!entry || (actor.role !== 'operator' && entry.institutionId !== actor.institutionId)) throw notFound(`journal entry ${id}`);
    res.json(present(entry, await codes(db)));
  });

  router.post('/journal/entries/:id/reverse', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(ReverseBody, req.body);
    const actor = actorOf(res);
    const id = String(req.params.id);
    const view = await db.transaction(async (tx) => {
      const entry = isUuid(id) ? await findEntry(tx, id) : null;
      if (!entry) throw notFound(`journal entry ${id}`);
      // serialise with every other append first, so two reversals of one entry cannot both pass the check
      await lockJournal(tx);
      if (entry.kind === 'reversal') throw conflict('cannot_reverse_a_reversal', 'a reversal is corrected by booking the right entry again, not by reversing the reversal');
      if (await isReversed(tx, entry.id)) throw conflict('entry_already_reversed', `entry ${entry.sequence} has already been reversed`);
      const [reversal] = await appendEntries(tx, [reversalOf(entry, shanghaiDate(now()), body.reason)], actor.userId);
      return present(reversal, await codes(tx));
    });
    res.status(201).json(view);
  });

  return router;
}
