/**
 * Statements: a bank's statement format (effective-dated; the bank itself or an operator), the projects
 * a bank names in its compiled disclosure before it submits, and the frozen list of loans a version
 * counted (the bank, its assigned verifier and operators; JSON pages or CSV).
 */
import { perform } from '../../app/perform.js';
import { z } from 'zod';
import { Router } from 'express';
import { nameProjects } from '../../app/disclosures/name-projects.js';
import { bankOf } from '../../app/disclosures/workflow.js';
import { setStatementFormat, statementFormatHistory } from '../../app/institutions/set-statement-format.js';
import { canSee, versionView, versionViewsOf } from '../../db/read-models/disclosure-versions.js';
import { loanSetPage } from '../../db/repositories/disclosure-loans.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { decodeCursor, encodeCursor, isUuid } from '../../schemas/common.js';
import { Disclosure } from '../../schemas/disclosures.js';
import { DisclosureLoanPage, LoanSetQuery, NamedProjectsBody, StatementFormatBody, StatementFormatView } from '../../schemas/statements.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { presentVersion } from '../presenters/disclosures.js';
import { DISCLOSURE_LOAN_COLUMNS, presentDisclosureLoan, presentStatementFormat } from '../presenters/statements.js';
import { streamCsv } from '../downloads.js';
import { parseOrThrow } from '../validate.js';
import { visibilityOf } from './disclosures.js';
import { disclosureRef } from './disclosure-ref.js';

const FormatPath = '/api/v1/institutions/:code/statement-format';
const DisclosurePath = '/api/v1/disclosures/:institutionCode/:quarter';
/** loans read per query while a version's loans.csv streams */
const CSV_PAGE = 1_000;
describe({
  method: 'get',
  path: FormatPath,
  operationId: 'getStatementFormat',
  tag: 'institutions',
  roles: ['bank', 'operator'],
  summary: "A bank's statement format: the setting in force today and every setting with its date",
  responses: { 200: StatementFormatView },
});
describe({
  method: 'put',
  path: FormatPath,
  operationId: 'setStatementFormat',
  tag: 'institutions',
  roles: ['bank', 'operator'],
  summary:
    "Set a bank's statement format from a date: decimals per figure, whole amounts, trailing zeros, thousands separators, wording variant (422 decimals_out_of_range)",
  body: StatementFormatBody,
  responses: { 200: StatementFormatView },
  idempotent: true,
});
describe({
  method: 'put',
  path: `${DisclosurePath}/named-projects`,
  operationId: 'nameStatementProjects',
  tag: 'disclosures',
  roles: ['bank'],
  summary:
    'Name 0–3 counted projects in the compiled statement before submitting (422 named_project_not_counted, duplicate_project; 409 illegal_transition once submitted)',
  body: NamedProjectsBody,
  responses: { 200: Disclosure },
  idempotent: true,
});
describe({
  method: 'get',
  path: `${DisclosurePath}/loans`,
  operationId: 'listDisclosureLoans',
  tag: 'disclosures',
  roles: ['bank', 'operator', 'verifier'],
  summary: 'The frozen list of loans a version counted (the bank, its assigned verifier, operators); also as …/loans.csv',
  query: LoanSetQuery,
  responses: { 200: DisclosureLoanPage },
});
describe({
  method: 'get',
  path: `${DisclosurePath}/loans.csv`,
  tag: 'disclosures',
  roles: ['bank', 'operator', 'verifier'],
  operationId: 'downloadDisclosureLoansCsv',
  summary: 'The frozen list of loans a version counted, as CSV (one row per loan; `?version=`)',
  query: LoanSetQuery.pick({ version: true }),
  responses: {
    200: { description: 'One row per counted loan', content: { 'text/csv': z.string().meta({ examples: ['loanId,loanRef,…'] }) } },
  },
});

