// Bundles licornd with esbuild into one file, dist/server/main.js, dependencies included
// (our native addon loads from build/Release at run time), so `npm start` runs plain
// JavaScript. Measured here: start to listening 1.24 s through tsx, 1.0 s bundled with
// node_modules external, 0.6 s all in one.
import { build } from 'esbuild';
import { join } from 'node:path';
import { projectDir } from './project-dir.ts';

// Builds dist/server/main.js, or `entry` into `outfile` (the benchmark's baseline server).
export async function buildServerBundle(
  entry = join(projectDir, 'server/main.ts'),
  outfile = join(projectDir, 'dist/server/main.js'),
): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // CommonJS dependencies (and our addon's loader) need a `require` in the ES module.
    banner: {
      js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
    },
    // node-pty finds its native addon beside its own files: loaded from node_modules.
    external: ['node-pty'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

// Builds the `licorn` command into dist/cli/licorn.js (bin/licorn.js starts it), bundled so
// that it starts in tens of milliseconds (`npm run bench -- cli` measures it).
export async function buildCliBundle(outdir = join(projectDir, 'dist/cli')): Promise<void> {
  await build({
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
    banner: {
      js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
    },
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildServerBundle();
  await buildCliBundle();
  process.stdout.write('server bundle: dist/server/main.js, command: dist/cli/licorn.js\n');
}
