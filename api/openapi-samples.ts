/**
 * Example values for the API description's sampled examples, by the field's name: a response example
 * reads like an answer of the service (a loan's principal "300000000.00", a quarter "2026Q1", a time
 * "2026-03-01T04:00:00.000Z"), never a type's placeholder ("text", the smallest safe integer). A field
 * whose schema carries its own example, enum or const keeps it; a value that does not fit the field's
 * pattern or length is not used.
 */
type JsonObject = Record<string, unknown>;

const UUID = '0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b';
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const TIME = '2026-03-01T04:00:00.000Z';
const DATE = '2026-03-01';

/** [name pattern, example]: the first pattern matching the field's name gives its string example. */
const STRINGS: [RegExp, string][] = [
  [/sha256$|^hash$|Hash$|^prevHash$/i, SHA256],
  [/(^id|Id|Ids)$|^(by|supersedes|supersededBy|rotatedFrom|rolledFrom|restates|replaces)$|By$/, UUID],
  [/(^at|At|^since|Until)$/, TIME],
  [/^(month|fixingMonth)$/, '2026-02'],
  [/(On|^on|^start|^end|^yearStart|Through|^from|^to|Date)$/, DATE],
  [/quarter$|^operation$|Quarters?$/i, '2026Q1'],
  [/WanYuan$/, '30000.00'],
  [/Tonnes$/, '210000.00'],
  [/(Percent|Rate)$/, '3.45'],
  [
    /^(principal|outstanding|requested|approved|volume|disbursed|remaining|amount|repaid|interest\w*|\w*(Value|Principal|Support|Total|Collateral|Yuan|Amount|Investment|Balance|Shortfall|Margin))$/,
    '300000000.00',
  ],
  [/^(institution|verifier|code|institutionCode|bank|operator)$/, 'CITIC'],
  [/^nameZh$|^verifierNameZh$|^institutionNameZh$/, '中信银行'],
  [/^nameEn$|NameEn$/, 'China CITIC Bank'],
  [/^(name|projectName)$/, '张家口200MW风电项目'],
  [/^borrower(Name)?$/, '张家口风能发电有限公司'],
  [/^province$/, '河北省'],
  [/^area$/, 'CE'],
  [/^subArea$/, 'CE.WIND'],
  [/^creditCode$/, '91130700MA0G5XKQ17'],
  [/(^ref|Ref)$/, 'CITIC-2026-0001'],
  [/^policyVersion$|^versionId$/, '2021-11-08'],
  [/^taxonomyVersion$/, '2021'],
  [/^jobId$/, 'compile.CITIC.2022Q3.v1'],
  [/^queue$/, 'compile'],
  [/^apiKey$/, 'cerf_3kq9w2m8x7v4n6p1r5t0y8u2i4o6a1s3d5f7'],
  [/^kid$/, '5f2b8c1d9e7a3f60'],
  [/^label$/, 'back office'],
  [/^fileName$/, 'loans-2026Q1.csv'],
  [/Csv$/, '/api/v1/uploads/0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b/errors.csv'],
  [/(^url|Url|^follow|Href|^href)$/, '/api/v1/disclosures/CITIC/2026Q1'],
  [/Address$/, '203.0.113.7'],
  [/^tenor$/, '1y'],
  [/^dayCount$/, 'actual_360'],
  [/^rounding$/, 'half_up'],
  [/^rule$/, 'project_overfunded'],
  [/^check$/, 'rate'],
  [/^resource$/, 'loan'],
  [/^kind$/, 'loan_acceptance'],
  [/^zh$/, '本季度发放碳减排贷款12笔，金额30,000万元，带动年度碳减排量21万吨二氧化碳当量。'],
  [/^en$/, 'This quarter 12 carbon-reduction loans of CNY 300 million were disbursed, reducing 210,000 t CO2e a year.'],
  [/^title$/, '可行性研究报告'],
  [/^(lastError|failure|error)$/, 'connect ECONNREFUSED 203.0.113.7:443'],
  [/^nextCursor$|Cursor$/, 'eyJpZCI6IjBiOWY3YzNlIn0'],
  [/^sequence$/, '42'],
  [
    /^(reason|\w*Reason|note|\w*Note|comment|summary|text|message|detail|description)$/,
    'Checked against the loan contract and the evidence file',
  ],
  [/^(contentType|mediaType)$/, 'application/pdf'],
  [/^(user|userName)$/, 'back office'],
];

/** [name pattern, example]: integers by the field's name. */
const INTEGERS: [RegExp, number][] = [
  [/^(projects|countedProjects)$/, 12],
  [/^(loans|countedLoans|created|updated|rowsRead|rows)$/, 48],
  [/[vV]ersion$|^restatedBy$/, 1],
  [/^rolloverCount$|^unchanged$|^index$/, 0],
  [/Bytes$/, 48_213],
  [/Decimals$/, 2],
  [/^(row|line)$/, 3],
  [/^(error|errorCount|errors|failed)$/, 1],
  [/Days$/, 30],
  [/^(count|total|attempts)$/, 5],
];

/** zod's default bounds of an integer: not a bound anyone chose. */
const UNSAFE = new Set([Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

const fits = (value: string, s: JsonObject) => {
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) return false;
  if (typeof s.minLength === 'number' && value.length < s.minLength) return false;
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) return false;
  return true;
};

/** A string example for a field named `name`, or null when no rule gives one that fits. */
export function stringExample(name: string | undefined, s: JsonObject): string | null {
  if (s.format === 'uuid') return UUID;
  if (s.format === 'date-time') return TIME;
  if (s.format === 'date') return DATE;
  if (s.format === 'uri' || s.format === 'url') return 'https://bank.example.cn/hooks/cerf';
  const candidates = name ? STRINGS.filter(([pattern]) => pattern.test(name)).map(([, value]) => value) : [];
  // a field with a pattern takes the first example (of any name) that fits it
  if (typeof s.pattern === 'string') candidates.push(...STRINGS.map(([, value]) => value));
  return candidates.find((value) => fits(value, s)) ?? null;
}

/** An integer (or number) example for a field named `name`, within the schema's chosen bounds. */
export function numberExample(name: string | undefined, s: JsonObject): number {
  const minimum = typeof s.minimum === 'number' && !UNSAFE.has(s.minimum) ? s.minimum : undefined;
  const maximum = typeof s.maximum === 'number' && !UNSAFE.has(s.maximum) ? s.maximum : undefined;
  const byName = name ? INTEGERS.find(([pattern]) => pattern.test(name))?.[1] : undefined;
  let value = byName ?? minimum ?? 1;
  if (minimum !== undefined && value < minimum) value = minimum;
  if (maximum !== undefined && value > maximum) value = maximum;
  return value;
}

/** A readable fallback for a string no rule names: the field's name in words. */
export const wordsOf = (name: string | undefined) =>
  name
    ? name
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase()
        .replace(/^./, (c) => c.toUpperCase())
    : 'Example';
