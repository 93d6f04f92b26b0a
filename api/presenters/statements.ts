/** The API's JSON of statement formats and frozen loan lists. Pure. */
import type { DisclosureLoanRow } from '../../db/repositories/disclosure-loans.js';
import type { StatementFormatRow } from '../../db/repositories/statements.js';
import { areaOf } from '../../domain/disclosures/compile.js';
import { formatPpmAsPercent, formatScaled, formatYuan } from '../../domain/money.js';

export const presentStatementFormat = (r: StatementFormatRow) => ({
  effectiveFrom: r.effectiveFrom,
  amountDecimals: r.amountDecimals,
  rateDecimals: r.rateDecimals,
  reductionDecimals: r.reductionDecimals,
  wholeAmountsWithoutDecimals: r.wholeAmountsWithoutDecimals,
  trimTrailingZeros: r.trimTrailingZeros,
  thousandsSeparators: r.thousandsSeparators,
  variant: r.variant,
  setAt: r.setAt.toISOString(),
});

export const presentDisclosureLoan = (r: DisclosureLoanRow) => ({
  loanId: r.loanId,
  loanRef: r.loanRef,
  principal: formatYuan(r.principalFen),
  annualRatePercent: formatPpmAsPercent(r.ratePpm, 4),
  disbursedOn: r.disbursedOn,
  attributedAnnualReductionTonnes: formatScaled(r.attributedCentitonnes, 2),
  projectRef: r.projectRef,
  subArea: r.subArea,
  area: areaOf(r.subArea),
});

export const DISCLOSURE_LOAN_COLUMNS = [
  'loanId',
  'loanRef',
  'principal',
  'annualRatePercent',
  'disbursedOn',
  'attributedAnnualReductionTonnes',
  'projectRef',
  'subArea',
  'area',
] as const;
