/**
 * The API's description, built from the same zod schemas the routes parse with. Each route module
 * registers its operations with `describe(...)` at load time; `openApiDocument()` turns the registry
 * into an OpenAPI 3.1 document (served at /openapi.json).
 */
import { z } from 'zod';
import { Problem } from '../schemas/common.js';

export type RouteDoc = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** express-style path with :params, e.g. '/api/v1/loans/:id' */
  path: string;
  summary: string;
  tag: string;
  /** roles allowed; empty = public */
  roles: ('operator' | 'bank' | 'verifier')[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** status → schema (or null for no body) */
  responses: Record<number, z.ZodType | null>;
  idempotent?: boolean;
  /** the body's media type when it is not JSON (e.g. multipart/form-data) */
  bodyMediaType?: string;
};

const registry: RouteDoc[] = [];

export function describe(doc: RouteDoc): void {
  const existing = registry.findIndex((d) => d.method === doc.method && d.path === doc.path);
  if (existing >= 0) registry[existing] = doc;
  else registry.push(doc);
}

export const describedRoutes = (): readonly RouteDoc[] => registry;

export function openApiDocument(info: { version: string; serverUrl?: string }) {
  const components: Record<string, unknown> = {};
  /** JSON Schema of a zod schema; named schemas (`.meta({ id })`) become shared components. */
  const jsonSchema = (schema: z.ZodType): unknown => {
    const raw = JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }));
    const out = JSON.parse(raw.replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
    const defs = (out.$defs ?? {}) as Record<string, unknown>;
    for (const [id, def] of Object.entries(defs)) components[id] = def;
    delete out.$defs;
    delete out.$schema;
    return out;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of registry) {
    const path = doc.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (doc.query) {
      const shape = (doc.query as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
      for (const [name, schema] of Object.entries(shape)) {
        parameters.push({ name, in: 'query', required: !schema.safeParse(undefined).success, schema: jsonSchema(schema) });
      }
    }
    if (doc.idempotent)
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } });
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(doc.responses)) {
      responses[status] = schema
        ? { description: `HTTP ${status}`, content: { 'application/json': { schema: jsonSchema(schema) } } }
        : { description: `HTTP ${status}` };
    }
    responses.default = { description: 'problem details', content: { 'application/problem+json': { schema: jsonSchema(Problem) } } };
    paths[path] ??= {};
    paths[path][doc.method] = {
      summary: doc.summary,
      tags: [doc.tag],
      ...(doc.roles.length ? { security: [{ apiKey: [] }], description: `Roles: ${doc.roles.join(', ')}` } : { security: [] }),
      parameters,
      ...(doc.body
        ? { requestBody: { required: true, content: { [doc.bodyMediaType ?? 'application/json']: { schema: jsonSchema(doc.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cerf-ledger API',
      version: info.version,
      description: 'Carbon Emission Reduction Facility (碳减排支持工具) ledger, disclosures and verification.',
    },
    servers: info.serverUrl ? [{ url: info.serverUrl }] : [],
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key per user: Authorization: Bearer <key>' } },
    },
    paths,
  };
}
