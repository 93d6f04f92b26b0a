import { isIP } from 'node:net';
import { z } from 'zod';
import { parseNetworks } from '../domain/webhooks/addresses.js';

/** Process configuration, checked once at start: a bad value stops the process naming the variable. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  CERF_BOOTSTRAP_OPERATOR_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 'inline' runs the job workers inside the service; 'off' leaves them to `npm run worker` processes */
  CERF_WORKERS: z.enum(['inline', 'off']).default('inline'),
  /** secret for page sessions and CSRF tokens; generated per data folder when unset */
  CERF_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** inner networks webhooks may reach (comma-separated, e.g. `10.20.0.0/16,fd00::/8`); none by default */
  WEBHOOK_ALLOWED_NETWORKS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      try {
        parseNetworks(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** BullMQ key prefix shared by the service and its `npm run worker` processes (default `cerf`) */
  CERF_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1–40 letters, digits, _ or -')
    .optional(),
  /** API requests a minute per key, shared by every service process (Redis) */
  API_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  /** API requests a minute per client address (with or without a key) */
  API_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(6000),
  /** the reverse proxies in front: a hop count, or addresses / CIDR subnets / loopback, linklocal, uniquelocal */
  TRUST_PROXY: z
    .string()
    .refine(
      isTrustProxy,
      'must be a hop count (0–10) or a comma-separated list of IP addresses, CIDR subnets, loopback, linklocal or uniquelocal',
    )
    .optional(),
  /** how long a stored idempotent answer is replayed; older ones are deleted */
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** the longest one SQL statement may run on the server before it is cancelled (0: no limit) */
  DB_STATEMENT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(900),
  /** the longest a transaction may sit idle between statements before the server ends its session */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** how often the server checks, while running a statement, that the client is still connected (PostgreSQL ≥ 14) */
  DB_CLIENT_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  /** PKCS#8 PEM file of the Ed25519 key that signs published disclosures; generated per database when unset */
  CERF_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** an S3-compatible store for evidence files, `https://ACCESS_KEY_ID:SECRET@host/bucket?region=…`; unset: PostgreSQL */
  EVIDENCE_S3_URL: z
    .string()
    .regex(/^https?:\/\/[^:/@]+:[^@/]+@[^/]+\/[^/?]+\/?(\?.*)?$/, 'must be https://ACCESS_KEY_ID:SECRET@host/bucket (optionally ?region=…)')
    .optional(),
});

/** The server-side limits of the service's database sessions, from the environment. */
export const sessionLimitsOf = (
  env: Pick<Env, 'DB_STATEMENT_TIMEOUT_SECONDS' | 'DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS' | 'DB_CLIENT_CHECK_INTERVAL_SECONDS'>,
) => ({
  statementTimeoutSeconds: env.DB_STATEMENT_TIMEOUT_SECONDS,
  idleInTransactionTimeoutSeconds: env.DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS,
  clientCheckIntervalSeconds: env.DB_CLIENT_CHECK_INTERVAL_SECONDS,
});

/** `TRUST_PROXY` as Express takes it: a hop count or a list of addresses, subnets and names. */
export function trustProxySetting(value: string | undefined): number | string[] | false {
  if (value === undefined) return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

function isTrustProxy(value: string): boolean {
  if (/^\d+$/.test(value)) return Number(value) <= 10;
  return value.split(',').every((raw) => {
    const part = raw.trim();
    if (['loopback', 'linklocal', 'uniquelocal'].includes(part)) return true;
    const [address, bits, ...rest] = part.split('/');
    if (rest.length || isIP(address) === 0) return false;
    if (bits === undefined) return true;
    return /^\d+$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
  });
}

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** For a process entry point: the checked environment, or exit 2 with the message naming each bad variable. */
export function envOrExit(source: Record<string, string | undefined> = process.env): Env {
  try {
    return parseEnv(source);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
