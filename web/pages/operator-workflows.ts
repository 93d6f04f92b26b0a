/**
 * The operator's workflows in pages, each form running the same use case as its API route:
 * operations (open, allocate, close), flagged loans (accept), disclosures (compile, assign, publish),
 * verifier conflicts, collateral revaluation, tranches (roll over, repay), institutions and users.
 * Every command is parsed with the API's zod schema, runs in one transaction (`perform`) and comes back
 * to its page with what the use case answered, or with the refusal's page message and rule. The acts
 * the API takes four eyes for (app/approvals/kinds.ts: opening an operation, accepting a flagged loan,
 * publishing a disclosure, changing an institution's eligibility, adding an operator user) are proposed
 * here exactly as the API proposes them (`proposeAct`, same kind, same input): the page then says the
 * act awaits a second operator's confirmation, at /operator/approvals.
 */
import { Router, type Request, type Response } from 'express';
import { requestQuarterCompile } from '../../app/disclosures/compile-quarter.js';
import { assignDisclosure, declareConflict } from '../../app/disclosures/verification.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { addUser } from '../../app/institutions/add-user.js';
import { registerInstitution } from '../../app/institutions/register-institution.js';
import { updateInstitution } from '../../app/institutions/update-institution.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import type { Refusal } from '../../app/refusals.js';
import { revalueCollateral } from '../../app/refinancing/collateral.js';
import { allocateOperation } from '../../app/refinancing/decisions.js';
import { closeOperation } from '../../app/refinancing/operations.js';
import { repayTranche, rollOverTranche } from '../../app/refinancing/tranches.js';
import { listVersionViews } from '../../db/read-models/disclosure-versions.js';
import { allConflicts, pledgedCollateral } from '../../db/read-models/operator-workflows.js';
import type { ApprovalRow } from '../../db/repositories/approvals.js';
import { findInstitutionByCode, listInstitutions } from '../../db/repositories/institutions.js';
import { listLoans } from '../../db/repositories/loans.js';
import { listFacilities, listOperations } from '../../db/repositories/refinancing.js';
import { formatPpmAsPercent, formatYuan, parseYuan } from '../../domain/money.js';
import { hashPassword } from '../../platform/passwords.js';
import { isUuid, QuarterString } from '../../schemas/common.js';
import { CreateInstitutionBody, CreateUserBody } from '../../schemas/institutions.js';
import { AcceptBody } from '../../schemas/loans.js';
import { CreateOperationBody, RepayBody, RevalueBody } from '../../schemas/refinancing.js';
import { DeclareConflictBody } from '../../schemas/verification.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentOperation } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf, type PageContext } from './context.js';
import { cells, headRow, html, numCells, type Html } from './html.js';
import { fill, type Dict } from './i18n.js';
import { sendPage } from './layout.js';

const LIST_LIMIT = 200;
const CODE = /^[a-z_]{1,64}$/;
const FIELD = /^[A-Za-z0-9_.]{1,80}$/;
const YUAN_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';

type Form = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
/** the optional effective-date fields of a booking (`on`, `reason`) when filled in */
const dated = (form: Form) => ({
  ...(text(form.on) ? { on: text(form.on) } : {}),
  ...(text(form.reason) ? { reason: text(form.reason) } : {}),
});

/** A four-eyes act proposed from a page: pending until another operator confirms it at /operator/approvals. */
type Pending = { proposed: ApprovalRow };
const pending = (p: { performed: false; approval: ApprovalRow } | { performed: true }, what: string): Pending => {
  if (p.performed) throw new Error(`${what} always takes four eyes`);
  return { proposed: p.approval };
};
/** The query a page comes back with after a proposal: its id and its one-line summary. */
const proposedQuery = (a: ApprovalRow) => ({ proposed: a.id, what: a.summary.slice(0, 300) });

/** The rule a refusal names: a field-level refusal names it (and its field) in its first violation. */
const ruleOf = (r: Refusal) => (r.errors?.length ? { rule: r.errors[0].code, field: r.errors[0].path } : { rule: r.status, field: r.path });

