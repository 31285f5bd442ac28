import ipaddr from 'ipaddr.js';

/**
 * Who a client is, for rate limits: its IPv4 address, or the /64 network of its IPv6 address
 * (one household or server gets a whole /64, and walking through it must not walk around a
 * limit). IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const bytes = address.toByteArray();
  bytes.fill(0, 8);
  return `${ipaddr.fromByteArray(bytes).toString()}/64`;
}

/** Names express's `trust proxy` understands besides addresses and networks. */
const PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which peers may tell the client's address in X-Forwarded-For: none (`false`), the last
 * `n` hops, or the listed addresses, networks and presets. Throws on anything else.
 */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim();
  if (value === '' || value === 'none' || value === 'false') return false;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (PRESETS.has(item) || ipaddr.isValid(item)) continue;
    try {
      ipaddr.parseCIDR(item);
    } catch {
      throw new Error(`"${item}" is not a hop count, an address, a network or one of ${[...PRESETS].join(', ')}`);
    }
  }
  return items;
}
