/**
 * The operator's update of an institution (/operator/institutions/update): its names directly, its
 * eligibility by four eyes.
 */
import { Router } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { updateInstitution } from '../../app/institutions/update-institution.js';
import { CreateInstitutionBody } from '../../schemas/institutions.js';
import type { AppDeps } from '../../process/context.js';
import { commandOf, pending, text } from './operator-work.js';

export function institutionUpdatePages(deps: AppDeps): Router {
  const router = Router();
  const command = commandOf(deps);

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

  return router;
}
