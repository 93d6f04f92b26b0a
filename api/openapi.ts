/**
 * The API's description, built from the same zod schemas the routes parse with. Each route module
 * registers its operations with `describe(...)` at load time; `openApiDocument()` turns the registry
 * into an OpenAPI 3.1 document (served at /openapi.json, rendered at /docs).
 *
 * A registration needs only a summary, an operationId (a verb and its object), a tag, the roles, the
 * schemas and the success responses: the document adds the problem responses every
 * route can answer (401/403 by its roles, 404 by its path parameters, 400/413/422 by its body and
 * query, 400/409 by its Idempotency-Key, 429 by the rate limit) with the rule codes of each, taken from
 * the problems table (api/problems.ts). A route names the other rules it may refuse with in `errors`;
 * they are grouped by their HTTP status, each with an example. Field descriptions list the rule codes a
 * field can fail with: the codes of its zod checks and the domain rules attached with `.meta({ rules })`.
 */
import { z } from 'zod';
import type { RefusalStatus } from '../app/refusals.js';
import { Problem } from '../schemas/common.js';
import { numberExample, stringExample, wordsOf } from './openapi-samples.js';
import { PROBLEMS } from './problems.js';
import { PROBLEM_TITLES } from './errors.js';

/** Codes the HTTP edge answers by itself (api/errors.ts), outside the refusals table. */
export const EDGE_PROBLEMS = {
  malformed_json: { http: 400, en: 'The request body is not valid JSON' },
  payload_too_large: { http: 413, en: 'The request body is too large' },
  unsupported_encoding: { http: 415, en: 'The request body is in an encoding or character set the API does not read' },
  invalid_character: { http: 422, en: 'A text field holds a character that cannot be stored (such as NUL)' },
} as const;

/** A rule code a route may answer with: a refusal of the problems table or an edge code. */
export type ProblemCode = RefusalStatus | keyof typeof EDGE_PROBLEMS;

export type Example = { summary: string; description?: string; value: unknown };

/** A response with more than a JSON schema: its own description, media types or headers. */
export type ResponseDoc = {
  description?: string;
  /** the JSON body (application/json); null or absent: no body */
  schema?: z.ZodType | null;
  /** other media types, e.g. { 'text/csv': z.string() } */
  content?: Record<string, z.ZodType>;
  headers?: Record<string, { description: string; schema?: z.ZodType }>;
};

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
  /** the path parameters' schema (as the route parses them); by default each is a string described by its name */
  params?: z.ZodType;
  /** status → schema (or null for no body), or a fuller response */
  responses: Record<number, z.ZodType | null | ResponseDoc>;
  idempotent?: boolean;
  /** unique, stable name for generated clients: a verb and its object (`amendLoan`, `listUploads`) */
  operationId: string;
  /** what a reader needs beyond the summary (markdown) */
  description?: string;
  /** rules this route may refuse with besides the standard ones; each is answered with its HTTP status from the problems table */
  errors?: ProblemCode[];
  /** named examples of the request body and of the responses, by status (validated against their schemas) */
  examples?: { request?: Example[]; responses?: Partial<Record<number, Example[]>> };
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

/** A notification the service sends to a subscriber's URL (OpenAPI `webhooks`). */
export type WebhookDoc = {
  /** the event's name, e.g. `disclosure.published` */
  event: string;
  operationId: string;
  summary: string;
  /** who receives it and when (markdown) */
  description: string;
  body: z.ZodType;
  /** the body's example (validated against `body` by the tests) */
  example: unknown;
  /** the request headers each delivery carries */
  headers: Record<string, { description: string; example: string }>;
};

const webhookRegistry: WebhookDoc[] = [];

export function describeWebhook(doc: WebhookDoc): void {
  const existing = webhookRegistry.findIndex((d) => d.event === doc.event);
  if (existing >= 0) webhookRegistry[existing] = doc;
  else webhookRegistry.push(doc);
}

export const describedWebhooks = (): readonly WebhookDoc[] => webhookRegistry;

/** Problem codes of a status in the problems table, in the table's order. */
const codesWithStatus = (http: number): ProblemCode[] =>
  (Object.keys(PROBLEMS) as RefusalStatus[]).filter((code) => PROBLEMS[code].http === http);

