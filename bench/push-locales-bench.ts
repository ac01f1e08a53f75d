// The push hub with two languages: 1,000 sockets following the dashboard's counts (a rendered
// partial) and `status` (data), all English, then half English and half French, in the same
// run against the same daemon. Each change is rendered once per language in use and each
// language's followers share one frame, so the daemon's memory should hardly move; this
// measures its RSS after connecting and after 20 changes pushed to every socket, and the
// frames received.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getMemory, startBenchDaemon } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';

const sockets = 1000;
const changes = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The session cookie and CSRF token of the demo's admin (the self-signed certificate trusted).
async function openSession(base: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${base}/login/`);
  const cookie0 = form.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf0 = /name="csrf-token" content="([^"]*)"/.exec(await form.text())![1]!;
  const login = await fetch(`${base}/login/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie0, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: 'admin', password: testPasswords.admin, _csrf: csrf0 }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const session = (await (await fetch(`${base}/api/v1/session`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  return { cookie, csrf: session.csrfToken };
}

// Opens `count` sockets following the counts and status, the i-th in `languageOf(i)`; counts
// the frames each receives.
async function openSockets(port: number, cookie: string, languageOf: (i: number) => string) {
  const frames = { total: 0, errors: 0 };
  const opened: WebSocket[] = [];
  // By hundreds, as the status benchmark opens them (the connect rate's burst).
  for (let batch = 0; batch < sockets / 100; batch += 1) {
    const some = await Promise.all(
      Array.from({ length: 100 }, async (_, j) => {
        const i = batch * 100 + j;
        const socket = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
          headers: { cookie, origin: `https://127.0.0.1:${port}`, 'accept-language': languageOf(i) },
          rejectUnauthorized: false,
        });
        await new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
        socket.on('error', () => {
          frames.errors += 1;
        });
        socket.on('message', (data) => {
          if (String(data).includes('accounts-summary')) frames.total += 1;
        });
        socket.send(JSON.stringify({ subscribe: ['accounts-summary', 'status'] }));
        return socket;
      }),
    );
    opened.push(...some);
  }
  return { opened, frames };
}

// Runs one phase: connect, settle, measure, push `changes` changes, measure, close.
async function runPhase(
  name: string,
  daemon: { pid: number; port: number; base: string },
  languageOf: (i: number) => string,
): Promise<{ connected: number; pushed: number; frames: number; errors: number }> {
  // A session of its own: the other phase's sockets count for theirs.
  const session = await openSession(daemon.base);
  const { opened, frames } = await openSockets(daemon.port, session.cookie, languageOf);
  const deadline = Date.now() + 60_000;
  while (frames.total < sockets && Date.now() < deadline) await sleep(200);
  await sleep(3000);
  const connected = (await getMemory(daemon.pid)).rssMiB;
  for (let i = 0; i < changes; i += 1) {
    await fetch(`${daemon.base}/api/v1/groups`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${name}${i}`, system: true }),
    });
  }
  const expected = sockets * (changes + 1);
  const until = Date.now() + 120_000;
  while (frames.total < expected && Date.now() < until) await sleep(200);
  const pushed = (await getMemory(daemon.pid)).rssMiB;
  for (const socket of opened) socket.close();
  await sleep(3000);
  return { connected, pushed, frames: frames.total, errors: frames.errors };
}

// Runs the benchmark and prints its table.
export async function runPushLocalesBench(): Promise<void> {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-locales-bench-'));
  try {
    const root = join(dir, 'root');
    await createDemoRoot(root, { passwords: testPasswords });
    const server = await startBenchDaemon(dir, root, {
      args: ['--push-max-sockets-per-session', '1100', '--push-max-sockets-per-address', '1100'],
    });
    const daemon = { pid: server.child.pid!, port: server.port, base: `https://127.0.0.1:${server.port}` };
    try {
      const idle = (await getMemory(daemon.pid)).rssMiB;
      const english = await runPhase('en', daemon, () => 'en');
      const both = await runPhase('both', daemon, (i) => (i % 2 === 0 ? 'en' : 'fr'));
      process.stdout.write(`${JSON.stringify({ idle, english, both })}\n`);
      const rows: BenchRow[] = [
        {
          name: 'daemon RSS, MiB, 1,000 sockets connected',
          ours: both.connected,
          baseline: english.connected,
          target: '',
        },
        {
          name: `daemon RSS, MiB, after ${changes} pushed changes`,
          ours: both.pushed,
          baseline: english.pushed,
          target: '',
        },
        { name: 'frames of the counts received', ours: both.frames, baseline: english.frames, target: '' },
      ];
      printTable('Push in two languages, same run', rows, { ours: 'half fr', baseline: 'all en' });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
