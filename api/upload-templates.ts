/**
 * The upload templates, one per kind of file (loans, repayments, amendments), as CSV and as XLSX: the
 * columns in the order the upload reads them, one example row, and the rules of each column — what it
 * holds and the rule codes an error report names for it, taken from the schemas the upload checks rows
 * with (the same as the JSON API's). The CSV holds the header and the example row (a bank fills it in and
 * uploads it as it is); the XLSX adds a second sheet "rules" (the upload reads only the first sheet).
 * Served at GET /api/v1/uploads/templates/:kind.csv|.xlsx and linked from the bank's upload page.
 */
import { z } from 'zod';
import { toCsv } from '../platform/csv.js';
import { ExcelJS } from '../platform/excel.js';
import { AmendmentRequest, LoanInput } from '../schemas/loans.js';
import { RepaymentRow, UPLOAD_COLUMNS, type UploadKind } from '../schemas/uploads.js';
import { fieldRuleCodes } from './openapi.js';

export type TemplateColumn = { column: string; example: string; description: string; ruleCodes: string[] };

/** What a column holds, where its schema does not say it itself. */
const DESCRIPTIONS: Record<string, string> = {
  'borrower.name': "the borrower's name as registered",
  'project.name': "the project's name",
  'project.province': 'the province, autonomous region or municipality of the project, e.g. 河北省',
  'project.reductionBasis':
    'what the annual reduction rests on: feasibility_study, environmental_impact_assessment or third_party_assessment',
  'project.evidence.title': "the evidence document's title",
  loanRef: "the bank's own reference of the loan",
  repaidOn: 'the repayment date, YYYY-MM-DD (Beijing time), not after today',
  amount: 'the principal repaid, yuan with at most two decimals, at most the outstanding principal',
  reason: 'why the loan changes (shown in its history)',
};

const EXAMPLES: Record<string, string> = {
  loanRef: 'L-2022-000123',
  'project.reductionBasis': 'feasibility_study',
  repaidOn: '2026-06-30',
  amount: '50000000.00',
};

/** The schema a column of `kind` is checked with: a field of the row's schema, by its dotted path. */
function schemaOf(kind: UploadKind, column: string): z.ZodType | undefined {
  const root: z.ZodType =
    kind === 'repayments' ? RepaymentRow : kind === 'amendments' && column === 'reason' ? AmendmentRequest : LoanInput;
  let at: z.ZodType | undefined = root;
  for (const part of column.split('.')) {
    const shape: Record<string, z.ZodType> | undefined = (at as unknown as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
    at = shape?.[part];
  }
  return at;
}

type Meta = { description?: string; examples?: unknown[] };

export function uploadTemplate(kind: UploadKind): TemplateColumn[] {
  return UPLOAD_COLUMNS[kind].map((column) => {
    const schema = schemaOf(kind, column);
    const meta = (schema ? z.globalRegistry.get(schema) : undefined) as Meta | undefined;
    const example = EXAMPLES[column] ?? (typeof meta?.examples?.[0] === 'string' ? meta.examples[0] : '');
    const description = meta?.description ?? schema?.description ?? DESCRIPTIONS[column] ?? column;
    return { column, example, description, ruleCodes: schema ? fieldRuleCodes(schema, true) : ['required'] };
  });
}

export const templateCsv = (kind: UploadKind): string => {
  const columns = uploadTemplate(kind);
  return toCsv({ columns: columns.map((c) => c.column), rows: [columns.map((c) => c.example)] });
};

export async function templateXlsx(kind: UploadKind): Promise<Buffer> {
  const columns = uploadTemplate(kind);
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(kind);
  sheet.addRow(columns.map((c) => c.column)).font = { bold: true };
  // the example as text cells: the upload reads amounts and dates from text or number cells alike
  sheet.addRow(columns.map((c) => c.example));
  sheet.columns.forEach((col, i) => (col.width = Math.max(14, columns[i].column.length + 2, columns[i].example.length + 2)));
  const rules = book.addWorksheet('rules');
  rules.addRow(['column', 'required', 'what it holds', 'rule codes of its errors', 'example']).font = { bold: true };
  for (const c of columns) rules.addRow([c.column, 'yes', c.description, c.ruleCodes.join(', '), c.example]);
  rules.columns.forEach((col, i) => (col.width = [28, 10, 80, 50, 30][i]));
  return Buffer.from(await book.xlsx.writeBuffer());
}
