/**
 * How webhooks reach the outside: a URL is checked at registration (its host resolved) and again at
 * every delivery, where the connection goes to the very address that was checked — the resolution is
 * done once, inside the connection — so a name that later resolves to an inner address (DNS rebinding)
 * gains nothing. Redirects are not followed. The networks an operator allows (WEBHOOK_ALLOWED_NETWORKS)
 * are set once per process at start.
 */
import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { addressRefusal, parseNetworks, type AllowedNetworks } from '../domain/webhooks/addresses.js';

let allowed: AllowedNetworks | null = null;

/** The networks webhooks may reach although they are inner ones (e.g. `10.20.0.0/16`); [] allows none. */
export function allowWebhookNetworks(entries: string[]): void {
  allowed = entries.length ? parseNetworks(entries) : null;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Why a webhook may not go to `url` (after resolving its host), or null when it may. */
export async function webhookUrlRefusal(text: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${text} is not a URL`;
  }
  const host = hostOf(url);
  if (isIP(host)) return addressRefusal(host, allowed);
  let addresses: LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    return `${host} does not resolve`;
  }
  if (!addresses.length) return `${host} does not resolve`;
  for (const a of addresses) {
    const why = addressRefusal(a.address, allowed);
    if (why) return `${host} resolves to ${why}`;
  }
  return null;
}

class WebhookAddressRefused extends Error {
  code = 'EWEBHOOKADDRESS';
}

/** The connection's own resolution: every address the name resolves to must be allowed, and the socket goes to one of them. */
const checkedLookup = ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err);
    const list = addresses as unknown as LookupAddress[];
    for (const a of list) {
      const why = addressRefusal(a.address, allowed);
      if (why) return callback(new WebhookAddressRefused(`refused: ${hostname} resolves to ${why}`));
    }
    if (!list.length) return callback(new WebhookAddressRefused(`${hostname} does not resolve`));
    if (options.all) callback(null, list);
    else callback(null, list[0].address, list[0].family);
  });
}) as unknown as typeof dns.lookup;

/**
 * A `fetch` for webhook deliveries (POST with a string body): refuses inner addresses, connects to the
 * address it checked, follows no redirect; answers a Response carrying only the status.
 */
export const webhookFetch: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const host = hostOf(url);
    if (isIP(host)) {
      const why = addressRefusal(host, allowed);
      if (why) return reject(new WebhookAddressRefused(`refused: ${why}`));
    }
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!client) return reject(new Error(`unsupported protocol ${url.protocol}`));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = client.request(
      url,
      { method: init.method ?? 'GET', headers, lookup: checkedLookup, signal: init.signal ?? undefined },
      (res) => {
        res.resume();
        res.on('end', () => resolve(new Response(null, { status: Math.min(Math.max(res.statusCode ?? 500, 200), 599) })));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