export function statementRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const ref = disclosureRef;
  const formatView = (code: string, history: Parameters<typeof presentStatementFormat>[0][], today: string) => {
    const inForce = history.filter((h) => h.effectiveFrom <= today).at(-1) ?? null;
    return { institution: code, setting: inForce && presentStatementFormat(inForce), history: history.map(presentStatementFormat) };
  };
  const today = () => deps.now().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });

  router.get('/institutions/:code/statement-format', requireRole('bank', 'operator'), async (req, res) => {
    const code = String(req.params.code);
    const history = await perform(db, actingOf(deps, res), (ctx) => statementFormatHistory(ctx, { code }));
    res.json(formatView(code, history, today()));
  });

  router.put('/institutions/:code/statement-format', requireRole('bank', 'operator'), async (req, res) => {
    const body = parseOrThrow(StatementFormatBody, req.body ?? {});
    const code = String(req.params.code);
    const { effectiveFrom, ...format } = body;
    const { history } = await perform(db, actingOf(deps, res), (ctx) => setStatementFormat(ctx, { code, effectiveFrom, format }));
    res.json(formatView(code, history, today()));
  });

  router.put('/disclosures/:institutionCode/:quarter/named-projects', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(NamedProjectsBody, req.body ?? {});
    const target = ref(req);
    const row = await perform(db, actingOf(deps, res), (ctx) => nameProjects(ctx, { ...target, projects: body.projects }));
    res.json(presentVersion((await versionView(db, row.id))!));
  });

  router.get(
    ['/disclosures/:institutionCode/:quarter/loans', '/disclosures/:institutionCode/:quarter/loans.csv'],
    requireRole('bank', 'operator', 'verifier'),
    async (req, res) => {
      const csv = req.path.endsWith('.csv');
      const query = parseOrThrow(LoanSetQuery, req.query);
      const { institutionCode, quarter } = ref(req);
      const bank = await bankOf(db, institutionCode);
      const actor = actorOf(res);
      const vis = visibilityOf(actor);
      // the list is not public: a bank its own, a verifier the versions assigned to it, operators all
      const mayRead = (v: Awaited<ReturnType<typeof versionViewsOf>>[number]) =>
        canSee(vis, v) &&
        (actor.role === 'operator' ||
          (actor.role === 'bank' && v.version.institutionId === actor.institutionId) ||
          (actor.role === 'verifier' && v.verification?.verifierId === actor.institutionId));
      const visible = (await versionViewsOf(db, bank.id, quarter)).filter(mayRead);
      const view = query.version ? visible.find((v) => v.version.version === query.version) : visible.at(-1);
      if (!view) throw notFound(`disclosure ${bank.code} ${quarter}${query.version ? ` version ${query.version}` : ''}`);
      const content = view.version.content as DisclosureContent;
      if (csv) {
        // streamed a page at a time: memory stays flat however many loans the version counted
        const versionId = view.version.id;
        async function* pages() {
          for (let after: string | null = null; ;) {
            const rows = await loanSetPage(db, versionId, { limit: CSV_PAGE, afterLoanId: after });
            const page = rows.slice(0, CSV_PAGE);
            if (page.length) yield page;
            if (rows.length <= CSV_PAGE) return;
            after = page[page.length - 1].loanId;
          }
        }
        return streamCsv(res, `cerf-${bank.code}-${quarter}-v${view.version.version}-loans.csv`, DISCLOSURE_LOAN_COLUMNS, pages(), (r) => {
          const l = presentDisclosureLoan(r);
          return DISCLOSURE_LOAN_COLUMNS.map((c) => l[c]);
        });
      }
      const cursor = decodeCursor(query.cursor);
      const after = cursor && typeof cursor[0] === 'string' && isUuid(cursor[0]) ? cursor[0] : null;
      if (query.cursor && !after)
        throw validationFailed([{ path: 'cursor', code: 'invalid_cursor', message: 'the cursor is not one this API gave' }]);
      const rows = await loanSetPage(db, view.version.id, { limit: query.limit, afterLoanId: after });
      const page = rows.slice(0, query.limit);
      res.json({
        institution: bank.code,
        quarter,
        version: view.version.version,
        loanSet: content.loanSet ?? null,
        items: page.map(presentDisclosureLoan),
        nextCursor: rows.length > query.limit ? encodeCursor([page[page.length - 1].loanId]) : null,
      });
    },
  );

  return router;
}
