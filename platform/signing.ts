/**
 * Ed25519 signing of published disclosures (node:crypto): key generation, the key id, signing and
 * checking detached signatures, and the key configured for this process (CERF_SIGNING_KEY_FILE), held in
 * memory and never written to the database.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type SigningKeyPem = { kid: string; publicPem: string; privatePem: string };

/** The key id: the first 16 hex digits of the SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function generateSigningKey(): SigningKeyPem {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    kid: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A PKCS#8 PEM Ed25519 private key with its public half and id; throws a message when it is not one. */
export function signingKeyFromPem(privatePem: string): SigningKeyPem {
  const privateKey = createPrivateKey(privatePem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The detached Ed25519 signature of `bytes`, base64. */
export const signBytes = (privatePem: string, bytes: Buffer): string => sign(null, bytes, createPrivateKey(privatePem)).toString('base64');

export const verifyBytes = (publicPem: string, bytes: Buffer, signatureBase64: string): boolean =>
  verify(null, bytes, createPublicKey(publicPem), Buffer.from(signatureBase64, 'base64'));

let configured: SigningKeyPem | null = null;

/** Loads the key of CERF_SIGNING_KEY_FILE for this process (service and worker call it at start). */
export function useSigningKeyFile(file: string | undefined): SigningKeyPem | null {
  if (!file) {
    configured = null;
    return null;
  }
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`CERF_SIGNING_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    configured = signingKeyFromPem(pem);
  } catch (err) {
    throw new Error(`CERF_SIGNING_KEY_FILE: ${file} is not a PKCS#8 PEM Ed25519 private key (${(err as Error).message})`);
  }
  return configured;
}

/** The key configured for this process, or null (then the database's generated key signs). */
export const configuredSigningKey = (): SigningKeyPem | null => configured;
