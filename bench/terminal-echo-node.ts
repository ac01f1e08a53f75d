// `node --import tsx bench/terminal-echo-node.ts`: keystroke → echo from a Node client beside
// the daemon (no browser), against a bare node-pty shell read by Node: where the daemon's own
// time goes, without Chromium's. Uses the bundle the terminal bench builds (dist/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { TerminalClient } from '../test/helpers/terminal-client.ts';
import { startBenchDaemon } from './processes.ts';
import { readBenchCount } from './bench-settings.ts';

const keystrokes = readBenchCount('LICORN_BENCH_TERMINAL_KEYS', 200);
const letters = 'QZXJKVWY';

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

function cookiesOf(response: Response, previous: string): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, value] = pair!.split('=') as [string, string];
    jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

// Types a letter `keystrokes` times (after 5 of warm-up), each when the previous echo came back.
async function timeEchoes(type: (letter: string) => void, waitFor: (letter: string) => Promise<void>) {
  const times: number[] = [];
  for (let index = 0; index < keystrokes + 5; index += 1) {
    const letter = letters[index % letters.length]!;
    const started = performance.now();
    type(letter);
    await waitFor(letter);
    if (index >= 5) times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function measureDaemon(dir: string) {
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  const daemon = await startBenchDaemon(dir, root);
  try {
    const base = `https://127.0.0.1:${daemon.port}`;
    const form = await fetch(`${base}/login/`);
    let cookie = cookiesOf(form, '');
    const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(await form.text())![1]!;
    const body = new URLSearchParams({ login: 'admin', password: testPasswords.admin, _csrf: csrf });
    const login = await fetch(`${base}/login/`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    cookie = cookiesOf(login, cookie);
    const me = (await (await fetch(`${base}/api/v1/session`, { headers: { cookie } })).json()) as { csrfToken: string };
    const opened = await fetch(`${base}/api/v1/terminals`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ cols: 80, rows: 24 }),
    });
    const { id } = (await opened.json()) as { id: string };
    const client = new TerminalClient(`wss://127.0.0.1:${daemon.port}/terminal/ws/${id}`, { cookie, origin: base });
    await client.opened();
    await client.waitFor(() => /[$#]/.test(client.output + client.redraw), 'the prompt');
    const result = await timeEchoes(
      (letter) => {
        client.output = '';
        client.type(letter);
      },
      (letter) => client.waitFor(() => client.output.includes(letter), letter),
    );
    client.close();
    return result;
  } finally {
    await daemon.stop();
  }
}

async function measureBarePty() {
  const pty = spawnPty('/bin/bash', ['-l'], {
    cols: 80,
    rows: 24,
    env: { TERM: 'xterm-256color', PATH: '/usr/bin:/bin' },
  });
  let output = '';
  let wake: (() => void) | null = null;
  pty.onData((data) => {
    output += data;
    wake?.();
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await timeEchoes(
    (letter) => {
      output = '';
      pty.write(letter);
    },
    (letter) =>
      new Promise<void>((resolve) => {
        if (output.includes(letter)) return resolve();
        wake = () => {
          if (output.includes(letter)) {
            wake = null;
            resolve();
          }
        };
      }),
  );
  pty.kill();
  return result;
}

const dir = await mkdtemp(join(tmpdir(), 'licorn-echo-node-'));
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
try {
  const daemon = await measureDaemon(dir);
  const bare = await measureBarePty();
  const format = (figures: { p50: number; p95: number }) => `${figures.p50.toFixed(2)} / ${figures.p95.toFixed(2)} ms`;
  console.log(`keystroke → echo, p50 / p95, ${keystrokes} keystrokes`);
  console.log(`  through the daemon: ${format(daemon)}`);
  console.log(`  bare node-pty:      ${format(bare)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
