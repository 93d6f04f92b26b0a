/**
 * The OpenAPI 3.1 document generated from the zod schemas every route parses with, and the description
 * of what the pages serve as data: the public downloads (JSON and CSV, no sign-in) and this document.
 */
import { Router } from 'express';
import { z } from 'zod';
import {
  CsvText,
  InstitutionSeriesJson,
  PublishedDisclosureJson,
  PublishedIndexJson,
  PublishedIndexQuery,
  PublishedTotalsJson,
} from '../../schemas/public.js';
import type { AppDeps } from '../../process/context.js';
import { describe, openApiDocument, type ResponseDoc } from '../openapi.js';

const download = (what: string, schema: z.ZodType | null): ResponseDoc => ({
  description: `${what}, as an attachment (Content-Disposition)`,
  ...(schema ? { schema } : { content: { 'text/csv': CsvText } }),
  headers: { 'Content-Disposition': { description: 'attachment; filename="cerf-….json" (or .csv)' } },
});
const notPublished = (what: string): ResponseDoc => ({
  description: `${what} (the HTML "not found" page)`,
  content: { 'text/html': z.string().meta({ examples: ['<!doctype html>…'] }) },
});

describe({
  method: 'get',
  path: '/totals.json',
  tag: 'public',
  roles: [],
  operationId: 'downloadTotalsJson',
  summary: 'National totals since the facility began and the latest quarter (JSON download)',
  responses: { 200: download('The totals', PublishedTotalsJson) },
});
describe({
  method: 'get',
  path: '/totals.csv',
  tag: 'public',
  roles: [],
  operationId: 'downloadTotalsCsv',
  summary: "The latest quarter's published disclosures (CSV download)",
  responses: { 200: download('One row per disclosure', null) },
});
describe({
  method: 'get',
  path: '/disclosures.json',
  tag: 'public',
  roles: [],
  operationId: 'downloadDisclosuresJson',
  summary: 'The index of published disclosures, filtered as the page is (JSON download, 1,000 a page)',
  query: PublishedIndexQuery,
  responses: { 200: download('The disclosures, newest quarter first', PublishedIndexJson) },
});
describe({
  method: 'get',
  path: '/disclosures.csv',
  tag: 'public',
  roles: [],
  operationId: 'downloadDisclosuresCsv',
  summary: 'The index of published disclosures, filtered as the page is (CSV download, 1,000 a page)',
  query: PublishedIndexQuery,
  responses: { 200: download('One row per disclosure', null) },
});
describe({
  method: 'get',
  path: '/disclosures/:code/:quarter.json',
  tag: 'public',
  roles: [],
  operationId: 'downloadDisclosureJson',
  summary: "A bank's published disclosure of a quarter: figures, areas, statement, verification, versions (JSON download)",
  responses: { 200: download('The current published version', PublishedDisclosureJson), 404: notPublished('No published disclosure') },
});
describe({
  method: 'get',
  path: '/disclosures/:code/:quarter.csv',
  tag: 'public',
  roles: [],
  operationId: 'downloadDisclosureCsv',
  summary: "A bank's published disclosure of a quarter: one row per scope (total, each area) and horizon (CSV download)",
  responses: { 200: download('The current published version', null), 404: notPublished('No published disclosure') },
});
describe({
  method: 'get',
  path: '/institutions/:code.json',
  tag: 'public',
  roles: [],
  operationId: 'downloadInstitutionJson',
  summary: "An institution's published disclosures across quarters (JSON download)",
  responses: { 200: download('Its quarters, oldest first', InstitutionSeriesJson), 404: notPublished('Nothing published') },
});
describe({
  method: 'get',
  path: '/institutions/:code.csv',
  tag: 'public',
  roles: [],
  operationId: 'downloadInstitutionCsv',
  summary: "An institution's published disclosures across quarters (CSV download)",
  responses: { 200: download('One row per quarter', null), 404: notPublished('Nothing published') },
});
describe({
  method: 'get',
  path: '/openapi.json',
  tag: 'docs',
  roles: [],
  operationId: 'getOpenApiDocument',
  summary: 'This description (OpenAPI 3.1), generated from the schemas the routes parse with; rendered at /docs',
  responses: {
    200: z
      .object({ openapi: z.literal('3.1.0') })
      .catchall(z.unknown())
      .meta({ id: 'OpenApiDocument' }),
  },
});

export function docsRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument({ version: '1' }));
  });
  return router;
}
