/**
 * The client's static files (dist/client). Served brotli- or gzip-compressed where the build wrote those copies and
 * the browser takes them (the 184 KB bundle is 50 KB in brotli, 57 KB in gzip), with an ETag from the file's size
 * and time and `Cache-Control: no-cache`: a browser keeps its copy (and Chromium the code it compiled from it) and
 * revalidates it with one small request, answered 304 while the file is unchanged.
 */
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import { every } from 'hono/combine';
import { serveStatic } from '@hono/node-server/serve-static';
import { statSync } from 'node:fs';
import path from 'node:path';

const revalidate: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.ok) c.header('Cache-Control', 'no-cache');
};

/** Serves `clientDir` under `/assets/`. */
export function clientAssets(clientDir: string): MiddlewareHandler {
  return every(
    etag(),
    revalidate,
    serveStatic({
      root: path.relative(process.cwd(), clientDir),
      rewriteRequestPath: (p) => p.replace(/^\/assets/, ''),
      precompressed: true,
      onFound: (file, c) => {
        const stats = statSync(file);
        c.header('ETag', `"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`);
      },
    }),
  );
}
