/** Web security: headers (hono's secure-headers with a strict CSP) and an Origin check on state-changing routes. */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { jsonError } from './errors.js';

/** No inline script anywhere; styles come from the bundle's constructed stylesheets and app.css. */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'same-origin',
  crossOriginEmbedderPolicy: false,
});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a browser sent this request from another origin: its `Origin` names another scheme, host or port than the
 * one the request was sent to (`Host`), or is opaque (`null`), or `Sec-Fetch-Site` says cross-site. A request with
 * neither header (scripts, bots, Node clients) is not foreign: it carries no ambient credentials of a person.
 * One rule for HTTP writes and WebSocket upgrades (cross-site WebSocket hijacking is CSRF on the upgrade).
 */
export function isForeignOrigin(headers: { origin?: string | undefined; host?: string | undefined; secFetchSite?: string | undefined }): boolean {
  if (headers.secFetchSite === 'cross-site' || headers.secFetchSite === 'same-site') {
    // same-site is another port or subdomain of this site: still another origin, with this site's cookies attached
    return true;
  }
  if (headers.origin === undefined) return false;
  try {
    return headers.origin === 'null' || new URL(headers.origin).host !== headers.host;
  } catch {
    return true;
  }
}

/**
 * CSRF: a state-changing request that a browser sends from another origin is refused (see {@link isForeignOrigin}).
 * Requests with neither header (scripts, bots with a bearer key) pass.
 */
export const sameOriginWrites: MiddlewareHandler = async (c, next) => {
  if (UNSAFE.has(c.req.method)) {
    const foreign = isForeignOrigin({ origin: c.req.header('origin'), host: c.req.header('host'), secFetchSite: c.req.header('sec-fetch-site') });
    if (foreign) return jsonError(c, 403, 'cross-site request refused (Origin does not match this server)');
  }
  await next();
};
