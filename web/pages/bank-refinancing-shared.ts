/**
 * What the bank's refinancing pages share (bank-applications.ts, bank-tranches.ts, bank-margin-calls.ts):
 * the refusal or success line a form comes back to, the collateral fields and their parsing, and the
 * command runner the forms post through.
 */
import type { Request, Response } from 'express';
import { parseYuan } from '../../domain/money.js';
import { COLLATERAL_TYPES } from '../../domain/refinancing/collateral.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import type { CollateralInput } from '../../app/refinancing/applications.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { pageActorOf } from '../session/sessions.js';
import type { BankWords } from './bank-words.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import { collateralTypeWord } from './i18n.js';

const CODE = /^[a-z_]{1,64}$/;
const AMOUNT_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';

/** The refusal or success line a form's redirect names (?error=status or ?done=1). */
export function outcome(req: Request, ctx: PageContext, w: BankWords): Html {
  const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  return req.query.done ? html`<p class="notice" role="status">${w.done}</p>` : html``;
}

export const collateralFields = (ctx: PageContext, w: BankWords, id: string, required: boolean) => html`
<label for="${id}-type">${w.collateralType}</label><select id="${id}-type" name="collateralType">${COLLATERAL_TYPES.map((t) => html`<option value="${t}">${collateralTypeWord(ctx.lang, t)}</option>`)}</select>
<label for="${id}-ref">${w.collateralRef}</label><input id="${id}-ref" name="collateralRef" maxlength="100"${required ? html` required` : ''}>
<label for="${id}-face">${w.faceValue}</label><input id="${id}-face" name="faceValue" inputmode="decimal" pattern="${AMOUNT_PATTERN}"${required ? html` required` : ''}>
<label for="${id}-market">${w.marketValue}</label><input id="${id}-market" name="marketValue" inputmode="decimal" pattern="${AMOUNT_PATTERN}"${required ? html` required` : ''}>`;

/** The collateral of a form (one instrument), none when its reference is blank, null when malformed. */
export function collateralOf(body: Record<string, unknown>): CollateralInput[] | null {
  const ref = String(body.collateralRef ?? '').trim();
  if (!ref) return [];
  const type = String(body.collateralType ?? '');
  const faceFen = parseYuan(String(body.faceValue ?? '').trim());
  const marketFen = parseYuan(String(body.marketValue ?? '').trim());
  if (!(COLLATERAL_TYPES as readonly string[]).includes(type) || faceFen === null || marketFen === null) return null;
  return [{ type: type as CollateralInput['type'], ref, faceFen, marketFen }];
}

/** Runs a use case as the signed-in bank user; back to `page` with ?done or ?error=status. */
export const bankCommand =
  (deps: AppDeps) =>
  <I>(page: string, parse: (req: Request) => I | null, useCase: (ctx: ActorContext, input: I, req: Request) => Promise<unknown>) =>
  async (req: Request, res: Response) => {
    const actor = pageActorOf(res)!;
    const input = parse(req);
    if (input === null) return res.redirect(303, `${page}?error=invalid_input`);
    const result = await settled(perform(deps.database.db, { now: deps.now(), actor }, (uc) => useCase(uc, input, req)));
    res.redirect(303, result.ok ? `${page}?done=1` : `${page}?error=${encodeURIComponent(result.status)}`);
  };