/** The problem codes every route of this shape can answer, whatever its use case does. */
export function standardErrors(doc: RouteDoc): ProblemCode[] {
  const codes: ProblemCode[] = ['unauthorized'];
  const hasParams = /:\w+/.test(doc.path);
  if (doc.roles.length) codes.push('forbidden');
  if (hasParams && doc.path.startsWith('/api/')) codes.push('not_found');
  // any text the caller sends (a path segment, a query value, a body field) is checked, and may hold a NUL
  if (doc.body || doc.query || hasParams) codes.push('validation_failed', 'invalid_character');
  if (doc.query && hasShapeKey(doc.query, 'cursor')) codes.push('invalid_cursor');
  if (doc.method !== 'get') codes.push('malformed_json', 'payload_too_large', 'unsupported_encoding');
  // a booking dated by `on` (BookingDateFields): the effective-date rules
  if (doc.body && hasShapeKey(doc.body, 'on'))
    codes.push('booking_in_future', 'booking_out_of_order', 'backdating_not_allowed', 'backdate_reason_required');
  if (doc.idempotent) codes.push('invalid_idempotency_key', 'idempotency_key_in_use', 'idempotency_key_reused');
  if (doc.path.startsWith('/api/')) codes.push(...codesWithStatus(429));
  return codes;
}

const hasShapeKey = (schema: z.ZodType, key: string) =>
  Object.hasOwn((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {}, key);

const problemOfCode = (code: ProblemCode): { http: number; en: string } =>
  Object.hasOwn(EDGE_PROBLEMS, code) ? EDGE_PROBLEMS[code as keyof typeof EDGE_PROBLEMS] : PROBLEMS[code as RefusalStatus];

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content', 503: 'Not ready' };

/** An example problem body of `code`, as api/errors.ts renders it. */
function problemExample(code: ProblemCode, http: number) {
  const problem = problemOfCode(code);
  const fieldPath = (PROBLEMS as Record<string, { path?: string }>)[code]?.path;
  const errors =
    code === 'validation_failed'
      ? [
          {
            path: 'principal',
            code: 'invalid_money',
            message: 'must be a decimal string in yuan with at most two decimals, e.g. "50000000.00"',
          },
        ]
      : fieldPath
        ? [{ path: fieldPath, code, message: problem.en }]
        : undefined;
  return {
    type: `/problems/${code}`,
    title: PROBLEM_TITLES[http] ?? 'Error',
    status: http,
    code,
    detail: problem.en,
    ...(errors ? { errors } : {}),
  };
}

/** Default descriptions of path parameters by name. */
const PARAM_DOCS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  id: {
    description: 'the record’s id (UUID)',
    schema: { type: 'string', format: 'uuid', example: '0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b' },
  },
  quarter: { description: 'a quarter, e.g. 2022Q3', schema: { type: 'string', pattern: '^\\d{4}Q[1-4]$', example: '2022Q3' } },
  code: { description: 'an institution’s code', schema: { type: 'string', example: 'CITIC' } },
  institutionCode: { description: 'the bank’s institution code', schema: { type: 'string', example: 'CITIC' } },
  jobId: {
    description: 'a job’s id, as `GET /api/v1/jobs/failed` lists it',
    schema: { type: 'string', example: 'compile.CITIC.2022Q3.v1' },
  },
};

const TAG_DOCS: Record<string, string> = {
  health: 'Liveness and readiness of the service.',
  policy: 'The facility’s policy versions, taxonomy and LPR fixings by date; operators’ four-eyes changes to them.',
  institutions: 'Banks, verifiers, operators and their users’ API keys.',
  loans: 'The carbon-reduction loans banks submit: one at a time, in batches, amended, repaid, accepted when flagged.',
  refinancing: 'Quarterly operations, applications, support tranches, collateral and margin calls.',
  journal: 'The hash-chained double-entry journal of the central bank’s support.',
  disclosures: 'Quarterly disclosures: compilation, submission, assignment, publication.',
  verification: 'Verifiers’ assignments, findings and verdicts; declared conflicts.',
  webhooks: 'Signed notifications of state changes, and the job system’s health.',
  imports: 'A bank’s history since 2021 and its already published statements.',
  public: 'Published data as downloads (no sign-in): national totals, the disclosure index, a disclosure, an institution.',
  docs: 'This description.',
};

type JsonObject = Record<string, unknown>;
type Meta = { rules?: readonly string[] } & Record<string, unknown>;

/** Unwraps optional, default, nullable and pipes to the schema that carries the checks. */
function innerOf(schema: z.ZodType): z.ZodType {
  let s = schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } };
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def;
    if (def.innerType && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type))
      s = def.innerType as unknown as typeof s;
    else if (def.type === 'pipe' && def.in) s = def.in as unknown as typeof s;
    else break;
  }
  return s as unknown as z.ZodType;
}

