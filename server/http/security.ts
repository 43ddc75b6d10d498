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
 * CSRF: a state-changing request that a browser sends from another site carries that site's Origin (or
 * `Sec-Fetch-Site: cross-site`); it is refused. Requests with neither (scripts, bots with a bearer key) pass.
 */
export const sameOriginWrites: MiddlewareHandler = async (c, next) => {
  if (UNSAFE.has(c.req.method)) {
    const origin = c.req.header('origin');
    const host = c.req.header('host');
    let foreign = c.req.header('sec-fetch-site') === 'cross-site';
    if (origin !== undefined) {
      try {
        foreign ||= origin === 'null' || new URL(origin).host !== host;
      } catch {
        foreign = true;
      }
    }
    if (foreign) return jsonError(c, 403, 'cross-site request refused (Origin does not match this server)');
  }
  await next();
};
