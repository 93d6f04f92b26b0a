import { z } from 'zod';
import { validateCreditCode } from '../domain/loans/credit-code.js';
import { INSTITUTION_CATEGORIES } from '../domain/policy/institution-categories.js';
import { IsoDateString, matching } from './common.js';

/** 统一社会信用代码: 18 characters whose last is the check character (GB 32100-2015). */
const UnifiedSocialCreditCode = z.string().superRefine((code, ctx) => {
  const checked = validateCreditCode(code);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message ?? checked.status, params: { code: checked.status } });
});

export const InstitutionKind = z.enum(['bank', 'verifier']);

export const CreateInstitutionBody = z
  .object({
    code: matching(/^[A-Z0-9_-]{2,32}$/, 'invalid_code', 'must be 2–32 capitals, digits, - or _'),
    nameZh: z.string().min(1).max(200),
    nameEn: z.string().min(1).max(200),
    kind: InstitutionKind,
    eligibleFrom: IsoDateString.optional(),
    eligibleUntil: IsoDateString.optional(),
    category: z.enum(INSTITUTION_CATEGORIES).optional().describe("a bank's category: it may apply once its category is eligible"),
    province: z.string().min(1).max(50).optional().describe('the province of its head office'),
    unifiedSocialCreditCode: UnifiedSocialCreditCode.optional(),
    categoryException: z
      .boolean()
      .optional()
      .describe('true: its window was granted before its category opened, and the window alone decides'),
    /** name of the first user, whose API key is returned */
    userName: z.string().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'CreateInstitution' });

/** A change of an institution's names or eligibility window (PATCH): the fields given change. */
export const UpdateInstitutionBody = CreateInstitutionBody.pick({
  eligibleFrom: true,
  eligibleUntil: true,
  nameZh: true,
  nameEn: true,
  category: true,
  province: true,
  unifiedSocialCreditCode: true,
  categoryException: true,
})
  .partial()
  .strict()
  .meta({ id: 'UpdateInstitution' });

export const Institution = z
  .object({
    id: z.string().uuid(),
    code: z.string(),
    nameZh: z.string(),
    nameEn: z.string(),
    kind: z.enum(['operator', 'bank', 'verifier']),
    eligibleFrom: z.string().nullable(),
    eligibleUntil: z.string().nullable(),
    category: z.enum(INSTITUTION_CATEGORIES).nullable(),
    province: z.string().nullable(),
    unifiedSocialCreditCode: z.string().nullable(),
    categoryException: z.boolean(),
    migrationMode: z
      .object({ since: z.string(), reason: z.string().nullable() })
      .nullable()
      .describe('set while the bank records its past: it may then date its own bookings before today'),
  })
  .meta({ id: 'Institution' });

export const MigrationModeBody = z
  .object({
    enabled: z.boolean().describe('true: the bank may date its own bookings before today while it records its past'),
    reason: z.string().min(1).max(2000),
  })
  .strict()
  .meta({ id: 'MigrationMode' });

export const CreateUserBody = z
  .object({
    name: z.string().min(1).max(200),
    password: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
    admin: z.boolean().optional().describe("a bank's or verifier's admin manages its own institution's users and keys"),
  })
  .strict()
  .meta({ id: 'CreateUser' });

export const UserWithKey = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: z.enum(['operator', 'bank', 'verifier']),
    admin: z.boolean(),
    apiKey: z.string().nullable().describe('shown once; a replay of the answer (Idempotency-Key) carries null'),
    keyId: z.string().uuid(),
  })
  .meta({ id: 'UserWithKey', description: 'the API key is shown once and stored only as a hash' });
