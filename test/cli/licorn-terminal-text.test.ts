import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node-pty';
import { beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory } from '../helpers/licornd-process.ts';
import { getLicornCommand, runLicorn } from '../helpers/licorn-command.ts';
import { waitUntil } from '../helpers/wait-until.ts';

// What the daemon sends never drives the terminal `licorn` prints to: a full name written
// into passwd by another tool (as `usermod -c` or vipw would), an account's login in an event,
// a refused value quoted in the daemon's message, each printed on a pseudo-terminal.
const daemonDir = useLicorndDirectory('licorn-terminal-');
let socket = '';
let root = '';

// A title, a cleared screen, a colour, OSC 52 (the clipboard), a bidi override, a C1 CSI, DCS.
const evil =
  'Evil\u001b]0;PWNED\u0007\u001b[2J\u001b[31mred\u202eRTL\u001b]52;c;cm0gLXJmIH4K\u0007\u009b31m\u001bPq\u001b\\';

beforeAll(async () => {
  await startLicornd(daemonDir.base()).listening();
  root = join(daemonDir.dir(), 'demo');
  socket = join(daemonDir.dir(), 'licornd.sock');
  await waitUntil(() => existsSync(socket), 'the local socket');
});

// Runs `licorn args` on a pseudo-terminal; everything it wrote, raw.
function runOnTerminal(args: string[]): Promise<{ code: number; text: string }> {
  const [command, ...rest] = getLicornCommand(socket, args);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LICORN_')));
  const terminal = spawn(command!, rest, { cols: 300, rows: 50, env: { ...env, TERM: 'xterm-256color' } });
  let text = '';
  terminal.onData((data) => {
    text += data;
  });
  return new Promise((resolve) => terminal.onExit(({ exitCode }) => resolve({ code: exitCode, text })));
}

// What a terminal would act on, but our own colours (SGR: ESC [ digits m) and line ends.
function findUnsafe(text: string): string[] {
  const withoutColours = text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n');
  return [...withoutColours.matchAll(/[\p{Cc}\p{Cf}\u2028\u2029]/gu)]
    .map(([character]) => character)
    .filter((character) => character !== '\n');
}

// Waits until the daemon's answer `check`s (asked again every 50 ms, up to 10 s).
async function waitForAnswer(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Writes the sandbox's passwd as another tool would: a new file renamed into place.
async function editPasswd(edit: (text: string) => string): Promise<void> {
  const file = join(root, 'etc/passwd');
  await writeFile(`${file}.edit`, edit(await readFile(file, 'utf8')));
  await rename(`${file}.edit`, file);
}

describe('text from the daemon on a terminal', () => {
  it('shows control, escape and bidi characters as visible escapes, in tables, records and --json', async () => {
    await editPasswd((text) =>
      text.replace(/^(dnguyen:[^:]*:[^:]*:[^:]*:)[^:]*/m, (_, head: string) => `${head}${evil}`),
    );
    await waitForAnswer(
      async () => (await runLicorn(socket, ['get', 'users', 'dnguyen', '--json'])).stdout.includes('PWNED'),
      'the new full name',
    );
    const table = await runOnTerminal(['get', 'users']);
    const record = await runOnTerminal(['get', 'users', 'dnguyen']);
    for (const { code, text } of [table, record]) {
      expect(code, text).toBe(0);
      expect(findUnsafe(text)).toEqual([]);
      expect(text).toContain(
        'Evil\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\u202eRTL\\x1b]52;c;cm0gLXJmIH4K\\x07\\x9b31m',
      );
    }
    const json = await runOnTerminal(['get', 'users', 'dnguyen', '--json']);
    expect(json.code).toBe(0);
    expect(findUnsafe(json.text)).toEqual([]);
    // Still the same JSON value: the escapes are JSON's.
    expect((JSON.parse(json.text) as { fullName: string }).fullName).toBe(evil);
    const list = await runOnTerminal(['get', 'users', '--json']);
    expect(findUnsafe(list.text)).toEqual([]);
    const { accounts } = JSON.parse(list.text) as { accounts: { fullName: string }[] };
    expect(accounts.some((row) => row.fullName === evil)).toBe(true);
  });

  it("escapes the daemon's messages (a refused value quoted) and event lines", async () => {
    const refused = await runOnTerminal(['mod', 'user', 'dnguyen', '--full-name', 'Evil\u202eRTL\u0085x\u009b31m']);
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/Evil\\u202eRTL\\x85x\\x9b31m/);
    expect(findUnsafe(refused.text)).toEqual([]);
    // An account whose login came from a tool that checks nothing: its event on a terminal.
    const login = 'ev\u001b]0;PWN\u0007\u202eil';
    await editPasswd((text) => `${text}${login}:x:4321:4321:${evil}:/nonexistent:/bin/false\n`);
    await waitForAnswer(async () => {
      const listed = await runLicorn(socket, ['get', 'events', '-f', 'accounts', '--json']);
      return listed.stdout.includes('PWN');
    }, 'the event of the new login');
    const events = await runOnTerminal(['get', 'events', '-f', 'accounts']);
    expect(events.code).toBe(0);
    expect(events.text).toContain('ev\\u001b]0;PWN\\u0007\\u202eil');
    expect(findUnsafe(events.text)).toEqual([]);
    const json = await runOnTerminal(['get', 'events', '-f', 'accounts', '--json']);
    expect(findUnsafe(json.text)).toEqual([]);
    const { events: parsed } = JSON.parse(json.text) as { events: { data: { login?: string } }[] };
    expect(parsed.some((event) => event.data.login === login)).toBe(true);
  });
});
