/** The key that signs page cookies and CSRF tokens: CERF_SESSION_SECRET, or one generated per database. */
import { secretNamed } from '../../db/repositories/sessions.js';
import type { AppDeps } from '../../process/context.js';

const cache = new WeakMap<AppDeps, Promise<string>>();

export function sessionSecret(deps: AppDeps): Promise<string> {
  let secret = cache.get(deps);
  if (!secret) {
    secret = deps.env.CERF_SESSION_SECRET
      ? Promise.resolve(deps.env.CERF_SESSION_SECRET)
      : secretNamed(deps.database.db, 'session_signing_key');
    secret.catch(() => cache.delete(deps));
    cache.set(deps, secret);
  }
  return secret;
}
