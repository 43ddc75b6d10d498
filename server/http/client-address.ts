/**
 * Who a request comes from, for the per-address limits (connections, reads, pad creation, imports, sign-in failures).
 * Behind a proxy every request arrives from the proxy: `TRUST_PROXY` names the proxies whose X-Forwarded-For is
 * believed (proxy-addr's forms: `loopback`, `uniquelocal`, addresses and CIDR ranges, comma-separated), and the
 * address counted is the nearest one not among them. By default no proxy is trusted: a client's own
 * X-Forwarded-For counts for nothing (or anyone could choose an address per request and escape every limit).
 *
 * What is counted is a network, not always one address: an IPv6 client is given a whole /64 (by its ISP, its cloud
 * host, SLAAC's privacy addresses) and can take a fresh address from it per request, so its /64 is counted as one
 * client; an IPv4 address written as IPv6 (`::ffff:192.0.2.1`, a dual-stack socket's form) is counted as itself.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import ipaddr from 'ipaddr.js';

export type TrustedProxies = (address: string, hop: number) => boolean;

const TRUST_NONE: TrustedProxies = () => false;

/** The trust function for a `TRUST_PROXY` value; throws with proxy-addr's reason for a value it cannot read. */
export function trustedProxies(setting: string): TrustedProxies {
  const parts = setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // a bare number is a hop count elsewhere (Express's `trust proxy`); proxy-addr would read "1" as the address 0.0.0.1
  if (parts.some((p) => /^\d+$/.test(p))) throw new Error('TRUST_PROXY names proxies, not a number of hops');
  return parts.length === 0 ? TRUST_NONE : proxyAddr.compile(parts);
}

/** How many leading bits of an IPv6 address name one client. */
export const IPV6_CLIENT_PREFIX = 64;

/** `192.0.2.1:4000` or `[2001:db8::1]:4000` (some proxies forward the client's port too): the address alone. */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  return v4 ? v4[1]! : address;
}

/**
 * The key one client's address is counted under:
 * - an IPv4 address as itself, however it is written (`::ffff:192.0.2.1`, with a port);
 * - an IPv6 address that carries an IPv4 host's address as that IPv4 address: NAT64 (RFC 6052, `64:ff9b::/96`:
 *   every IPv4 user behind the translator would otherwise be one client) and 6to4 (`2002::/16`: each IPv4 host
 *   owns a whole /48 of it);
 * - any other IPv6 address as its /64 (`2001:db8:1:2::/64`).
 * What is not an address (no socket address) is kept as it is.
 */
export function clientKey(written: string): string {
  const address = withoutPort(written);
  if (!ipaddr.isValid(address)) return written;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 address
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const bytes = parsed.toByteArray();
  const range = parsed.range();
  if (range === 'rfc6052') return ipaddr.fromByteArray(bytes.slice(12)).toString();
  if (range === '6to4') return ipaddr.fromByteArray(bytes.slice(2, 6)).toString();
  const prefix = bytes.map((b, i) => (i < IPV6_CLIENT_PREFIX / 8 ? b : 0));
  return `${ipaddr.fromByteArray(prefix).toString()}/${IPV6_CLIENT_PREFIX}`;
}

/** The client a request is counted as (see {@link clientKey}). */
export function clientAddressOf(req: IncomingMessage, trust: TrustedProxies): string {
  if (!req.socket.remoteAddress) return 'unknown';
  return clientKey(trust === TRUST_NONE ? req.socket.remoteAddress : proxyAddr(req, trust));
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The address this request is counted under (set for every request by the app). */
    clientAddress: string;
  }
}
