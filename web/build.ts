// Bundles the browser code and CSS with esbuild into dist/web/ under content-hashed names,
// and writes manifest.json (`main.js` → `main-HASH.js`) for the templates' asset() helper.
// The files of the last builds stay (pruneChunks): a licornd started before a rebuild reads its
// manifest once and keeps naming its own build's files, and a page open across it loads them.
import { build } from 'esbuild';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pruneChunks } from '../server/build-chunks.ts';
import { projectDir } from '../server/project-dir.ts';

const defaultOutdir = join(projectDir, 'dist/web');

// Builds the bundle into `outdir`; returns the manifest.
export async function buildWebBundle(outdir = defaultOutdir): Promise<Record<string, string>> {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    // The terminal's xterm.js is its page's own bundle: the other pages do not load it.
    entryPoints: {
      main: join(projectDir, 'web/main.ts'),
      'main-style': join(projectDir, 'web/css/main.css'),
      terminal: join(projectDir, 'web/terminal/terminal-page.ts'),
      'terminal-style': join(projectDir, 'web/css/terminal.css'),
    },
    outdir,
    bundle: true,
    // LICORN_NO_MINIFY=1 keeps the functions' names, for a profile that can be read.
    minify: process.env.LICORN_NO_MINIFY !== '1',
    sourcemap: 'linked',
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const manifest: Record<string, string> = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint || output.endsWith('.map')) continue;
    const entry = basename(meta.entryPoint).replace(/\.(ts|css)$/, '');
    const bundle = entry === 'terminal-page' ? 'terminal' : entry;
    const name = output.endsWith('.css') ? `${bundle}.css` : `${bundle}.js`;
    manifest[name] = basename(output);
  }
  // manifest.json stays until the new one replaces it: a licornd starting now needs one.
  await pruneChunks(outdir, Object.keys(result.metafile.outputs), ['manifest.json']);
  // Renamed into place: a licornd starting during a build reads the old manifest or the new one.
  await writeFile(join(outdir, 'manifest.json.new'), JSON.stringify(manifest, null, 2) + '\n');
  await rename(join(outdir, 'manifest.json.new'), join(outdir, 'manifest.json'));
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const manifest = await buildWebBundle();
  process.stdout.write(`web bundle: ${Object.values(manifest).join(', ')}\n`);
}
