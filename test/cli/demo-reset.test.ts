import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const projectDir = join(import.meta.dirname, '../..');
let dir: string;
let config: string;

const reset = (root: string) =>
  run(process.execPath, ['--import', 'tsx', 'server/cli/demo-reset.ts', '--config', config, '--root', root], {
    cwd: projectDir,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-reset-'));
  config = join(dir, 'licorn.conf');
  await writeFile(config, '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run demo:reset', () => {
  it('recreates the demo with a new admin password each time', async () => {
    const root = join(dir, 'demo');
    const first = await reset(root);
    const shadowBefore = await readFile(join(root, 'etc/shadow'), 'utf8');
    const second = await reset(root);
    const password = (output: string) => /password "([^"]+)"/.exec(output)![1];
    expect(password(first.stdout)).not.toBe(password(second.stdout));
    expect(await readFile(join(root, 'etc/shadow'), 'utf8')).not.toBe(shadowBefore);
  });

  it('refuses a directory that is not a demo, leaving it alone', async () => {
    const precious = join(dir, 'precious');
    await mkdir(precious);
    await writeFile(join(precious, 'keep.txt'), 'data');
    await expect(reset(precious)).rejects.toMatchObject({ stderr: expect.stringContaining('is not a demo sandbox') });
    expect(await readFile(join(precious, 'keep.txt'), 'utf8')).toBe('data');
  });

  it('refuses the real machine', async () => {
    await expect(reset('/')).rejects.toMatchObject({
      stderr: 'demo:reset: root is "/": the real machine is never reset\n',
    });
  });
});
