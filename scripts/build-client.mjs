// Bundles the web client into dist/client (app.js + app.css), served by the server under /assets.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

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

// Compressed copies, served to browsers that take them (server/http/assets.ts): compressed once here, not per request.
for (const file of ['app.js', 'app.css']) {
  const data = await readFile(`${outdir}/${file}`);
  await writeFile(`${outdir}/${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  await writeFile(`${outdir}/${file}.gz`, gzipSync(data, { level: 9 }));
}
