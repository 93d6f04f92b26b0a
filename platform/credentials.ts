/** API keys and hashes: keys are random, shown once, and stored only as their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';

export const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** 'cerf_' + 32 random bytes in base64url: 256 bits, so a plain SHA-256 is enough to store it. */
export const generateApiKey = () => `cerf_${randomBytes(32).toString('base64url')}`;
