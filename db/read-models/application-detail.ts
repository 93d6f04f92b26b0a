/**
 * One application as its detail view reads it: the application with its names, its loans, its
 * collateral and its tranches' ids. A fixed four queries, whatever the application holds.
 */
import type { Tx } from '../client.js';
import {
  applicationListings,
  applicationLoansOf,
  collateralOf,
  facilityIdsOf,
  type ApplicationListing,
  type CollateralRow,
} from '../repositories/refinancing.js';

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
