/**
 * Who a request comes from, for the per-address limits (connections, reads, pad creation, imports, sign-in failures).
 * Behind a proxy every request arrives from the proxy: `TRUST_PROXY` names the proxies whose X-Forwarded-For is
 * believed (proxy-addr's forms: `loopback`, `uniquelocal`, addresses and CIDR ranges, comma-separated), and the
 * address counted is the nearest one not among them. By default no proxy is trusted: a client's own
 * X-Forwarded-For counts for nothing (or anyone could choose an address per request and escape every limit).
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

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

/** The address a request is counted under. */
export function clientAddressOf(req: IncomingMessage, trust: TrustedProxies): string {
  if (!req.socket.remoteAddress) return 'unknown';
  return trust === TRUST_NONE ? req.socket.remoteAddress : proxyAddr(req, trust);
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The address this request is counted under (set for every request by the app). */
    clientAddress: string;
  }
}
