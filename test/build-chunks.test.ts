import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServerBundle } from '../server/build.ts';
import { keptBuilds } from '../server/build-chunks.ts';
import { collectOutput } from './helpers/child-output.ts';

// A bundle built as licornd's is (buildServerBundle, splitting on), from a small program that
// imports its lazy module when told to, as licornd imports the terminal's at the first one.
let dir: string;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-chunks-'));
  await mkdir(join(dir, 'src'));
  await mkdir(join(dir, 'out'));
  await writeFile(join(dir, 'out/package.json'), '{ "type": "module" }\n');
  await writeFile(
    join(dir, 'src/main.ts'),
    [
      "process.stdin.once('data', async () => {",
      "  const { word } = await import('./lazy.ts');",
      '  process.stdout.write(`${word}\\n`);',
      '  process.exit(0);',
      '});',
      "process.stdout.write('ready\\n');",
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

// Builds the program with `word` in its lazy module.
async function buildWith(word: string): Promise<void> {
  await writeFile(join(dir, 'src/lazy.ts'), `export const word = ${JSON.stringify(word)};\n`);
  await buildServerBundle(join(dir, 'src/main.ts'), join(dir, 'out/main.js'));
}

// Starts the built program; resolves once it runs (its lazy module not loaded yet).
async function start(): Promise<{ loadLazy(): Promise<string> }> {
  const child = spawn(process.execPath, [join(dir, 'out/main.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const output = collectOutput(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => output.stdout().startsWith('ready\n') && resolve());
    void output.ended.then(({ stderr }) => reject(new Error(`exited before running: ${stderr}`)));
  });
  return {
    async loadLazy() {
      child.stdin!.end('go\n');
      const { code, stdout, stderr } = await output.ended;
      children.delete(child);
      if (code !== 0) throw new Error(`exit ${code}: ${stderr}`);
      return stdout.slice('ready\n'.length).trim();
    },
  };
}

const listLazyChunks = async () =>
  (await readdir(join(dir, 'out/chunks'))).filter((name) => /^lazy-.*\.js$/.test(name));

describe('the chunks of a split bundle', () => {
  it('stay for a process started before a rebuild, which loads its own lazy chunk after it', async () => {
    await buildWith('first');
    const before = await start();
    await buildWith('second');
    // The removed chunk made this "Cannot find module …/chunks/lazy-<hash>.js" (red team F7).
    expect(await before.loadLazy()).toBe('first');
    expect(await (await start()).loadLazy()).toBe('second');
    expect(await listLazyChunks()).toHaveLength(2);
  });

  it('are written once when unchanged, and removed once no one of the last builds wrote them', async () => {
    const oldest = await listLazyChunks();
    await buildWith('second');
    expect(await listLazyChunks()).toEqual(oldest);
    const started = await start();
    for (let build = 0; build < keptBuilds; build += 1) await buildWith(`word ${build}`);
    const kept = await listLazyChunks();
    expect(kept).toHaveLength(keptBuilds);
    // The first build's is gone; the files beside them are each kept build's .js and .map.
    expect(kept.filter((name) => oldest.includes(name))).toEqual([]);
    const files = await readdir(join(dir, 'out/chunks'));
    expect(files.filter((name) => name.endsWith('.map')).length).toBe(
      files.filter((name) => name.endsWith('.js')).length,
    );
    // A process older than the kept builds is what the limit costs: its chunk is gone.
    await expect(started.loadLazy()).rejects.toThrow(/Cannot find module/);
  });
});
