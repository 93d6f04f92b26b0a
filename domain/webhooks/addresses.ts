/**
 * Which addresses a webhook may reach: never loopback, link-local (cloud metadata at 169.254.169.254),
 * private, shared, multicast or reserved networks — the service's own network — unless an operator allows
 * a network explicitly (WEBHOOK_ALLOWED_NETWORKS). IPv4-mapped and IPv4-compatible IPv6 addresses are
 * judged as the IPv4 address they carry.
 */
import { BlockList, isIP } from 'node:net';

const REFUSED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const REFUSED_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback ::1, IPv4-compatible
  ['64:ff9b::', 96], // NAT64 of IPv4 addresses
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const refused = new BlockList();
for (const [net, prefix] of REFUSED_V4) refused.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of REFUSED_V6) refused.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d, ::ffff:7f00:1) IPv6 address carries, else null. */
export function mappedIpv4(address: string): string | null {
  const a = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a) ?? /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (dotted && isIP(dotted[1]) === 4) return dotted[1];
  const hex =
    /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

export type AllowedNetworks = { list: BlockList; text: string[] };

/** Parses `a.b.c.d/n` and `x::/n` networks (a bare address is one host); throws naming a bad entry. */
export function parseNetworks(entries: string[]): AllowedNetworks {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefixText] = entry.trim().split('/');
    const family = isIP(address);
    if (!family) throw new Error(`${entry} is not an IP network like 10.1.0.0/16 or fd00::/8`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText)))
      throw new Error(`${entry} has a bad prefix length (0–${max})`);
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return { list, text: entries };
}

/** Whether a webhook may connect to `address` (an IP literal): null when it may, else why not. */
export function addressRefusal(address: string, allowed: AllowedNetworks | null): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (!family) return `${address} is not an IP address`;
  const v4 = family === 6 ? mappedIpv4(bare) : bare;
  const [judged, type] = v4 ? [v4, 'ipv4' as const] : [bare, 'ipv6' as const];
  if (allowed && (allowed.list.check(judged, type) || allowed.list.check(bare, family === 4 ? 'ipv4' : 'ipv6'))) return null;
  if (refused.check(judged, type))
    return `${address} is a loopback, link-local, private or reserved address (allow its network in WEBHOOK_ALLOWED_NETWORKS)`;
  return null;
}
