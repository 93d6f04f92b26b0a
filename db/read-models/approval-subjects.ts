/**
 * What four-eyes acts concern, named as people know them: a loan by its bank's own reference, its bank
 * and its principal; a project by its reference and name; an institution by its names. One query per
 * kind of subject for a whole list of approvals.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { institutions, loans, projects } from '../schema/index.js';

export type InstitutionNames = { code: string; nameZh: string; nameEn: string };
export type LoanSubject = { loanRef: string; principalFen: bigint; institution: InstitutionNames };
export type ProjectSubject = { ref: string; name: string; institution: InstitutionNames };
export type ApprovalSubjects = {
  loans: Map<string, LoanSubject>;
  projects: Map<string, ProjectSubject>;
  institutions: Map<string, InstitutionNames>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const names = { code: institutions.code, nameZh: institutions.nameZh, nameEn: institutions.nameEn };

export async function approvalSubjects(
  db: Tx,
  ids: { loanIds: string[]; projectIds: string[]; institutionCodes: string[] },
): Promise<ApprovalSubjects> {
  const loanIds = [...new Set(ids.loanIds.filter((id) => UUID.test(id)))];
  const projectIds = [...new Set(ids.projectIds.filter((id) => UUID.test(id)))];
  const codes = [...new Set(ids.institutionCodes)];
  const [loanRows, projectRows, institutionRows] = await Promise.all([
    loanIds.length
      ? db
          .select({ id: loans.id, loanRef: loans.loanRef, principalFen: loans.principalFen, institution: names })
          .from(loans)
          .innerJoin(institutions, eq(loans.institutionId, institutions.id))
          .where(inArray(loans.id, loanIds))
      : [],
    projectIds.length
      ? db
          .select({ id: projects.id, ref: projects.ref, name: projects.name, institution: names })
          .from(projects)
          .innerJoin(institutions, eq(projects.institutionId, institutions.id))
          .where(inArray(projects.id, projectIds))
      : [],
    codes.length ? db.select(names).from(institutions).where(inArray(institutions.code, codes)) : [],
  ]);
  return {
    loans: new Map(loanRows.map(({ id, ...l }) => [id, l])),
    projects: new Map(projectRows.map(({ id, ...p }) => [id, p])),
    institutions: new Map(institutionRows.map((i) => [i.code, i])),
  };
}
