/** CSV and JSON downloads of what a page shows, CSV through the one guarded writer (platform/csv.ts). */
import type { Response } from 'express';
import { toCsv, type Csv } from '../../platform/csv.js';

export function sendCsv(res: Response, filename: string, csv: Csv) {
  res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`).send(toCsv(csv));
}

export function sendJsonDownload(res: Response, filename: string, body: unknown) {
  res
    .type('application/json; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .send(JSON.stringify(body, null, 2));
}

/** `CITIC.csv` → { name: 'CITIC', format: 'csv' }; without a suffix the format is 'html'. */
export function splitFormat(segment: string): { name: string; format: 'html' | 'csv' | 'json' } {
  const m = /^(.*)\.(csv|json)$/.exec(segment);
  return m ? { name: m[1], format: m[2] as 'csv' | 'json' } : { name: segment, format: 'html' };
}
