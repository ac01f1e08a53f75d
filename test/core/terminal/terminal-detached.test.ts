import { afterEach, describe, expect, it } from 'vitest';
import { Terminal } from '../../../server/core/terminal/terminal.ts';
import { say } from '../../../server/core/messages.ts';

const scrollbackBytes = 65_536;
let terminal: Terminal | null = null;
afterEach(() => terminal?.kill('test-end'));

function startTerminal(script: string): Terminal {
  const command = {
    file: '/bin/sh',
    args: ['-c', script],
    env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' },
    cwd: '/',
    runsAs: 'test',
    description: say('terminals.loginShell', { login: 'test' }),
    scratchDir: null,
    removeScratch: async () => {},
  };
  const options = { id: 't', login: 't', sessionId: 's', cols: 80, rows: 24, scrollbackBytes, keepMs: 60_000 };
  return new Terminal(command, { ...options, onEnd: () => {} });
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a terminal no page shows', () => {
  // Red team LOW 6: 5 detached terminals running `yes` took 82 % of a core for terminal.keep.
  it('stops reading once it printed a whole scrollback, until a page attaches', async () => {
    terminal = startTerminal('exec yes 0123456789');
    const current = terminal;
    await waitUntil(() => current.bytesRead >= scrollbackBytes, 'a scrollback of output');
    let last = -1;
    let stable = 0;
    // Settled: nothing more read across more than a second (the per-second budget's window).
    for (let tries = 0; tries < 40 && stable < 15; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stable = current.bytesRead === last ? stable + 1 : 0;
      last = current.bytesRead;
    }
    expect(stable).toBe(15);
    expect(last).toBeLessThan(scrollbackBytes + 256 * 1024);
    // A page attaching resumes it.
    await current.attach({ send: (_kind, _data, sent) => sent(), getBufferedAmount: () => 0, end: () => {} });
    current.acknowledge(Number.MAX_SAFE_INTEGER);
    await waitUntil(() => current.bytesRead > last, 'more output');
  });
});
