/**
 * One application as its detail view reads it: the application with its names, its loans, its
 * collateral and its tranches' ids. A fixed four queries, whatever the application holds.
 */
import type { Tx } from '../client.js';
import { applicationLoansOf } from '../repositories/refinancing/application-loans.js';
import { applicationListings, type ApplicationListing } from '../repositories/refinancing/applications.js';
import { collateralOf, type CollateralRow } from '../repositories/refinancing/collateral.js';
import { facilityIdsOf } from '../repositories/refinancing/tranches.js';

export type ApplicationDetailRows = {
  listing: ApplicationListing;
  loans: Awaited<ReturnType<typeof applicationLoansOf>>;
  collateral: CollateralRow[];
  facilityIds: string[];
};

export async function applicationDetail(tx: Tx, applicationId: string): Promise<ApplicationDetailRows> {
  const [listing] = await applicationListings(tx, [applicationId]);
  return {
    listing,
    loans: await applicationLoansOf(tx, applicationId),
    collateral: await collateralOf(tx, applicationId),
    facilityIds: await facilityIdsOf(tx, applicationId),
  };
}
