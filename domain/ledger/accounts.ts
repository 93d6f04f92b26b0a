/**
 * Chart of accounts, from the central bank's side (our choice), one set per bank:
 * - `pbc:relending_receivable:<bank>` (asset) support principal the bank owes;
 * - `pbc:interest_receivable:<bank>` (asset) interest accrued and not yet paid;
 * - `pbc:reserves:<bank>` (liability) the bank's reserve account: credited when support is paid out,
 *   debited when the bank pays principal or interest back;
 * - `pbc:interest_income:<bank>` (income) interest earned from the bank (kept per bank so every
 *   bank's entries balance on their own).
 */
export const accounts = {
  relendingReceivable: (bank: string) => `pbc:relending_receivable:${bank}`,
  interestReceivable: (bank: string) => `pbc:interest_receivable:${bank}`,
  reserves: (bank: string) => `pbc:reserves:${bank}`,
  interestIncome: (bank: string) => `pbc:interest_income:${bank}`,
};
