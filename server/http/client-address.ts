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

/**
 * The key one client's address is counted under: an IPv4 address as written, an IPv6 address as its /64
 * (`2001:db8:1:2::/64`), an IPv4-mapped IPv6 address as its IPv4 address. Anything else (no address) as it is.
 */
export function clientKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 address
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const bytes = parsed.toByteArray().map((b, i) => (i < IPV6_CLIENT_PREFIX / 8 ? b : 0));
  return `${ipaddr.fromByteArray(bytes).toString()}/${IPV6_CLIENT_PREFIX}`;
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
