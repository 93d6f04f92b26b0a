/**
 * Operators' second factor for the pages: TOTP (RFC 6238) with one-time recovery codes.
 *
 * - `startTotpEnrolment`: a new secret for a user without an enabled factor (a restart replaces an
 *   unconfirmed one); answers the secret and its `otpauth://` URI.
 * - `confirmTotpEnrolment`: the first valid code enables the factor and answers ten recovery codes,
 *   once (stored as SHA-256).
 * - `verifySecondFactor`: a code, or an unused recovery code. A code of a step already accepted (the
 *   same code again, or an earlier one) is `totp_replayed`; a wrong one `totp_invalid`.
 */
import {
  findTotpFactor,
  findTotpFactorForUpdate,
  replaceRecoveryCodes,
  updateTotpFactor,
  upsertPendingTotp,
  useRecoveryCode,
} from '../../db/repositories/keys.js';
import { sha256Hex } from '../../platform/credentials.js';
import { newRecoveryCodes, newTotpSecret, normaliseRecoveryCode, totpMatch, totpUri } from '../../platform/totp.js';
import type { UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';

export type SecondFactorState = 'enabled' | 'pending' | 'none';

export async function secondFactorState(ctx: Pick<UseCaseContext, 'tx'>, userId: string): Promise<SecondFactorState> {
  const factor = await findTotpFactor(ctx.tx, userId);
  return !factor ? 'none' : factor.enabledAt ? 'enabled' : 'pending';
}

export async function startTotpEnrolment(ctx: UseCaseContext, input: { userId: string; label: string }) {
  const existing = await findTotpFactor(ctx.tx, input.userId);
  if (existing?.enabledAt) refuse('forbidden', 'a second factor is already enabled for this user');
  // an unconfirmed enrolment keeps its secret, so reloading the page does not invalidate the app's entry
  const factor = existing ?? (await upsertPendingTotp(ctx.tx, input.userId, newTotpSecret(), ctx.now));
  return { secret: factor.secret, uri: totpUri(factor.secret, input.label) };
}

async function acceptCode(ctx: UseCaseContext, userId: string, code: string, enabled: boolean) {
  const factor = await findTotpFactorForUpdate(ctx.tx, userId);
  if (!factor || Boolean(factor.enabledAt) !== enabled) {
    return refuse('forbidden', enabled ? 'no second factor is enabled for this user' : 'no enrolment is in progress');
  }
  const step = totpMatch(factor.secret, code.trim(), ctx.now);
  if (step === null) refuse('totp_invalid', 'the code is not correct for this time (check the device clock)', { path: 'code' });
  if (factor.lastStep !== null && step <= factor.lastStep) {
    refuse('totp_replayed', 'this code (or a later one) was already used: wait for the next code', { path: 'code' });
  }
  await updateTotpFactor(ctx.tx, userId, { lastStep: step, ...(enabled ? {} : { enabledAt: ctx.now }) });
}

export async function confirmTotpEnrolment(
  ctx: UseCaseContext,
  input: { userId: string; code: string },
): Promise<{ recoveryCodes: string[] }> {
  await acceptCode(ctx, input.userId, input.code, false);
  const codes = newRecoveryCodes();
  await replaceRecoveryCodes(
    ctx.tx,
    input.userId,
    codes.map((c) => sha256Hex(normaliseRecoveryCode(c))),
  );
  return { recoveryCodes: codes };
}

export async function verifySecondFactor(
  ctx: UseCaseContext,
  input: { userId: string; code: string },
): Promise<{ method: 'totp' | 'recovery_code' }> {
  const code = input.code.trim();
  if (/^\d{6}$/.test(code)) {
    await acceptCode(ctx, input.userId, code, true);
    return { method: 'totp' };
  }
  const normalised = normaliseRecoveryCode(code);
  if (normalised.length >= 12 && (await useRecoveryCode(ctx.tx, input.userId, sha256Hex(normalised), ctx.now))) {
    return { method: 'recovery_code' };
  }
  return refuse('totp_invalid', 'the code is neither the current code nor an unused recovery code', { path: 'code' });
}
