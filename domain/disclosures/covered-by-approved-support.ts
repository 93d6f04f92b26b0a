/**
 * "Covered by approved support": a loan counts in a disclosure (and may be drawn into its verifier's
 * sample) when it has a live link (`active`) to an application that is approved or disbursed. A
 * rejection clears the link; a submitted application does not cover its loans yet. The SQL that
 * selects covered loans in bulk is db/sql/covered-by-approved-support.ts.
 */
export const SUPPORTING_APPLICATION_STATUSES = ['approved', 'disbursed'] as const;

export type ApplicationStatus = 'submitted' | 'approved' | 'rejected' | 'disbursed';

/** One of a loan's `application_loans` rows, with the status of its application. */
export type SupportLink = { active: boolean; applicationStatus: ApplicationStatus };

export function isCoveredByApprovedSupport(links: readonly SupportLink[]): boolean {
  return links.some((l) => l.active && (SUPPORTING_APPLICATION_STATUSES as readonly string[]).includes(l.applicationStatus));
}
