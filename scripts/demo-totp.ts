/**
 * The demo operators' authenticator: operators sign in to the pages with a second factor (a TOTP code),
 * and the demo enrols its operators with this fixed secret so that a newcomer can sign in without an
 * authenticator app. Run on its own (`node dist/scripts/demo-totp.js`, built by scripts/demo.sh) it prints
 * the current code and how long it stays valid. Never use this secret outside the demo.
 */
import { pathToFileURL } from 'node:url';
import { TOTP_PERIOD_SECONDS, totpCode, totpUri } from '../platform/totp.js';

/** base32, 160 bits */
export const DEMO_TOTP_SECRET = 'CERFDEMOOPERATORTOTPSECRET234567';
export const DEMO_TOTP_COMMAND = 'node dist/scripts/demo-totp.js';

/** The code an authenticator holding the demo secret shows at `at`, and the seconds it stays valid. */
export function demoTotpNow(at: Date): { code: string; secondsLeft: number } {
  const seconds = Math.floor(at.getTime() / 1000);
  return { code: totpCode(DEMO_TOTP_SECRET, at), secondsLeft: TOTP_PERIOD_SECONDS - (seconds % TOTP_PERIOD_SECONDS) };
}

export const demoTotpUri = () => totpUri(DEMO_TOTP_SECRET, 'PBOC demo operator');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, secondsLeft } = demoTotpNow(new Date());
  process.stdout.write(`${code}   (demo operators' authenticator code, valid for ${secondsLeft} more seconds; each code signs in once)\n`);
}
