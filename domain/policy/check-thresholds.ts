/**
 * The thresholds of the checks a disclosure passes before the bank submits it (domain/disclosures/checks.ts):
 * effective-dated policy data, looked up at the quarter's end. Each version states every threshold (so it
 * stands as written, like the institution categories); operators add one through the four-eyes policy
 * changes (`kind: check_thresholds`). Kept as the API states it (decimal strings), parsed by
 * `parseCheckThresholds`.
 *
 * The first version (2021-07-01) is our choice (the sources state none):
 * - a loan's attributed reduction outside 0–100 t a year per 万元 of principal is implausible (a wind
 *   farm's is about 2–3 t per 万元); a sub-area may have its own range, which then replaces it;
 * - a book's principal-weighted rate more than 200 bp from the principal-weighted LPR its loans were
 *   compared with (the facility asks rates roughly at the LPR);
 * - a quarter's new loans (amount or reduction) more than 5× or under 1/5 of the mean of the last four
 *   compiled quarters;
 * - one project above 25 % of the bank's attributed reduction or loan amount, one area above 60 %:
 *   judged only once the facility has at least 10 institutions with loans (before, every bank's book is
 *   concentrated and the shares say nothing).
 */
import type { IsoDate } from '../dates.js';
import { parsePercentToPpm, parseScaled, parseTonnes } from '../money.js';
import type { Violation } from '../result.js';

/** A range of reduction intensity, tonnes a year per 万元 of principal (decimal strings, two decimals at most). */
export type IntensityRange = { minTonnesPerWanYuan: string; maxTonnesPerWanYuan: string };

/** A version of the thresholds as stated (and shown by `GET /api/v1/policy/check-thresholds`). */
export type CheckThresholdsVersion = {
  effectiveFrom: IsoDate;
  note: string;
  intensity: IntensityRange;
  /** ranges replacing `intensity` for the loans of a sub-area (codes of the eligible-areas catalogue) */
  subAreaIntensity: readonly (IntensityRange & { subArea: string })[];
  rateFromLprMaxBp: number;
  /** a quarter more than this many times (or under 1/this) of the mean of the last four is a finding */
  quarterJumpFactor: string;
  projectSharePercent: string;
  areaSharePercent: string;
  /** the shares are judged only when the facility has at least this many institutions with loans */
  sharesMinInstitutions: number;
};

/** The thresholds as the checks use them. */
export type CheckThresholds = {
  effectiveFrom: IsoDate;
  /** centitonnes a year per 万元 */
  intensityMinCt: bigint;
  intensityMaxCt: bigint;
  subAreaIntensity: ReadonlyMap<string, { minCt: bigint; maxCt: bigint }>;
  rateFromLprMaxBp: bigint;
  /** hundredths: 5 → 500 */
  quarterJumpFactorHundredths: bigint;
  projectSharePpm: bigint;
  areaSharePpm: bigint;
  sharesMinInstitutions: number;
};

export const CHECK_THRESHOLD_VERSIONS: readonly CheckThresholdsVersion[] = [
  {
    effectiveFrom: '2021-07-01',
    note: 'first thresholds (our choice: the sources state none)',
    intensity: { minTonnesPerWanYuan: '0', maxTonnesPerWanYuan: '100' },
    subAreaIntensity: [],
    rateFromLprMaxBp: 200,
    quarterJumpFactor: '5',
    projectSharePercent: '25',
    areaSharePercent: '60',
    sharesMinInstitutions: 10,
  },
];

export const FACTOR_SCALE = 2;

/** The thresholds a version states (its strings were checked when proposed: a value that does not parse reads 0). */
export function parseCheckThresholds(v: CheckThresholdsVersion): CheckThresholds {
  const ct = (text: string) => parseTonnes(text) ?? 0n;
  return {
    effectiveFrom: v.effectiveFrom,
    intensityMinCt: ct(v.intensity.minTonnesPerWanYuan),
    intensityMaxCt: ct(v.intensity.maxTonnesPerWanYuan),
    subAreaIntensity: new Map(
      v.subAreaIntensity.map((s) => [s.subArea, { minCt: ct(s.minTonnesPerWanYuan), maxCt: ct(s.maxTonnesPerWanYuan) }]),
    ),
    rateFromLprMaxBp: BigInt(v.rateFromLprMaxBp),
    quarterJumpFactorHundredths: parseScaled(v.quarterJumpFactor, FACTOR_SCALE) ?? 0n,
    projectSharePpm: parsePercentToPpm(v.projectSharePercent) ?? 0n,
    areaSharePpm: parsePercentToPpm(v.areaSharePercent) ?? 0n,
    sharesMinInstitutions: v.sharesMinInstitutions,
  };
}

/** The version in force on `date` (the first one before it: the checks of a quarter before 2021-07 use it). */
export function checkThresholdsVersionOn(date: IsoDate, versions: readonly CheckThresholdsVersion[]): CheckThresholdsVersion {
  let found = versions[0];
  for (const v of versions) if (v.effectiveFrom <= date) found = v;
  return found;
}

/** Every rule a proposed version breaks, each naming its field (paths as in the request body). */
export function checkThresholdsViolations(
  v: Omit<CheckThresholdsVersion, 'subAreaIntensity'> & { subAreaIntensity?: CheckThresholdsVersion['subAreaIntensity'] },
  knownSubAreas: ReadonlySet<string>,
): Violation[] {
  const violations: Violation[] = [];
  const range = (path: string, r: IntensityRange) => {
    const min = parseTonnes(r.minTonnesPerWanYuan);
    const max = parseTonnes(r.maxTonnesPerWanYuan);
    if (min === null || min < 0n)
      violations.push({
        path: `${path}.minTonnesPerWanYuan`,
        code: 'not_a_quantity',
        message: 'a number of tonnes, 0 or more, two decimals at most',
      });
    if (max === null || max <= 0n)
      violations.push({
        path: `${path}.maxTonnesPerWanYuan`,
        code: 'not_a_quantity',
        message: 'a number of tonnes above 0, two decimals at most',
      });
    if (min !== null && max !== null && min > max)
      violations.push({
        path,
        code: 'range_inverted',
        message: `the minimum (${r.minTonnesPerWanYuan} t) is above the maximum (${r.maxTonnesPerWanYuan} t)`,
      });
  };
  range('intensity', v.intensity);
  const seen = new Set<string>();
  (v.subAreaIntensity ?? []).forEach((s, i) => {
    range(`subAreaIntensity.${i}`, s);
    if (!knownSubAreas.has(s.subArea))
      violations.push({
        path: `subAreaIntensity.${i}.subArea`,
        code: 'unknown_sub_area',
        message: `${s.subArea} is not a sub-area of the eligible-areas catalogue`,
      });
    else if (seen.has(s.subArea))
      violations.push({ path: `subAreaIntensity.${i}.subArea`, code: 'duplicate_sub_area', message: `${s.subArea} is listed twice` });
    seen.add(s.subArea);
  });
  const factor = parseScaled(v.quarterJumpFactor, FACTOR_SCALE);
  if (factor === null || factor <= 100n)
    violations.push({ path: 'quarterJumpFactor', code: 'factor_out_of_range', message: 'a factor above 1, two decimals at most' });
  for (const field of ['projectSharePercent', 'areaSharePercent'] as const) {
    const share = parsePercentToPpm(v[field]);
    if (share === null || share <= 0n || share > 1_000_000n)
      violations.push({ path: field, code: 'share_out_of_range', message: 'a share is more than 0 and at most 100 %' });
  }
  return violations;
}
