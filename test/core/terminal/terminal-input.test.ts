import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Terminal } from '../../../server/core/terminal/terminal.ts';
import { outputBatch } from '../../../server/core/terminal/terminal-limits.ts';
import { say } from '../../../server/core/messages.ts';

let dir = '';
let terminal: Terminal | null = null;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-terminal-input-'));
});
afterEach(() => {
  vi.useRealTimers();
  return terminal?.kill('test-end');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// A terminal running `script` (raw mode, no echo, then "ready"), and the text it printed.
async function startTerminal(script: string): Promise<{ terminal: Terminal; output: () => string }> {
  const command = {
    file: '/bin/sh',
    args: ['-c', `stty raw -echo; echo re""ady; ${script}`],
    env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' },
    cwd: dir,
    runsAs: 'test',
    description: say('terminals.loginShell', { login: 'test' }),
    scratchDir: null,
    removeScratch: async () => {},
  };
  const options = { id: 't', login: 't', sessionId: 's', cols: 80, rows: 24, scrollbackBytes: 65_536, keepMs: 60_000 };
  const started = new Terminal(command, { ...options, onEnd: () => {} });
  terminal = started;
  let text = '';
  await started.attach({
    send: (_kind, data, sent) => {
      text += Buffer.from(data).toString('latin1');
      started.acknowledge(data.length);
      sent();
    },
    getBufferedAmount: () => 0,
    end: () => {},
  });
  const end = Date.now() + 10_000;
  while (!text.includes('ready')) {
    if (Date.now() > end) throw new Error(`no "ready" from the shell; got ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { terminal: started, output: () => text };
}

describe('keystrokes to the shell', () => {
  it('are written to the pty at once: a keystroke reaches the shell before the event loop turns', async () => {
    const file = join(dir, 'one-key');
    const { terminal: current } = await startTerminal(`head -c 1 > ${file}; exec sleep 60`);
    current.write(Buffer.from('x'));
    // The event loop stays blocked while the shell is waited for: the keystroke must have
    // gone to the pty within write() itself, not at a later turn (setImmediate, a timer).
    const waitForFile = 'i=0; until [ -s "$1" ]; do i=$((i+1)); [ "$i" -gt 100 ] && exit 1; sleep 0.05; done';
    execFileSync('/bin/sh', ['-c', waitForFile, 'sh', file]);
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('that the shell does not read yet wait, merged, and reach it whole and in order', async () => {
    const file = join(dir, 'flood');
    const go = join(dir, 'go');
    const { terminal: current } = await startTerminal(`until [ -e ${go} ]; do sleep 0.05; done; exec cat > ${file}`);
    // 256 KiB in 4 KiB frames while the shell reads nothing: the pty's input queue fills up.
    const pieces = Array.from({ length: 64 }, (_, index) => Buffer.alloc(4096, 65 + (index % 26)));
    for (const piece of pieces) current.write(piece);
    expect(current.getInputBlocked()).not.toBeNull();
    current.write(Buffer.from('-end'));
    await writeFile(go, '');
    const whole = Buffer.concat([...pieces, Buffer.from('-end')]).toString('latin1');
    const end = Date.now() + 20_000;
    let written = '';
    while (written.length < whole.length) {
      if (Date.now() > end) throw new Error(`the shell got ${written.length} of ${whole.length} bytes`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      written = await readFile(file, 'latin1').catch(() => '');
    }
    expect(written === whole).toBe(true);
    expect(current.getInputBlocked()).toBeNull();
  });
});

describe('the echo of a keystroke', () => {
  it('is sent at once after a quiet moment, never held for a batch window', async () => {
    const { terminal: current, output } = await startTerminal('exec cat');
    // Quiet: the last output ("ready") was sent more than a batch window ago.
    await new Promise((resolve) => setTimeout(resolve, outputBatch.windowMs * 3));
    // Timers stand still from here: output held for a batch window would never be sent.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    current.write(Buffer.from('Q'));
    const end = Date.now() + 10_000;
    while (!output().endsWith('Q')) {
      if (Date.now() > end) throw new Error(`the echo was not sent; got ${JSON.stringify(output())}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(output()).toMatch(/ready\nQ$/);
  });
});
