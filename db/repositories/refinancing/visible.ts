/**
 * What a bank may see of the refinancing rows: its own only (an operator, or the service itself, sees every institution's).
 */
import { eq } from 'drizzle-orm';
import { applications, collateral, facilities } from '../../schema/index.js';

/** Rows of one institution only, or of every institution (null: an operator, or the service itself). */
export type Visible = { institutionId: string | null };

export const visibleTo = (
  column: typeof applications.institutionId | typeof facilities.institutionId | typeof collateral.institutionId,
  v: Visible,
) => (v.institutionId ? eq(column, v.institutionId) : undefined);
