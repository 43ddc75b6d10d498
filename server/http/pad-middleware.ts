/** Middleware shared by the pad routes: resolve `:ref` to a pad, and require a curator. */
import type { Context, MiddlewareHandler } from 'hono';
import type { ResolvedPad } from '../pads.js';
import { bearerToken } from '../auth/identify.js';
import { fail } from './errors.js';
import type { AppDeps } from './deps.js';

export type PadEnv = { Variables: { resolved: ResolvedPad; curatorKeyId: string } };

export function padMiddleware({ pads, identifier }: AppDeps) {
  /** The curator key id the request proves for its pad (bearer key or sign-in cookie), if any. */
  const curatorKeyIdOf = (c: Context<PadEnv>): Promise<string | undefined> =>
    identifier.curatorKeyId(c.get('resolved').pad.id, {
      bearer: bearerToken(c.req.header('authorization')),
      cookieHeader: c.req.header('cookie'),
    });

  /** Resolves `:ref` (name or `r.<token>`); 404 if no such pad. */
  const resolvePad: MiddlewareHandler<PadEnv> = async (c, next) => {
    const resolved = await pads.resolve(c.req.param('ref') ?? '');
    if (!resolved) fail(404, 'no such pad');
    c.set('resolved', resolved);
    await next();
  };

  /** Only through the pad's own link, not the read-only mirror. */
  const requireEditLink: MiddlewareHandler<PadEnv> = async (c, next) => {
    if (c.get('resolved').readOnly) fail(403, 'read-only links cannot do this');
    await next();
  };

  /** Only curators: a bearer key or the pad's sign-in cookie; never through a read-only reference. */
  const requireCurator: MiddlewareHandler<PadEnv> = async (c, next) => {
    if (c.get('resolved').readOnly) fail(403, 'read-only links cannot do this');
    const keyId = await curatorKeyIdOf(c);
    if (!keyId) fail(401, 'curator authentication required (Authorization: Bearer <key> or sign in)');
    c.set('curatorKeyId', keyId);
    await next();
  };

  return { resolvePad, requireEditLink, requireCurator, curatorKeyIdOf };
}
