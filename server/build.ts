// Bundles licornd with esbuild into dist/server/main.js, dependencies included (our native
// addon loads from build/Release at run time), so `npm start` runs plain JavaScript; what
// only some requests need (the terminal's emulator, the certificate generator, the REPL) sits
// in chunks of its own, loaded when first used. Measured here: start to listening 1.24 s
// through tsx, 1.0 s bundled with node_modules external, 0.6 s all in one.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { projectDir } from './project-dir.ts';
import { pruneChunks } from './build-chunks.ts';

// CommonJS dependencies (and our addon's loader) need a `require` in the ES module.
const requireBanner =
  "import { createRequire as createRequireForBundle } from 'node:module'; " +
  'const require = createRequireForBundle(import.meta.url);';

// Builds dist/server/main.js (and its chunks), or `entry` into `outfile` (the benchmark's
// baseline server).
export async function buildServerBundle(
  entry = join(projectDir, 'server/main.ts'),
  outfile = join(projectDir, 'dist/server/main.js'),
): Promise<void> {
  const outdir = dirname(outfile);
  const result = await build({
    entryPoints: { [outfile.slice(outdir.length + 1).replace(/\.js$/, '')]: entry },
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: requireBanner },
    // node-pty finds its native addon beside its own files: loaded from node_modules.
    external: ['node-pty'],
    // Without comments or indentation (names kept, for profiles and stack traces): 3.3 MB to
    // parse at each start instead of 4.8, and none of the comments' dashes and arrows.
    minifyWhitespace: true,
    charset: 'ascii',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs);
  for (const file of outputs) {
    if (file.endsWith('.js')) await checkOneByteSource(file);
  }
  // An earlier build's chunks stay for the daemons started from it (build-chunks.ts).
  await pruneChunks(join(outdir, 'chunks'), outputs);
}

// V8 keeps a module's source in memory for its lifetime, as a two-byte string as soon as one
// character is above Latin-1 (a `’` in a regular expression, a `–` in a kept comment): 9.6 MB
// of heap instead of 4.8 for the daemon. Refuses such a bundle, naming what to escape.
async function checkOneByteSource(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const index = text.search(/[^\u0000-\u00ff]/);
  if (index === -1) return;
  const line = text.slice(0, index).split('\n').length;
  throw new Error(
    `${file}:${line}: ${JSON.stringify(text.slice(Math.max(0, index - 40), index + 10))} holds a character above ` +
      'Latin-1: write it as an escape (\\uXXXX) so that V8 keeps the source as one byte a character',
  );
}

// Builds the `licorn` command into dist/cli/licorn.js (bin/licorn.js starts it), bundled so
// that it starts in tens of milliseconds (`npm run bench -- cli` measures it).
export async function buildCliBundle(outdir = join(projectDir, 'dist/cli')): Promise<void> {
  const result = await build({
    entryPoints: [join(projectDir, 'server/cli/licorn.ts')],
    outdir,
    // What only some verbs need (the tables' schemas, TypeBox with them) in chunks of their
    // own, loaded when used: `get users --json` compiles half the code.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: requireBanner },
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // A command started before a rebuild may load a chunk after it; and they no longer pile up.
  await pruneChunks(join(outdir, 'chunks'), Object.keys(result.metafile.outputs));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildServerBundle();
  await buildCliBundle();
  process.stdout.write('server bundle: dist/server/main.js, command: dist/cli/licorn.js\n');
}
