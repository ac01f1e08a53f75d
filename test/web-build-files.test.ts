import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pruneChunks } from '../server/build-chunks.ts';
import { buildWebBundle } from '../web/build.ts';

// The browser bundle's files outlive the build that wrote them for a few builds: a licornd
// started before a rebuild keeps naming its own build's hashed files (it reads the manifest
// once), and pages served by it must still load them. Built into a folder of the test's own.
let outdir: string;
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'licorn-web-build-'));
});
afterAll(() => rm(outdir, { recursive: true, force: true }));

it("keeps the files of the last builds and the manifest naming this build's, and removes older ones", async () => {
  // An earlier build's bundle, listed in the builds list, and a file no kept build wrote.
  await writeFile(join(outdir, 'main-EARLIER.js'), '// an earlier build\n');
  await writeFile(join(outdir, 'builds.json'), `${JSON.stringify([['main-EARLIER.js']])}\n`);
  await writeFile(join(outdir, 'main-ANCIENT.js'), '// a build nobody lists any more\n');

  const manifest = await buildWebBundle(outdir);
  const files = await readdir(outdir);
  expect(files).toContain('main-EARLIER.js');
  expect(files).not.toContain('main-ANCIENT.js');
  expect(files).not.toContain('manifest.json.new');
  expect(JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'))).toEqual(manifest);
  for (const name of Object.values(manifest)) expect(files).toContain(name);
});

it('counts a build that wrote the same files as the last one once, and keeps a manifest asked for', async () => {
  const dir = join(outdir, 'repeats');
  await mkdir(dir);
  await writeFile(join(dir, 'main-FIRST.js'), '');
  await writeFile(join(dir, 'manifest.json'), '{}');
  await pruneChunks(dir, [join(dir, 'main-FIRST.js')], ['manifest.json']);
  // Ten runs of one newer build: the first build's file is still one of the last builds'.
  await writeFile(join(dir, 'main-SECOND.js'), '');
  for (let run = 0; run < 10; run += 1) await pruneChunks(dir, [join(dir, 'main-SECOND.js')], ['manifest.json']);
  expect((await readdir(dir)).sort()).toEqual(['builds.json', 'main-FIRST.js', 'main-SECOND.js', 'manifest.json']);
});