/** The rule codes a field can fail with: its zod checks (with the code they answer) and the domain rules in its meta. */
export function fieldRuleCodes(schema: z.ZodType, required: boolean): string[] {
  const codes = new Set<string>();
  if (required) codes.add('required');
  const collect = (s: z.ZodType) => {
    const meta = z.globalRegistry.get(s) as Meta | undefined;
    for (const code of meta?.rules ?? []) codes.add(code);
  };
  // domain rules may sit on the wrapper (`.optional().meta(...)`) or on the inner schema
  collect(schema);
  const inner = innerOf(schema);
  collect(inner);
  const def = (inner as unknown as { _zod: { def: { type: string; checks?: { _zod: { def: JsonObject } }[] } } })._zod.def;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    const params = c.params as { code?: string } | undefined;
    if (params?.code) codes.add(params.code);
    else if (['min_length', 'greater_than', 'min_size'].includes(String(c.check))) codes.add('too_small');
    else if (['max_length', 'less_than', 'max_size'].includes(String(c.check))) codes.add('too_big');
    else if (c.check === 'string_format') codes.add('invalid_format');
  }
  if (def.type === 'enum' || def.type === 'literal') codes.add('invalid_value');
  return [...codes];
}

export function openApiDocument(info: { version: string; serverUrl?: string }) {
  const components: Record<string, unknown> = {};
  /** JSON Schema of a zod schema; named schemas (`.meta({ id })`) become shared components. */
  const fromInput = new Set<string>();
  /** `input`: a request's body, query or parameters, whose fields list the rule codes they can fail with */
  const jsonSchema = (schema: z.ZodType, input = false): JsonObject => {
    const generated = z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      target: 'draft-2020-12',
      override: ({ zodSchema, jsonSchema: out }) => {
        delete (out as JsonObject).rules;
        if (!input) return;
        const def = (zodSchema as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType> } } })._zod.def;
        if (def.type !== 'object' || !def.shape) return;
        const properties = (out as JsonObject).properties as Record<string, JsonObject> | undefined;
        const required = new Set(((out as JsonObject).required as string[] | undefined) ?? []);
        for (const [key, field] of Object.entries(def.shape)) {
          const property = properties?.[key];
          if (!property) continue;
          const kind = (innerOf(field) as unknown as { _zod: { def: { type: string } } })._zod.def.type;
          if (kind === 'object') continue;
          const codes = fieldRuleCodes(field, required.has(key));
          if (!codes.length) continue;
          // a fresh object: the same JSON schema object may stand for the field elsewhere
          properties[key] = { ...property, description: withRuleCodes(property.description, codes), 'x-rule-codes': codes };
        }
      },
    });
    const raw = JSON.stringify(generated);
    const out = JSON.parse(raw.replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
    const defs = (out.$defs ?? {}) as Record<string, unknown>;
    const keep = (id: string, def: unknown) => {
      // a component shared by requests and responses keeps its request form (with the rule codes)
      if (!input && fromInput.has(id)) return;
      components[id] = def;
      if (input) fromInput.add(id);
    };
    for (const [id, def] of Object.entries(defs)) keep(id, def);
    delete out.$defs;
    delete out.$schema;
    // a named schema is a shared component, referenced from where it is used
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (!id) return out;
    if (out.$ref !== `#/components/schemas/${id}`) keep(id, out);
    return { $ref: `#/components/schemas/${id}` };
  };
  const problemRef = () => jsonSchema(Problem);

  const paths: Record<string, Record<string, unknown>> = {};
  const usedIds = new Set<string>();
  const tagsUsed: string[] = [];
  for (const doc of registry) {
    const path = doc.path.replace(/:(\w+)/g, '{$1}');
    const paramShape = ((doc.params as unknown as { shape?: Record<string, z.ZodType> })?.shape ?? {}) as Record<string, z.ZodType>;
    const parameters: unknown[] = [...doc.path.matchAll(/:(\w+)/g)].map((m) => {
      const name = m[1];
      const known = PARAM_DOCS[name];
      const schema = paramShape[name] ? jsonSchema(paramShape[name], true) : (known?.schema ?? { type: 'string' });
      return { name, in: 'path', required: true, description: known?.description ?? name, schema };
    });
    if (doc.query) {
      const shape = (doc.query as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
      for (const [name, schema] of Object.entries(shape)) {
        const required = !schema.safeParse(undefined).success;
        const s = jsonSchema(schema, true);
        const codes = fieldRuleCodes(schema, required);
        const description = codes.length ? withRuleCodes(s.description, codes) : (s.description as string | undefined);
        delete s.description;
        parameters.push({ name, in: 'query', required, ...(description ? { description } : {}), schema: s });
      }
    }
    if (doc.idempotent)
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Any 1–200 visible ASCII characters. The same key and body replay the first answer (`Idempotent-Replayed: true`); the same key with another body is `409 idempotency_key_reused`; a repeat while the first runs is `409 idempotency_key_in_use`.',
        schema: { type: 'string', minLength: 1, maxLength: 200, example: 'batch-2026-03-01-001' },
      });

    const responseExamples = doc.examples?.responses ?? {};
    /** the route's named examples, or one sampled from the schema (its fields' examples, enums, formats) */
    const namedExamples = (examples: Example[] | undefined, schema?: JsonObject) =>
      examples?.length
        ? {
            examples: Object.fromEntries(
              examples.map((e, i) => [
                exampleKey(e.summary, i),
                { summary: e.summary, ...(e.description ? { description: e.description } : {}), value: e.value },
              ]),
            ),
          }
        : schema
          ? { example: sampleOf(schema, components) }
          : {};
    const bodyContent = (schema: JsonObject, examples: Example[] | undefined) => ({ schema, ...namedExamples(examples, schema) });
    const responses: Record<string, unknown> = {};
    for (const [status, entry] of Object.entries(doc.responses)) {
      const full: ResponseDoc = entry === null || entry instanceof z.ZodType ? { schema: entry } : entry;
      const content: Record<string, unknown> = {};
      if (full.schema) content['application/json'] = bodyContent(jsonSchema(full.schema), responseExamples[Number(status)]);
      for (const [type, schema] of Object.entries(full.content ?? {})) content[type] = { schema: jsonSchema(schema) };
      const headers = full.headers
        ? Object.fromEntries(
            Object.entries(full.headers).map(([name, h]) => [
              name,
              { description: h.description, schema: h.schema ? jsonSchema(h.schema) : { type: 'string' } },
            ]),
          )
        : undefined;
      responses[status] = {
        description: full.description ?? SUCCESS[Number(status)] ?? `HTTP ${status}`,
        ...(headers ? { headers } : {}),
        ...(Object.keys(content).length ? { content } : {}),
      };
    }
    // the problems: standard ones by the route's shape, then the route's own, grouped by HTTP status
    const byStatus = new Map<number, ProblemCode[]>();
    for (const code of [...standardErrors(doc), ...(doc.errors ?? [])]) {
      const http = problemOfCode(code).http;
      const list = byStatus.get(http) ?? [];
      if (!list.includes(code)) list.push(code);
      byStatus.set(http, list);
    }
    for (const [http, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
      const explain = (code: ProblemCode) =>
        code === 'unauthorized' && !doc.roles.length
          ? 'An Authorization header was sent with a malformed, unknown or revoked key (this operation needs none)'
          : problemOfCode(code).en;
      const lines = codes.map((code) => `- \`${code}\`: ${explain(code)}`);
      responses[String(http)] = {
        description: `${PROBLEM_TITLES[http] ?? `HTTP ${http}`}. \`code\` is one of:\n${lines.join('\n')}`,
        ...(http === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
        content: {
          'application/problem+json': {
            schema: problemRef(),
            examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: problemExample(code, http) }])),
          },
        },
      };
    }
    responses.default = {
      description: 'An unexpected error (500, logged with the request id) or a service outage (503)',
      content: { 'application/problem+json': { schema: problemRef() } },
    };

    const operationId = doc.operationId;
    if (usedIds.has(operationId)) throw new Error(`operationId ${operationId} is given twice`);
    usedIds.add(operationId);
    if (!tagsUsed.includes(doc.tag)) tagsUsed.push(doc.tag);

    const roles = doc.roles.length ? `**Roles:** ${doc.roles.join(', ')}.` : '**Public:** no API key needed.';
    const description = [doc.description, roles, doc.idempotent ? 'Accepts `Idempotency-Key`.' : ''].filter(Boolean).join('\n\n');
    paths[path] ??= {};
    paths[path][doc.method] = {
      operationId,
      summary: doc.summary,
      description,
      tags: [doc.tag],
      ...(doc.roles.length ? { security: [{ apiKey: [] }] } : { security: [] }),
      'x-roles': doc.roles,
      parameters,
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { [doc.bodyMediaType ?? 'application/json']: bodyContent(jsonSchema(doc.body, true), doc.examples?.request) },
            },
          }
        : {}),
      responses,
    };
  }
  const webhooks = Object.fromEntries(
    webhookRegistry.map((hook) => [
      hook.event,
      {
        post: {
          operationId: hook.operationId,
          summary: hook.summary,
          description: hook.description,
          tags: ['webhooks'],
          security: [],
          parameters: Object.entries(hook.headers).map(([name, h]) => ({
            name,
            in: 'header',
            required: true,
            description: h.description,
            schema: { type: 'string', example: h.example },
          })),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(hook.body),
                examples: { [hook.event]: { summary: hook.event, value: hook.example } },
              },
            },
          },
          responses: {
            '200': { description: 'Any 2xx answer within 10 s acknowledges the delivery' },
            '400': {
              description:
                'Any other answer, a timeout or a refused connection: the delivery is tried again later, with growing delays; each attempt is listed at `GET /api/v1/webhooks/deliveries`',
            },
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'cerf-ledger API',
      version: info.version,
      description: [
        'Carbon Emission Reduction Facility (碳减排支持工具) ledger, disclosures and verification.',
        '',
        'JSON over HTTPS, `Authorization: Bearer <api key>`. Money is a decimal string in yuan with at most two decimals, rates a decimal string in percent, carbon a decimal string in tonnes CO2e, dates `YYYY-MM-DD` (Asia/Shanghai).',
        'Errors are `application/problem+json` (RFC 9457) with a `code` naming the rule and, for validation, `errors: [{ path, code, message }]`: each operation lists the codes it can answer, and each field the rule codes it can fail with.',
        'Lists are cursor-paginated (`limit` ≤ 1000, `cursor`; the answer is `{ items, nextCursor }`).',
      ].join('\n'),
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: info.serverUrl ?? '/', description: 'this service' }],
    tags: tagsUsed.map((name) => ({ name, description: TAG_DOCS[name] ?? `Operations on ${name}.` })),
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key per user: Authorization: Bearer <key>' } },
    },
    paths,
    ...(webhookRegistry.length ? { webhooks } : {}),
  };
}

