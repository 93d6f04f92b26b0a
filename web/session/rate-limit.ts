/**
 * Sign-in throttling, counted in the database so every service process shares it: at most
 * SIGN_IN_ATTEMPTS_MAX attempts per (ip, institution, user) and SIGN_IN_IP_ATTEMPTS_MAX per ip in a
 * window; a successful sign-in clears the per-user counter.
 */
import { clearAttempts, countAttempt } from '../../db/repositories/sessions.js';
import type { AppDeps } from '../../process/context.js';

export const SIGN_IN_WINDOW_SECONDS = 15 * 60;
export const SIGN_IN_ATTEMPTS_MAX = 5;
export const SIGN_IN_IP_ATTEMPTS_MAX = 50;

export type Throttle = { allowed: boolean; userKey: string };

export async function countSignInAttempt(deps: AppDeps, ip: string, who: string): Promise<Throttle> {
  const userKey = `user|${ip}|${who}`;
  const db = deps.database.db;
  const now = deps.now();
  const perUser = await countAttempt(db, userKey, now, SIGN_IN_WINDOW_SECONDS);
  const perIp = await countAttempt(db, `ip|${ip}`, now, SIGN_IN_WINDOW_SECONDS);
  return { allowed: perUser <= SIGN_IN_ATTEMPTS_MAX && perIp <= SIGN_IN_IP_ATTEMPTS_MAX, userKey };
}

export const signInSucceeded = (deps: AppDeps, throttle: Throttle) => clearAttempts(deps.database.db, throttle.userKey);
