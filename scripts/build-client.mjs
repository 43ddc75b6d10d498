// Bundles the web client into dist/client (app.js + app.css), served by the server under /assets.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const outdir = 'dist/client';
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: 'client/src/main.ts' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: !process.env.CLIENT_NO_MINIFY,
  sourcemap: true,
  outdir,
  tsconfig: 'client/tsconfig.json',
  logLevel: 'warning',
});
await copyFile('client/app.css', `${outdir}/app.css`);
