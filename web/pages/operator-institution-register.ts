/**
 * The operator's registration of an institution (/operator/institutions) and of a user (/operator/users):
 * the API key is shown once, on the answer page; a central-bank operator takes four eyes.
 */
import { Router } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { addUser } from '../../app/institutions/add-user.js';
import { registerInstitution } from '../../app/institutions/register-institution.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { hashPassword } from '../../platform/passwords.js';
import { CreateInstitutionBody, CreateUserBody } from '../../schemas/institutions.js';
import type { AppDeps } from '../../process/context.js';
import { fill } from './i18n.js';
import { secretCommandOf } from './operator-institutions-shared.js';
import { text } from './operator-work.js';

export function institutionRegisterPages(deps: AppDeps): Router {
  const router = Router();
  const secretCommand = secretCommandOf(deps);

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