/**
 * An example value of a JSON schema: its own example, else one built from its type, enum, format and
 * bounds and the field's `name` (api/openapi-samples.ts), with every property (references followed;
 * recursion cut at a few levels).
 */
export function sampleOf(schema: unknown, components: Record<string, unknown>, depth = 0, name?: string): unknown {
  const s = (schema ?? {}) as JsonObject;
  if (depth > 20) return null;
  if (typeof s.$ref === 'string') return sampleOf(components[s.$ref.split('/').pop()!], components, depth + 1, name);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key] as unknown[] | undefined;
    if (options?.length) {
      const nonNull = options.find((o) => (o as JsonObject).type !== 'null') ?? options[0];
      return sampleOf(nonNull, components, depth + 1, name);
    }
  }
  if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((part) => sampleOf(part, components, depth + 1, name) as object));
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  if (type === 'object' || s.properties) {
    const out: JsonObject = {};
    for (const [key, property] of Object.entries((s.properties ?? {}) as Record<string, unknown>))
      out[key] = sampleOf(property, components, depth + 1, key);
    return out;
  }
  if (type === 'array') {
    const min = typeof s.minItems === 'number' ? s.minItems : 1;
    return Array.from({ length: Math.max(1, min) }, () => sampleOf(s.items, components, depth + 1, name));
  }
  if (type === 'integer' || type === 'number') return numberExample(name, s);
  if (type === 'boolean') return true;
  if (type === 'null') return null;
  if (type === 'string') {
    const byName = stringExample(name, s);
    if (byName !== null) return byName;
    const min = typeof s.minLength === 'number' ? s.minLength : 1;
    const max = typeof s.maxLength === 'number' ? s.maxLength : 100;
    return wordsOf(name).padEnd(min, '.').slice(0, max);
  }
  return null;
}

/** A field's description followed by the rule codes it can fail with. */
const withRuleCodes = (description: unknown, codes: string[]) => {
  const text = typeof description === 'string' ? description.trim().replace(/\.$/, '') : '';
  return `${text ? `${text}. ` : ''}Rule codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`;
};

const exampleKey = (summary: string, index: number) =>
  summary
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '') || `example_${index + 1}`;
