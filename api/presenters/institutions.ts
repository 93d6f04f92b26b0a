/** Institutions and their users as the API shows them: pure functions from stored rows to view JSON. */
import type { InstitutionRow } from '../../db/repositories/institutions.js';

export const presentInstitution = (row: InstitutionRow) => ({
  id: row.id,
  code: row.code,
  nameZh: row.nameZh,
  nameEn: row.nameEn,
  kind: row.kind,
  eligibleFrom: row.eligibleFrom,
  eligibleUntil: row.eligibleUntil,
  category: row.category,
  province: row.province,
  unifiedSocialCreditCode: row.unifiedSocialCreditCode,
  categoryException: row.categoryException,
  migrationMode: row.migrationModeSince ? { since: row.migrationModeSince.toISOString(), reason: row.migrationModeReason } : null,
});