/** What the page says after a command: the done message, or the refusal's message with its rule and field. */
function outcome(ctx: PageContext, req: Request): Html {
  const q = req.query;
  const status = typeof q.error === 'string' && CODE.test(q.error) ? q.error : null;
  if (status) {
    const rule = typeof q.rule === 'string' && CODE.test(q.rule) && q.rule !== status ? q.rule : null;
    const field = typeof q.field === 'string' && FIELD.test(q.field) ? q.field : null;
    const detail = [rule, field ? `${ctx.t.owField}: ${field}` : null].filter(Boolean).join(' · ');
    return html`<p class="error" role="alert">${pageRefusal(status, ctx.lang) ?? status}${detail ? html` — ${detail}` : ''}</p>`;
  }
  if (typeof q.proposed === 'string' && isUuid(q.proposed)) {
    const what = typeof q.what === 'string' ? q.what.slice(0, 300) : '';
    return html`<p class="notice" role="status">${ctx.t.owProposed}${what ? html`: ${what}` : ''} — <a href="/operator/approvals#approval-${q.proposed}">${ctx.t.owProposedLink}</a></p>`;
  }
  const done = typeof q.done === 'string' ? q.done.slice(0, 300) : '';
  return done ? html`<p class="notice" role="status">${ctx.t.owDone}: ${done}</p>` : html``;
}

/** The operator's workflow pages, as links (path, name). */
export function operatorWorkLinks({ t }: PageContext): [string, string][] {
  return [
    ['/operator/operations', t.opOperations],
    ['/operator/loans', t.owFlaggedHeading],
    ['/operator/disclosures', t.owDisclosuresHeading],
    ['/operator/conflicts', t.owConflictsHeading],
    ['/operator/collateral', t.owCollateralHeading],
    ['/operator/tranches', t.owTranchesHeading],
    ['/operator/institutions', t.owInstitutionsHeading],
  ];
}

/** Links between the operator's pages. */
function subnav(ctx: PageContext, current: string): Html {
  const { t } = ctx;
  const links: [string, string][] = [['/operator', t.operatorHeading], ...operatorWorkLinks(ctx)];
  return html`<nav class="subnav" aria-label="${t.owNavLabel}"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${href === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`;
}

const section = (id: string, heading: string, body: Html | string) =>
  html`<section aria-labelledby="${id}"><h2 id="${id}">${heading}</h2>${body}</section>`;

function table(caption: string, head: string[], rows: Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-scroll" role="region" aria-label="${caption}" tabindex="0"><table><caption class="visually-hidden">${caption}</caption>${headRow(head)}<tbody>${rows}</tbody></table></div>`;
}

/** The optional booking date and its reason (a date before today needs one), for forms that book. */
const dateFields = (ctx: PageContext, p: string) =>
  html`<label for="${p}-on">${ctx.t.owBookedOn}</label><input id="${p}-on" name="on" type="date">
<label for="${p}-reason">${ctx.t.owBackdateReason}</label><input id="${p}-reason" name="reason" maxlength="1000">`;

