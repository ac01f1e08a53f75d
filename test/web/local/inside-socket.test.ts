import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory, type LicorndProcess } from '../../helpers/licornd-process.ts';
import { stopProcesses } from '../../helpers/uid-process.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { runInside } from '../../../server/cli/inside-client.ts';
import { maxInsideConnections } from '../../../server/web/local/inside-server.ts';

// Issue 15: `licorn get inside`, a REPL in the daemon over a root-only socket.
const { dir: getDir, base } = useLicorndDirectory('licornd-inside-');
const isRoot = process.getuid?.() === 0;
const started: ChildProcess[] = [];
let daemon: LicorndProcess;
let socketPath = '';

beforeAll(async () => {
  daemon = startLicornd(base());
  await daemon.listening();
  socketPath = join(getDir(), 'licornd-inside.sock');
  await chmod(getDir(), 0o755);
}, 30_000);
afterAll(() => stopProcesses(started));

// A terminal played by streams: what runInside prints, and a way to type.
function openInside(path = socketPath) {
  const stdin = new PassThrough();
  const stdout = Object.assign(new PassThrough(), { columns: 100, rows: 30 });
  const stderr = new PassThrough();
  let output = '';
  let errors = '';
  stdout.on('data', (chunk) => {
    output += chunk;
  });
  stderr.on('data', (chunk) => {
    errors += chunk;
  });
  const exit = runInside(path, { stdin, stdout, stderr });
  return { stdin, exit, output: () => output, errors: () => errors };
}

// What a process of `uid` reads from the socket (or its connect error), via setpriv.
function connectAs(uid: number, path: string): Promise<string> {
  const script = `const s = require('node:net').connect(process.argv[1]);
let got = ''; s.on('data', (c) => { got += c; }); s.write('{"columns":80,"rows":24}\\n');
s.on('error', (e) => { process.stdout.write(e.code); process.exit(0); });
s.on('close', () => { process.stdout.write(got); process.exit(0); });`;
  const child = spawn('setpriv', [
    '--reuid',
    String(uid),
    '--regid',
    '100',
    '--clear-groups',
    '--',
    process.execPath,
    '-e',
    script,
    path,
  ]);
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on('exit', () => resolve(output)));
}

describe.skipIf(!isRoot && process.env.CI !== 'true')('get inside (needs root for setpriv)', () => {
  it('gives root a licornd> prompt with the core in scope, completion and history', async () => {
    expect((await lstat(socketPath)).mode & 0o7777).toBe(0o600);
    const inside = openInside();
    await waitUntil(() => inside.output().includes('licornd> '), 'the prompt');
    inside.stdin.write("core.accounts.getAccount('admin').uid\r");
    await waitUntil(() => inside.output().includes('1000'), 'the answer');
    inside.stdin.write('core.accounts.getAcc\t');
    await waitUntil(() => inside.output().includes('core.accounts.getAccount'), 'the completion');
    inside.stdin.write('\x15.exit\r');
    expect(await inside.exit).toBe(0);
    const history = join(getDir(), 'inside', 'history');
    expect((await stat(history)).mode & 0o777).toBe(0o600);
  });

  it('refuses other uids: the socket is 0600, and the peer is checked too', async () => {
    expect(await connectAs(1004, socketPath)).toBe('EACCES');
    await chmod(socketPath, 0o666);
    try {
      expect(await connectAs(1004, socketPath)).toBe('error: get inside is for root only (you are uid 1004)\n');
    } finally {
      await chmod(socketPath, 0o600);
    }
    const refused = openInside(join(getDir(), 'nothing.sock'));
    expect(await refused.exit).toBe(1);
    expect(refused.errors()).toContain("cannot reach licornd's inside socket");
  });

  it(`holds at most ${maxInsideConnections} REPLs; the next is told why`, async () => {
    const held = Array.from({ length: maxInsideConnections }, () => openInside());
    for (const inside of held) await waitUntil(() => inside.output().includes('licornd> '), 'a prompt');
    const extra = openInside();
    expect(await extra.exit).toBe(1);
    expect(extra.errors()).toContain(`${maxInsideConnections} REPLs are open already`);
    for (const inside of held) inside.stdin.end();
    expect(await Promise.all(held.map((inside) => inside.exit))).toEqual(held.map(() => 0));
  });

  it('ends its REPLs and removes its socket when the daemon stops', async () => {
    const inside = openInside();
    await waitUntil(() => inside.output().includes('licornd> '), 'the prompt');
    daemon.child.kill('SIGTERM');
    expect(await inside.exit).toBe(0);
    expect((await daemon.exited()).code).toBe(0);
    await expect(lstat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
