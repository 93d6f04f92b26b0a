/** The disclosure the URL names (`:institutionCode/:quarter`), as the routes of the disclosure workflow read it. */
import { QuarterString } from '../../schemas/common.js';
import { parseOrThrow } from '../validate.js';

/** The disclosure the URL names: its institution's code and its quarter (checked, 422 naming `quarter`). */
export const disclosureRef = (req: { params: Record<string, unknown> }) => ({
  institutionCode: String(req.params.institutionCode),
  quarter: parseOrThrow(QuarterString, String(req.params.quarter), ['quarter']),
});
