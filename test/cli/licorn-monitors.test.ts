import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory } from '../helpers/licornd-process.ts';
import { getLicornCommand, runLicorn, startLicorn, type RunAs } from '../helpers/licorn-command.ts';
import { startTmux, waitForScreen } from '../helpers/tmux.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const run = promisify(execFile);

// The live verbs of `licorn` against a sandbox licornd through its local socket: the status
// monitor in a real terminal (tmux), the event stream, the REPL inside the daemon.
const daemonDir = useLicorndDirectory('licorn-monitors-');
let socket = '';
let member: RunAs = null;

beforeAll(async () => {
  await chmod(daemonDir.dir(), 0o755);
  await startLicornd(daemonDir.base()).listening();
  socket = join(daemonDir.dir(), 'licornd.sock');
  await waitUntil(() => existsSync(socket), 'the local socket');
  const passwd = await readFile(join(daemonDir.dir(), 'demo/etc/passwd'), 'utf8');
  const [, , uid, gid] = passwd
    .split('\n')
    .find((line) => line.startsWith('dnguyen:'))!
    .split(':');
  member = { uid: Number(uid), gid: Number(gid) };
});

describe('tables on a terminal', () => {
  it('are in colour, and plain with NO_COLOR', async () => {
    const screens: string[] = [];
    for (const [index, env] of [[], ['NO_COLOR=1']].entries()) {
      const command = ['env', ...env, ...getLicornCommand(socket, ['get', 'users', '-a'])];
      const terminal = await startTmux(`licorn-test-colour-${index}-${process.pid}`, command, {
        columns: 160,
        rows: 100,
      });
      try {
        await waitForScreen(terminal, (screen) => screen.includes('EXITED:0'), 'the table');
        screens.push(await terminal.capture(true));
      } finally {
        await terminal.stop();
      }
    }
    const [coloured, plain] = screens as [string, string];
    expect(coloured).toMatch(/\u001b\[1mLogin +Full name/);
    // A system account dimmed, a locked one in red (the demo's ndupont).
    expect(coloured).toMatch(/^\u001b\[[0-9;]*2m(\u001b\[[0-9;]*m)*root /m);
    expect(coloured).toMatch(/\u001b\[31mndupont /);
    expect(plain).toMatch(/^Login +Full name/m);
    expect(plain).not.toContain('\u001b[');
  });
});

describe('licorn get status', () => {
  it("prints the daemon's figures and the machine's, as JSON with --json", async () => {
    const result = await runLicorn(socket, ['get', 'status', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { values } = JSON.parse(result.stdout) as { values: Record<string, number> };
    expect(values['daemon.rss']).toBeGreaterThan(0);
    expect(values['daemon.uptime']).toBeGreaterThanOrEqual(0);
    expect(values['daemon.watches']).toBeGreaterThan(0);
    expect(values['memory.total']).toBeGreaterThan(0);
    const table = await runLicorn(socket, ['get', 'status']);
    expect(table.stdout).toMatch(/^Daemon +uptime \d+m \d\ds +loop delay p99 [\d.]+ ms +RSS [\d.]+ MiB +heap /m);
    expect(table.stdout).toMatch(/^ +sessions \d+ +sockets \d+ +watches \d+ +requests [\d.]+\/s +events [\d.]+\/s$/m);
    expect(table.stdout).toMatch(/^Machine +CPU /m);
  });

  it('-m redraws in place every second in a terminal, until q, and leaves the terminal as it was', async () => {
    const terminal = await startTmux(`licorn-test-${process.pid}`, getLicornCommand(socket, ['get', 'status', '-m']));
    try {
      const clock = (screen: string) => /licornd on .+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(screen)?.[1];
      const first = await waitForScreen(terminal, (screen) => clock(screen) !== undefined, 'the first frame');
      const second = await waitForScreen(
        terminal,
        (screen) => clock(screen) !== undefined && clock(screen) !== clock(first),
        'a redraw with a later time',
      );
      // In place: one frame on the screen, at its top, never a second one scrolled below it.
      for (const screen of [first, second]) {
        expect(screen.match(/licornd on/g)).toHaveLength(1);
        expect(screen.split('\n')[0]).toMatch(/^licornd on/);
        expect(screen).toMatch(/^Daemon +uptime \S+/m);
        expect(screen).toContain('q or Ctrl-C to quit');
      }
      await terminal.sendKeys('q');
      const after = await waitForScreen(terminal, (screen) => screen.includes('EXITED:'), 'the command to end');
      expect(after).toContain('EXITED:0');
      // The alternate screen was left: the shell's screen is back, without the monitor's frame.
      expect(after).not.toContain('licornd on');
    } finally {
      await terminal.stop();
    }
  });

  it('-m also ends on Ctrl-C, with status 0', async () => {
    const terminal = await startTmux(`licorn-test-c-${process.pid}`, getLicornCommand(socket, ['get', 'status', '-m']));
    try {
      await waitForScreen(terminal, (screen) => screen.includes('licornd on'), 'the first frame');
      await terminal.sendKeys('C-c');
      const after = await waitForScreen(terminal, (screen) => screen.includes('EXITED:'), 'the command to end');
      expect(after).toContain('EXITED:0');
      expect(after).not.toContain('licornd on');
    } finally {
      await terminal.stop();
    }
  });
});

// A `licorn get events -m` running, its lines as they come; ready once the daemon accepted it.
function followEvents(args: string[]) {
  const child = startLicorn(socket, ['get', 'events', '-m', ...args]);
  const state = { stdout: '', stderr: '', code: null as number | null };
  child.stdout!.on('data', (chunk) => {
    state.stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    state.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((state.code = code))));
  return {
    state,
    exited,
    lines: () => state.stdout.split('\n').filter(Boolean),
    ready: () => waitUntil(() => state.stderr.includes('following events'), 'the event stream', 10_000),
    stop: () => child.kill('SIGINT'),
  };
}

describe('licorn get events', () => {
  it("-m -f 'accounts^status' prints an account's creation live, and no status event", async () => {
    const filtered = followEvents(['-f', 'accounts^status']);
    const everything = followEvents([]);
    try {
      await Promise.all([filtered.ready(), everything.ready()]);
      // An account created by licorn, and one by useradd in a shell: the watcher's event of the
      // latter (facility watch) shows that the unfiltered stream gets what the filter removes.
      expect((await runLicorn(socket, ['get', 'status', '--json'])).code).toBe(0);
      await run('useradd', ['--prefix', join(daemonDir.dir(), 'demo'), '-M', 'clishell']);
      expect(
        (await runLicorn(socket, ['add', 'user', 'clievent', '--full-name', 'Eve Vent', '--no-password'])).code,
      ).toBe(0);
      await waitUntil(
        () => filtered.lines().some((line) => /^\S+ \S+ accounts +account-added .*login=clievent/.test(line)),
        'the account-added line',
        10_000,
      );
      await waitUntil(
        () => everything.lines().some((line) => line.includes('login=clievent')),
        'the same event unfiltered',
        10_000,
      );
      const facilityOf = (line: string) => line.split(/ +/)[2];
      await waitUntil(() => everything.lines().some((line) => facilityOf(line) === 'watch'), 'a watch event', 10_000);
      expect(filtered.lines().some((line) => line.includes('login=clishell'))).toBe(true);
      expect(filtered.lines().map(facilityOf)).not.toContain('status');
      expect(filtered.lines().every((line) => facilityOf(line) === 'accounts')).toBe(true);
    } finally {
      filtered.stop();
      everything.stop();
    }
    // Ctrl-C (SIGINT) ends the monitor with status 0.
    expect(await filtered.exited).toBe(0);
    expect(await everything.exited).toBe(0);
  });

  it('lists the journal without -m, as JSON with --json, and names a bad filter (exit 1)', async () => {
    await runLicorn(socket, ['add', 'user', 'clijournal', '--no-password']);
    const listed = await runLicorn(socket, ['get', 'events', '-f', 'users', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const { events } = JSON.parse(listed.stdout) as {
      events: { facility: string; name: string; data: { login?: string } }[];
    };
    expect(events.some((event) => event.name === 'account-added' && event.data.login === 'clijournal')).toBe(true);
    expect(events.every((event) => event.facility === 'accounts')).toBe(true);
    const lines = await runLicorn(socket, ['get', 'events', '-f', 'accounts', '-n', '5']);
    expect(lines.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} accounts +account-added login=clijournal/m);
    const bad = await runLicorn(socket, ['get', 'events', '-f', 'accounts|nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nope.*\(field: filter\)\n$/);
    const badLive = await runLicorn(socket, ['get', 'events', '-m', '-f', '^^']);
    expect(badLive.code).toBe(1);
    expect(badLive.stderr).toMatch(/\(field: filter\)\n$/);
  });
});

describe('licorn get inside', () => {
  it('opens a REPL in the daemon for root, with the core in scope, until .exit', async () => {
    const terminal = await startTmux(`licorn-test-inside-${process.pid}`, getLicornCommand(socket, ['get', 'inside']));
    try {
      await waitForScreen(terminal, (screen) => /^licornd>/m.test(screen), 'the prompt');
      await terminal.sendKeys('-l', 'core.accounts.getAccount("dnguyen").fullName');
      await terminal.sendKeys('Enter');
      await waitForScreen(terminal, (screen) => screen.includes("'David Nguyen'"), 'the answer from the core');
      await terminal.sendKeys('-l', '.exit');
      await terminal.sendKeys('Enter');
      const screen = await waitForScreen(terminal, (text) => text.includes('EXITED:'), 'the REPL to end');
      expect(screen).toContain('EXITED:0');
    } finally {
      await terminal.stop();
    }
  });

  it('is refused to an account that is not root (exit 1), and over --url (exit 2)', async () => {
    const refused = await runLicorn(socket, ['get', 'inside'], { as: member });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^licorn: .*root only/);
    const remote = await runLicorn(socket, ['--url', 'https://127.0.0.1:1', 'get', 'inside']);
    expect(remote.code).toBe(2);
  });
});