export function operatorWorkflowPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  /**
   * A command: the form is parsed into the use case's input (null: `invalid_input`), the use case runs
   * for the signed-in operator in one transaction, and the browser goes back to `page` with what it
   * answered (`done`, a short summary), with the proposal it stored (`proposed`, a four-eyes act) or
   * with the refusal.
   */
  const command =
    <I>(page: string, parse: (form: Form, req: Request) => I | null, run: (ctx: ActorContext, input: I) => Promise<string | Pending>) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const back = (query: Record<string, string | undefined>) => {
        const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
        res.redirect(303, `${page}?${q.toString()}`);
      };
      const input = parse({ ...((req.body ?? {}) as Form), ...req.params }, req);
      if (input === null) return back({ error: 'invalid_input' });
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => run(uc, input)));
      if (!result.ok) {
        const { rule, field } = ruleOf(result);
        return back({ error: result.status, rule, field });
      }
      void deps.services.jobs?.relayNow().catch(() => undefined);
      if (typeof result.value !== 'string') return back(proposedQuery(result.value.proposed));
      back({ done: result.value });
    };

  // ---- operations: open, allocate, close
  router.get('/operations', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const rows = await listOperations(db, { limit: LIST_LIMIT });
    const operationRows = rows.map(({ operation, usage }) => {
      const o = presentOperation(operation, usage);
      const q = o.quarter;
      const actions =
        o.status === 'open'
          ? html`<form method="post" action="/operator/operations/${q}/allocate" class="decision">${ctx.csrfField()}<button type="submit">${t.owAllocate}</button></form>
<form method="post" action="/operator/operations/${q}/close" class="decision">${ctx.csrfField()}<button type="submit" class="secondary">${t.owClose}</button></form>`
          : '';
      return html`<tr id="op-${q}"><th scope="row">${q}</th>${cells([o.status === 'open' ? t.owOpenStatus : t.owClosedStatus])}${numCells([
        o.volume,
        o.approved,
        o.disbursed,
        o.remaining,
        o.awaitingDecision.count,
      ])}<td>${actions}</td></tr>`;
    });
    const head = [t.quarter, t.opStatus, t.opVolume, t.opApproved, t.opDisbursed, t.opRemaining, t.opAwaiting, t.opAction];
    const body = html`<h1>${t.opOperations}</h1>${subnav(ctx, '/operator/operations')}${outcome(ctx, req)}
${section(
  'h-open',
  t.owOpenHeading,
  html`<form method="post" action="/operator/operations" class="stack narrow">${ctx.csrfField()}
<label for="op-quarter">${t.quarter}</label><input id="op-quarter" name="quarter" required pattern="\\d{4}Q[1-4]" placeholder="2022Q4">
<label for="op-volume">${t.owVolumeYuan}</label><input id="op-volume" name="volume" required inputmode="decimal" pattern="${YUAN_PATTERN}">
${dateFields(ctx, 'op')}
<button type="submit">${t.owOpen}</button></form>`,
)}
${section('h-ops', t.opOperations, html`<p class="hint">${t.owAllocateHint}</p>${table(t.opOperations, head, operationRows, t.opNone)}`)}`;
    sendPage(res, ctx, t.opOperations, body);
  });

  router.post(
    '/operations',
    command(
      '/operator/operations',
      (form) => {
        const parsed = CreateOperationBody.safeParse({ quarter: text(form.quarter), volume: text(form.volume), ...dated(form) });
        return parsed.success ? parsed.data : null;
      },
      async (ctx, b) => {
        // four eyes, as POST /api/v1/operations
        const input = { quarter: b.quarter, volumeFen: String(parseYuan(b.volume)!), on: b.on, reason: b.reason };
        return pending(await proposeAct(ctx, 'open_operation', input, { reason: b.reason }), 'opening an operation');
      },
    ),
  );
  const quarterOf = (form: Form) => (QuarterString.safeParse(text(form.quarter)).success ? text(form.quarter) : null);
  router.post(
    '/operations/:quarter/allocate',
    command(
      '/operator/operations',
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, { quarter }) => {
        const r = await allocateOperation(ctx, { quarter });
        const total = r.allocatedFen.reduce((s, x) => s + x, 0n);
        return `${quarter}: ${r.applications.length} → ${formatYuan(total)} (${r.rule}${r.oversubscribed ? ', oversubscribed' : ''})`;
      },
    ),
  );
  router.post(
    '/operations/:quarter/close',
    command(
      '/operator/operations',
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, { quarter }) => `${(await closeOperation(ctx, { quarter })).quarter} closed`,
    ),
  );

  // ---- loans flagged for their rate: accept with a reason
  router.get('/loans', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const rows = (await listLoans(db, { eligibility: 'flagged', limit: LIST_LIMIT })).slice(0, LIST_LIMIT);
    const loanRows = rows.map(({ loan, project, institutionCode: code }) => {
      return html`<tr id="loan-${loan.id}"><th scope="row">${loan.loanRef}</th>${cells([code, project.name, loan.disbursedOn])}${numCells([
        formatYuan(loan.principalFen),
        `${formatPpmAsPercent(loan.ratePpm, 4)}%`,
      ])}<td><form method="post" action="/operator/loans/${loan.id}/accept" class="decision">${ctx.csrfField()}
<label for="accept-${loan.id}">${t.opReason}</label><input id="accept-${loan.id}" name="reason" required maxlength="1000">
<button type="submit">${t.owAccept}</button></form></td></tr>`;
    });
    const head = [t.loanRef, t.institution, t.vfProject, t.vfDisbursedOn, t.principal, t.rate, t.opAction];
    const body = html`<h1>${t.owFlaggedHeading}</h1>${subnav(ctx, '/operator/loans')}${outcome(ctx, req)}
<p class="hint">${t.owFlaggedHint}</p>${table(t.owFlaggedHeading, head, loanRows, t.opNone)}`;
    sendPage(res, ctx, t.owFlaggedHeading, body);
  });
  router.post(
    '/loans/:id/accept',
    command(
      '/operator/loans',
      (form) => {
        const parsed = AcceptBody.safeParse({ reason: text(form.reason), ...(text(form.on) ? { on: text(form.on) } : {}) });
        return parsed.success && isUuid(text(form.id)) ? { loanId: text(form.id), reason: parsed.data.reason, on: parsed.data.on } : null;
      },
      // four eyes, as POST /api/v1/loans/:id/accept
      async (ctx, input) =>
        pending(await proposeAct(ctx, 'accept_flagged_loan', input, { reason: input.reason }), 'accepting a flagged loan'),
    ),
  );

  // ---- disclosures: compile a quarter, assign a verifier, publish
  router.get('/disclosures', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const views = await listVersionViews(db, { visibility: { kind: 'operator' } }, { limit: LIST_LIMIT, after: null });
    const verifiers = (await listInstitutions(db, { kind: 'verifier', limit: LIST_LIMIT })).slice(0, LIST_LIMIT);
    // the latest version of each bank's quarter is the one the verbs act on
    const seen = new Set<string>();
    const latest = views.filter((v) => {
      const key = `${v.institution.code}/${v.version.quarter}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const rows = latest.map((v) => {
      const { code } = v.institution;
      const q = v.version.quarter;
      const p = `d-${code}-${q}`;
      const base = `/operator/disclosures/${code}/${q}`;
      const verifierOptions = verifiers.map(
        (i) => html`<option value="${i.code}">${i.code} · ${ctx.lang === 'zh' ? i.nameZh : i.nameEn}</option>`,
      );
      const action =
        v.version.status === 'submitted'
          ? html`<form method="post" action="${base}/assign" class="decision">${ctx.csrfField()}
<label for="${p}-verifier">${t.verifier}</label><select id="${p}-verifier" name="verifier" required><option value="">${t.vfChoose}</option><option value="least_loaded">${t.owByRule}</option>${verifierOptions}</select>
<button type="submit">${t.owAssign}</button></form>`
          : v.version.status === 'verified'
            ? html`<form method="post" action="${base}/publish" class="decision">${ctx.csrfField()}<button type="submit">${t.owPublish}</button></form>`
            : '';
      return html`<tr id="${p}"><th scope="row">${ctx.lang === 'zh' ? v.institution.nameZh : v.institution.nameEn} (${code})</th>${cells([
        q,
        v.version.version,
        v.version.status,
        v.verification ? `${v.verification.verifier}${v.verification.verdict ? ` · ${v.verification.verdict}` : ''}` : '—',
      ])}<td>${action}</td></tr>`;
    });
    const head = [t.institution, t.quarter, t.version, t.opStatus, t.verifier, t.opAction];
    const body = html`<h1>${t.owDisclosuresHeading}</h1>${subnav(ctx, '/operator/disclosures')}${outcome(ctx, req)}
${section(
  'h-compile',
  t.owCompileHeading,
  html`<form method="post" action="/operator/disclosures/compile" class="stack narrow">${ctx.csrfField()}
<label for="compile-quarter">${t.quarter}</label><input id="compile-quarter" name="quarter" required pattern="\\d{4}Q[1-4]" placeholder="2022Q3">
<button type="submit">${t.owCompile}</button></form><p class="hint">${t.owCompileHint}</p>`,
)}
${section('h-versions', t.owDisclosuresHeading, table(t.owDisclosuresHeading, head, rows, t.opNone))}`;
    sendPage(res, ctx, t.owDisclosuresHeading, body);
  });
  router.post(
    '/disclosures/compile',
    command(
      '/operator/disclosures',
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, input) => {
        const r = await requestQuarterCompile(ctx, input);
        return `${input.quarter}: ${r.jobId}${r.new ? '' : ' (running)'} · ${r.banks.join(', ') || '—'}`;
      },
    ),
  );
  const disclosureRef = (form: Form) =>
    /^[A-Z0-9_-]{2,32}$/.test(text(form.institutionCode)) && quarterOf(form)
      ? { institutionCode: text(form.institutionCode), quarter: quarterOf(form)! }
      : null;
  router.post(
    '/disclosures/:institutionCode/:quarter/assign',
    command(
      '/operator/disclosures',
      (form) => {
        const ref = disclosureRef(form);
        const verifier = text(form.verifier);
        if (!ref || !verifier || verifier.length > 50) return null;
        return { ...ref, choice: verifier === 'least_loaded' ? { rule: 'least_loaded' as const } : { verifier }, sampling: {} };
      },
      async (ctx, input) => {
        const r = await assignDisclosure(ctx, input);
        return r.kind === 'job'
          ? `${input.institutionCode} ${input.quarter}: ${r.jobId}`
          : `${input.institutionCode} ${input.quarter} assigned`;
      },
    ),
  );
  router.post(
    '/disclosures/:institutionCode/:quarter/publish',
    command(
      '/operator/disclosures',
      (form) => disclosureRef(form),
      // four eyes, as POST /api/v1/disclosures/:code/:quarter/publish
      async (ctx, ref) => pending(await proposeAct(ctx, 'publish_disclosure', ref), 'publishing by hand'),
    ),
  );

  // ---- verifier conflicts
  router.get('/conflicts', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const [conflicts, verifiers, banks] = [
      await allConflicts(db, LIST_LIMIT),
      (await listInstitutions(db, { kind: 'verifier', limit: LIST_LIMIT })).slice(0, LIST_LIMIT),
      (await listInstitutions(db, { kind: 'bank', limit: 1000 })).slice(0, 1000),
    ];
    const name = (i: { nameZh: string; nameEn: string }) => (ctx.lang === 'zh' ? i.nameZh : i.nameEn);
    const options = (list: typeof banks) => list.map((i) => html`<option value="${i.code}">${i.code} · ${name(i)}</option>`);
    const rows = conflicts.map((c) => html`<tr><th scope="row">${c.verifier}</th>${cells([c.bank, c.reason])}</tr>`);
    const body = html`<h1>${t.owConflictsHeading}</h1>${subnav(ctx, '/operator/conflicts')}${outcome(ctx, req)}
<p class="hint">${t.owConflictsHint}</p>
${section(
  'h-declare',
  t.owDeclareHeading,
  html`<form method="post" action="/operator/conflicts" class="stack narrow">${ctx.csrfField()}
<label for="cf-verifier">${t.verifier}</label><select id="cf-verifier" name="verifier" required><option value="">${t.vfChoose}</option>${options(verifiers)}</select>
<label for="cf-bank">${t.vfBank}</label><select id="cf-bank" name="bank" required><option value="">${t.vfChoose}</option>${options(banks)}</select>
<label for="cf-reason">${t.opReason}</label><input id="cf-reason" name="reason" required maxlength="2000">
<button type="submit">${t.owDeclare}</button></form>`,
)}
${section('h-conflicts', t.owConflictsHeading, table(t.owConflictsHeading, [t.verifier, t.vfBank, t.opReason], rows, t.opNone))}`;
    sendPage(res, ctx, t.owConflictsHeading, body);
  });
  router.post(
    '/conflicts',
    command(
      '/operator/conflicts',
      (form) => {
        const parsed = DeclareConflictBody.safeParse({ bank: text(form.bank), reason: text(form.reason) });
        const verifier = text(form.verifier);
        return parsed.success && verifier && verifier.length <= 50
          ? { verifierCode: verifier, bankCode: parsed.data.bank, reason: parsed.data.reason }
          : null;
      },
      async (ctx, input) => {
        const r = await declareConflict(ctx, input);
        return `${r.verifier} × ${r.bank}`;
      },
    ),
  );

  // ---- collateral: revalue
  router.get('/collateral', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const rows = (await pledgedCollateral(db, LIST_LIMIT)).map(({ collateral: c, institutionCode, quarter, applicationStatus }) => {
      const p = `cl-${c.id}`;
      return html`<tr id="${p}"><th scope="row">${c.instrumentRef}</th>${cells([institutionCode, quarter, applicationStatus, c.instrumentType])}${numCells(
        [formatYuan(c.faceFen), formatYuan(c.marketFen)],
      )}${cells([c.valuedOn])}<td><form method="post" action="/operator/collateral/${c.id}/revalue" class="decision">${ctx.csrfField()}
<label for="${p}-market">${t.owMarketValue}</label><input id="${p}-market" name="marketValue" required inputmode="decimal" pattern="${YUAN_PATTERN}">
<label for="${p}-valued">${t.owValuedOn}</label><input id="${p}-valued" name="valuedOn" type="date">
<button type="submit">${t.owRevalue}</button></form></td></tr>`;
    });
    const head = [
      t.owInstrument,
      t.institution,
      t.quarter,
      t.opStatus,
      t.owInstrumentType,
      t.owFaceValue,
      t.owMarketValue,
      t.owValuedOn,
      t.opAction,
    ];
    const body = html`<h1>${t.owCollateralHeading}</h1>${subnav(ctx, '/operator/collateral')}${outcome(ctx, req)}
<p class="hint">${t.owCollateralHint}</p>${table(t.owCollateralHeading, head, rows, t.opNone)}`;
    sendPage(res, ctx, t.owCollateralHeading, body);
  });
  router.post(
    '/collateral/:id/revalue',
    command(
      '/operator/collateral',
      (form) => {
        const parsed = RevalueBody.safeParse({
          marketValue: text(form.marketValue),
          ...(text(form.valuedOn) ? { valuedOn: text(form.valuedOn) } : {}),
        });
        return parsed.success && isUuid(text(form.id))
          ? { collateralId: text(form.id), marketFen: parseYuan(parsed.data.marketValue)!, valuedOn: parsed.data.valuedOn }
          : null;
      },
      async (ctx, input) => {
        const r = await revalueCollateral(ctx, input);
        return `${r.collateral.instrumentRef}: ${formatYuan(r.collateral.marketFen)} (${r.collateral.valuedOn})`;
      },
    ),
  );

  // ---- tranches: roll over, repay
  router.get('/tranches', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const listed = (await listFacilities(db, { institutionId: null, limit: LIST_LIMIT })).slice(0, LIST_LIMIT);
    const live = listed.filter((l) => l.facility.status !== 'repaid' && l.facility.status !== 'rolled_over');
    const rows = live.map(({ facility: f, institutionCode }) => {
      const p = `tr-${f.id}`;
      return html`<tr id="${p}"><th scope="row">${institutionCode}</th>${cells([f.startOn, f.maturesOn, f.status])}${numCells([
        formatYuan(f.outstandingFen),
        f.rolloverCount,
      ])}<td><form method="post" action="/operator/tranches/${f.id}/rollover" class="decision">${ctx.csrfField()}<button type="submit">${t.owRollOver}</button></form>
<form method="post" action="/operator/tranches/${f.id}/repay" class="decision">${ctx.csrfField()}
<label for="${p}-principal">${t.owRepayPrincipal}</label><input id="${p}-principal" name="principal" required inputmode="decimal" pattern="${YUAN_PATTERN}">
<button type="submit" class="secondary">${t.owRepay}</button></form></td></tr>`;
    });
    const head = [t.institution, t.opStartOn, t.opMaturesOn, t.opStatus, t.opOutstanding, t.opRollovers, t.opAction];
    const body = html`<h1>${t.owTranchesHeading}</h1>${subnav(ctx, '/operator/tranches')}${outcome(ctx, req)}
<p class="hint">${t.owTranchesHint}</p>${table(t.owTranchesHeading, head, rows, t.opNone)}`;
    sendPage(res, ctx, t.owTranchesHeading, body);
  });
  router.post(
    '/tranches/:id/rollover',
    command(
      '/operator/tranches',
      (form) => (isUuid(text(form.id)) ? { facilityId: text(form.id) } : null),
      async (ctx, input) => {
        const r = await rollOverTranche(ctx, input);
        return `${formatYuan(r.facility.outstandingFen)} → ${r.facility.maturesOn}`;
      },
    ),
  );
  router.post(
    '/tranches/:id/repay',
    command(
      '/operator/tranches',
      (form) => {
        const parsed = RepayBody.safeParse({ principal: text(form.principal) });
        return parsed.success && isUuid(text(form.id))
          ? { facilityId: text(form.id), principalFen: parseYuan(parsed.data.principal)! }
          : null;
      },
      async (ctx, input) => {
        const r = await repayTranche(ctx, input);
        return `${formatYuan(r.paidPrincipalFen)} + ${formatYuan(r.paidInterestFen)}`;
      },
    ),
  );

  // ---- institutions and users: the API key is shown once, on the answer page
  const institutionsPage = async (req: Request, res: Response, shown?: { heading: string; lines: string[] }) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const list = (await listInstitutions(db, { limit: 1000 })).slice(0, 1000);
    const rows = list.map(
      (i) =>
        html`<tr id="inst-${i.code}"><th scope="row">${i.code}</th>${cells([i.kind, i.nameZh, i.nameEn, i.eligibleFrom ?? '—', i.eligibleUntil ?? '—'])}</tr>`,
    );
    const kinds = html`<option value="bank">${t.owKindBank}</option><option value="verifier">${t.owKindVerifier}</option>`;
    const codes = list.map((i) => html`<option value="${i.code}">${i.code}</option>`);
    const created = shown
      ? html`<div class="notice" role="status"><p><strong>${shown.heading}</strong></p>${shown.lines.map((l) => html`<p><code>${l}</code></p>`)}<p>${t.owKeyOnce}</p></div>`
      : '';
    const body = html`<h1>${t.owInstitutionsHeading}</h1>${subnav(ctx, '/operator/institutions')}${outcome(ctx, req)}${created}
${section(
  'h-register',
  t.owRegisterHeading,
  html`<form method="post" action="/operator/institutions" class="stack narrow">${ctx.csrfField()}
<label for="in-code">${t.owCode}</label><input id="in-code" name="code" required pattern="[A-Z0-9_\\-]{2,32}">
<label for="in-kind">${t.owKind}</label><select id="in-kind" name="kind">${kinds}</select>
<label for="in-zh">${t.owNameZh}</label><input id="in-zh" name="nameZh" required maxlength="200">
<label for="in-en">${t.owNameEn}</label><input id="in-en" name="nameEn" required maxlength="200" lang="en">
<label for="in-from">${t.owEligibleFrom}</label><input id="in-from" name="eligibleFrom" type="date">
<button type="submit">${t.owRegister}</button></form>`,
)}
${section(
  'h-user',
  t.owUserHeading,
  html`<form method="post" action="/operator/users" class="stack narrow">${ctx.csrfField()}
<label for="us-inst">${t.institution}</label><select id="us-inst" name="institutionCode" required><option value="">${t.vfChoose}</option>${codes}</select>
<label for="us-name">${t.owUserName}</label><input id="us-name" name="name" required maxlength="200">
<label for="us-password">${t.owPassword}</label><input id="us-password" name="password" type="password" minlength="12" maxlength="200" autocomplete="new-password">
<button type="submit">${t.owAddUser}</button></form>`,
)}
${section(
  'h-update',
  t.owUpdateHeading,
  html`<form method="post" action="/operator/institutions/update" class="stack narrow">${ctx.csrfField()}
<label for="up-inst">${t.institution}</label><select id="up-inst" name="code" required><option value="">${t.vfChoose}</option>${codes}</select>
<label for="up-zh">${t.owNameZh}</label><input id="up-zh" name="nameZh" maxlength="200">
<label for="up-en">${t.owNameEn}</label><input id="up-en" name="nameEn" maxlength="200" lang="en">
<label for="up-from">${t.owEligibleFrom}</label><input id="up-from" name="eligibleFrom" type="date">
<label for="up-until">${t.owEligibleUntil}</label><input id="up-until" name="eligibleUntil" type="date">
<p class="hint">${t.owUpdateHint}</p>
<button type="submit">${t.owUpdate}</button></form>`,
)}
${section('h-institutions', t.owInstitutionsHeading, table(t.owInstitutionsHeading, [t.owCode, t.owKind, t.owNameZh, t.owNameEn, t.owEligibleFrom, t.owEligibleUntil], rows, t.opNone))}`;
    sendPage(res, ctx, t.owInstitutionsHeading, body);
  };
  router.get('/institutions', (req, res) => institutionsPage(req, res));

  router.post(
    '/institutions/update',
    command(
      '/operator/institutions',
      (form) => {
        const code = text(form.code);
        const change = Object.fromEntries(
          (['nameZh', 'nameEn', 'eligibleFrom', 'eligibleUntil'] as const).filter((k) => text(form[k])).map((k) => [k, text(form[k])]),
        );
        const parsed = CreateInstitutionBody.pick({ eligibleFrom: true, eligibleUntil: true, nameZh: true, nameEn: true })
          .partial()
          .strict()
          .safeParse(change);
        return parsed.success && /^[A-Z0-9_-]{2,32}$/.test(code) && Object.keys(parsed.data).length ? { code, change: parsed.data } : null;
      },
      async (ctx, input) => {
        if (input.change.eligibleFrom !== undefined || input.change.eligibleUntil !== undefined) {
          // eligibility decides who may draw on the facility: four eyes, as PATCH /api/v1/institutions/:code
          return pending(await proposeAct(ctx, 'update_institution_eligibility', input), 'an eligibility change');
        }
        const row = await updateInstitution(ctx, input);
        return `${row.code}: ${row.nameZh} / ${row.nameEn} · ${row.eligibleFrom ?? '—'} – ${row.eligibleUntil ?? '—'}`;
      },
    ),
  );

  /**
   * Runs a command whose answer holds a secret shown once: rendered directly, never put in a URL. A
   * proposal (four eyes) holds no secret: the page comes back with it.
   */
  const secretCommand =
    <I>(
      parse: (form: Form) => I | null,
      run: (ctx: ActorContext, input: I, t: Dict) => Promise<{ heading: string; lines: string[] } | Pending>,
    ) =>
    async (req: Request, res: Response) => {
      const input = parse((req.body ?? {}) as Form);
      if (input === null) return res.redirect(303, '/operator/institutions?error=invalid_input');
      const actor = pageActorOf(res)!;
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => run(uc, input, pageOf(res).t)));
      if (!result.ok) {
        const { rule, field } = ruleOf(result);
        const q = new URLSearchParams({ error: result.status, ...(rule ? { rule } : {}), ...(field ? { field } : {}) });
        return res.redirect(303, `/operator/institutions?${q.toString()}`);
      }
      if ('proposed' in result.value) {
        return res.redirect(303, `/operator/institutions?${new URLSearchParams(proposedQuery(result.value.proposed)).toString()}`);
      }
      await institutionsPage(req, res, result.value);
    };
  router.post(
    '/institutions',
    secretCommand(
      (form) => {
        const parsed = CreateInstitutionBody.safeParse({
          code: text(form.code),
          kind: text(form.kind),
          nameZh: text(form.nameZh),
          nameEn: text(form.nameEn),
          ...(text(form.eligibleFrom) ? { eligibleFrom: text(form.eligibleFrom) } : {}),
        });
        return parsed.success ? parsed.data : null;
      },
      async (ctx, input, t) => {
        const r = await registerInstitution(ctx, input);
        return { heading: fill(t.owRegistered, { code: r.institution.code }), lines: [`${r.user.name}`, r.user.apiKey] };
      },
    ),
  );
  router.post(
    '/users',
    secretCommand(
      (form) => {
        const password = text(form.password);
        const parsed = CreateUserBody.safeParse({ name: text(form.name), ...(password ? { password } : {}) });
        const code = text(form.institutionCode);
        return parsed.success && /^[A-Z0-9_-]{2,32}$/.test(code) ? { institutionCode: code, ...parsed.data } : null;
      },
      async (ctx, input, t) => {
        const institution = await findInstitutionByCode(ctx.tx, input.institutionCode);
        if (institution?.kind === 'operator') {
          // a central-bank operator takes four eyes (but the second one, while there is no second to confirm),
          // as POST /api/v1/institutions/PBOC/users
          const proposal = { name: input.name, ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}) };
          const proposed = await proposeAct(ctx, 'add_operator', proposal);
          if (!proposed.performed) return { proposed: proposed.approval };
          const u = proposed.value;
          return { heading: fill(t.owUserAdded, { code: input.institutionCode, name: u.name }), lines: [u.apiKey] };
        }
        const u = await addUser(ctx, input);
        return { heading: fill(t.owUserAdded, { code: input.institutionCode, name: u.name }), lines: [u.apiKey] };
      },
    ),
  );

  return router;
}
