import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory } from '../helpers/licornd-process.ts';
import { getLicornCommand, runLicorn } from '../helpers/licorn-command.ts';
import { startTmux, waitForScreen } from '../helpers/tmux.ts';
import { waitUntil } from '../helpers/wait-until.ts';

// The live verbs of `licorn` against a sandbox licornd through its local socket: the status
// monitor in a real terminal (tmux), the event stream, the REPL inside the daemon.
const daemonDir = useLicorndDirectory('licorn-monitors-');
let socket = '';

beforeAll(async () => {
  await chmod(daemonDir.dir(), 0o755);
  await startLicornd(daemonDir.base()).listening();
  socket = join(daemonDir.dir(), 'licornd.sock');
  await waitUntil(() => existsSync(socket), 'the local socket');
});

describe('licorn get status', () => {
  it("prints the daemon's figures and the machine's, as JSON with --json", async () => {
    const result = await runLicorn(socket, ['get', 'status', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { values } = JSON.parse(result.stdout) as { values: Record<string, number> };
    expect(values['daemon.rss']).toBeGreaterThan(0);
    expect(values['memory.total']).toBeGreaterThan(0);
    const table = await runLicorn(socket, ['get', 'status']);
    expect(table.stdout).toMatch(/^Daemon +uptime /m);
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
