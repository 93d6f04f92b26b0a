import { z } from 'zod';

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
  /** PKCS#8 PEM file of the Ed25519 key that signs published disclosures; generated per database when unset */
  CERF_SIGNING_KEY_FILE: z.string().min(1).optional(),
});

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
