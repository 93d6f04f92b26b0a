/**
 * A bank's already published statement, imported as figures with its publication date and source: it
 * becomes the published version of that quarter, marked `imported` (it never went through compilation
 * and verification here). The same statement again changes nothing. Our choice for another statement
 * of a quarter already published: refused (`statement_conflict`) unless the caller says it is a
 * restatement the bank published (`restatement: true`), which is stored as the next version linked to
 * the one it restates — a published statement is a historical document, never replaced silently.
 * An unpublished draft the service compiled is superseded by the imported version (a rejected or
 * superseded one is simply followed by it); a version in the verification workflow (submitted, under
 * verification, verified) refuses the import.
 */
import { findLatestVersion, insertVersion, moveStatus, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { versionOfStatement } from '../../db/repositories/imports.js';
import { shanghaiDate } from '../../domain/dates.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { importedContent, statementSha256, type PublishedStatement } from '../../domain/disclosures/imported-statement.js';
import { policyForLoanDisbursedOn } from '../../domain/policy/index.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { bankOf, refuseIllegal } from '../disclosures/workflow.js';
import { refuseUnlessMayImport } from './common.js';

export async function importPublishedStatement(
  ctx: ActorContext,
  input: { institutionCode: string; quarter: string; statement: PublishedStatement; restatement: boolean },
): Promise<{ row: DisclosureVersionRow; created: boolean }> {
  const { tx } = ctx;
  const bank = await bankOf(tx, input.institutionCode);
  refuseUnlessMayImport(ctx.actor, bank);
  const period = quarterPeriod(input.quarter);
  const today = shanghaiDate(ctx.now);
  const s = input.statement;
  if (s.publishedOn <= period.end)
    refuseViolations([
      {
        path: 'publishedOn',
        code: 'published_before_quarter_end',
        message: `a statement of ${input.quarter} is published after ${period.end}`,
      },
    ]);
  if (s.publishedOn > today)
    refuseViolations([{ path: 'publishedOn', code: 'date_in_future', message: `${s.publishedOn} is after today (${today})` }]);

  const latest = await findLatestVersion(tx, bank.id, input.quarter, { lock: true });
  const same = await versionOfStatement(tx, bank.id, input.quarter, statementSha256(s));
  if (same) return { row: same, created: false };

  let previous: DisclosureVersionRow | null = null;
  let restates: DisclosureVersionRow | null = null;
  if (latest) {
    switch (latest.status) {
      case 'published':
        if (!input.restatement)
          refuse(
            'statement_conflict',
            `version ${latest.version} of ${bank.code} ${input.quarter} is published with other figures; send the bank's restatement with "restatement": true`,
            { extra: { currentVersion: latest.version, contentSha256: latest.contentSha256 } },
          );
        previous = restates = latest;
        break;
      case 'compiled':
        // the draft compiled here gives way to what the bank actually published
        await moveStatus(tx, latest.id, 'compiled', 'superseded');
        previous = latest;
        break;
      case 'rejected':
      case 'superseded':
        previous = latest;
        break;
      default:
        refuseIllegal({
          message: `version ${latest.version} of ${bank.code} ${input.quarter} is ${latest.status}; a published statement is imported before or after the verification workflow, not during it`,
          current: latest.status,
        });
    }
  }
  const policy = policyForLoanDisbursedOn(period.end);
  if (!policy) refuse('no_policy_in_force', `no facility policy covers ${input.quarter}`);
  const version = (latest?.version ?? 0) + 1;
  const content = importedContent({
    institution: { code: bank.code, nameZh: bank.nameZh, nameEn: bank.nameEn },
    quarter: input.quarter,
    version,
    previousVersion: previous?.version ?? null,
    restatesVersion: restates?.version ?? null,
    rounding: policy.rounding,
    statement: s,
  });
  const row = await insertVersion(tx, {
    institutionId: bank.id,
    quarter: input.quarter,
    version,
    status: 'published',
    content,
    contentSha256: sha256OfCanonical(content),
    countedLoans: 0,
    previousVersionId: previous?.id ?? null,
    restatesVersionId: restates?.id ?? null,
    compiledAt: ctx.now,
    publishedAt: ctx.now,
    publishedOn: s.publishedOn,
  });
  if (!row)
    refuseIllegal({ message: 'another version of this quarter was written meanwhile; try again', current: latest?.status ?? 'none' });
  return { row, created: true };
}
