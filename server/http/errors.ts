/** Every error the HTTP API gives is JSON: `{"error": "<what was wrong>"}` with a 4xx/5xx status. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { core } from "zod";
import type { Logger } from 'pino';
import { WriteRefused, type RefusalKind } from '../sync/admission.js';
import { PadGone } from '../sync/document-registry.js';

/** The HTTP status of a write the document refused (the same refusals a socket gets, with the same words). */
const REFUSAL_STATUS: Record<RefusalKind, ContentfulStatusCode> = { storage: 503, quarantine: 403, role: 403, size: 413, schema: 422, limit: 413, budget: 429 };

export function fail(status: ContentfulStatusCode, message: string): never {
  throw new HTTPException(status, { message });
}

export const jsonError = (c: Context, status: ContentfulStatusCode, message: string) => c.json({ error: message }, status);

export function describeZodError(error: core.$ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export const onError =
  (log: Logger): ErrorHandler =>
  (err, c) => {
    if (err instanceof HTTPException) {
      if (err.res && !err.message) return err.res;
      return jsonError(c, err.status as ContentfulStatusCode, err.message || 'request refused');
    }
    if (err instanceof WriteRefused) return jsonError(c, REFUSAL_STATUS[err.kind], err.message);
    if (err instanceof PadGone) return jsonError(c, 404, 'no such pad');
    log.error({ err, path: c.req.path }, 'unhandled error');
    return jsonError(c, 500, 'internal error');
  };

export const notFound: NotFoundHandler = (c) => jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`);
