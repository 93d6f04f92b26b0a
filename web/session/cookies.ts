/** Small cookie helpers: parsing the Cookie header, and HMAC-signed values. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export function parseCookies(req: Request): Record<string, string> {
  const header = req.headers.cookie;
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(raw);
      } catch {
        // a malformed value is ignored, as if absent
      }
    }
  }
  return out;
}

export const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `value.signature`; the value must not contain a dot. */
export const signValue = (secret: string, value: string) => `${value}.${hmac(secret, value)}`;

export function unsignValue(secret: string, signed: string | undefined): string | null {
  if (!signed) return null;
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  return safeEqual(signed.slice(dot + 1), hmac(secret, value)) ? value : null;
}

/** Every page cookie is httpOnly and SameSite=Lax; Secure when the request came over HTTPS. */
export function setPageCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number) {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds * 1000 } : {}),
    encode: String,
  });
}

export function clearPageCookie(req: Request, res: Response, name: string) {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}
