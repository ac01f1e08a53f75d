// `npm run bench -- terminal`: the terminal page (issue 14) against Cockpit's terminal on the
// same machine in the same run, in Debian's Chromium: keystroke → echo round trip (p50/p95)
// and the throughput of a `cat` of 100 MB through the page.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { launchChromium, logIn } from './browser.ts';
import { getMemory, startBenchDaemon } from './processes.ts';
import { printTable } from './print-table.ts';

const cockpitWs = '/usr/lib/cockpit/cockpit-ws';
// Keystrokes measured (after 5 of warm-up; a p95 of 50 is their third slowest), and the size
// of the file sent through the page.
const keystrokes = Number(process.env.LICORN_BENCH_TERMINAL_KEYS ?? 50);
const catMiB = Number(process.env.LICORN_BENCH_TERMINAL_MIB ?? 100);
// Cockpit is killed after this long whatever happens.
const cockpitLifetimeSeconds = 1200;

// Cockpit's web server, bridge and terminal page come from Debian; installed when missing
// and we may (as root), as the web bench does with httperf.
function ensureCockpit(): void {
  if (existsSync(cockpitWs) && existsSync('/usr/share/cockpit/systemd/terminal.html')) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'missing Cockpit: apt-get install -y --no-install-recommends cockpit-ws cockpit-bridge cockpit-system',
    );
  }
  execFileSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', 'cockpit-ws', 'cockpit-bridge', 'cockpit-system'],
    { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
  );
}

async function getFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// A text file of `mib` MiB: lines of 79 printable characters, readable by nobody.
async function makeTextFile(dir: string, mib: number): Promise<string> {
  const file = join(dir, 'cat.txt');
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_'.repeat(2).slice(0, 79)}\n`;
  const block = Buffer.from(line.repeat(Math.floor((1024 * 1024) / line.length)));
  const handle = await open(file, 'w');
  let written = 0;
  while (written < mib * 1024 * 1024) written += (await handle.write(block)).bytesWritten;
  await handle.close();
  await chmod(dir, 0o755);
  await chmod(file, 0o644);
  return file;
}

// Watches the page's WebSockets: when armed, notes the time of the next send, and of the
// first message carrying `text` after it (Licorn: a binary output frame; Cockpit: a text
// frame of a channel, not of its control channel). Installed before the page's own script;
// plain JavaScript (a function would be passed through tsx's transform and its helpers).
const watchSockets = `(() => {
  const probe = { armed: false, text: '', sentAt: 0, gotAt: 0 };
  window.socketProbe = probe;
  const decoder = new TextDecoder();
  const Original = window.WebSocket;
  const send = Original.prototype.send;
  Original.prototype.send = function (data) {
    // Keystrokes only: Licorn's input frames (kind 0; acknowledgements are kind 2), Cockpit's
    // channel frames (its control channel's start with a newline).
    const isInput =
      typeof data === 'string'
        ? !data.startsWith('\\n')
        : new Uint8Array(data.buffer ?? data)[data.byteOffset ?? 0] === 0;
    if (probe.armed && probe.sentAt === 0 && isInput) probe.sentAt = performance.now();
    return send.call(this, data);
  };
  window.WebSocket = class extends Original {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (!probe.armed || probe.sentAt === 0 || probe.gotAt !== 0) return;
        const data = event.data;
        let found = false;
        if (typeof data === 'string') {
          found = !data.startsWith('\\n') && data.slice(-4096).includes(probe.text);
        } else {
          const bytes = new Uint8Array(data);
          const tail = decoder.decode(bytes.subarray(Math.max(1, bytes.length - 4096)));
          found = bytes[0] === 0 && tail.includes(probe.text);
        }
        if (found) probe.gotAt = performance.now();
      });
    }
  };
})();`;

// Arms the probe for `text`, runs `act` (a keystroke), and returns the send → message time.
async function timeEcho(page: Page, text: string, act: () => Promise<void>, timeoutMs = 10_000): Promise<number> {
  await page.evaluate((value) => {
    const probe = (window as unknown as { socketProbe: Record<string, unknown> }).socketProbe;
    Object.assign(probe, { armed: true, text: value, sentAt: 0, gotAt: 0 });
  }, text);
  await act();
  await page.waitForFunction(
    () => ((window as unknown as { socketProbe: { gotAt: number } }).socketProbe.gotAt ?? 0) > 0,
    undefined,
    { timeout: timeoutMs, polling: 5 },
  );
  return page.evaluate(() => {
    const probe = (window as unknown as { socketProbe: { sentAt: number; gotAt: number; armed: boolean } }).socketProbe;
    probe.armed = false;
    return probe.gotAt - probe.sentAt;
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

interface TerminalFigures {
  echoP50: number;
  echoP95: number;
  // MiB/s from Enter to the marker after the file drawn on the page, and received by its socket.
  drawnMiBs: number;
  receivedMiBs: number;
}

// A terminal page under measure: `screen` is where its xterm shows its text.
interface TerminalPage {
  page: Page;
  screen: string;
  times: number[];
}

// Clicks into the page's terminal and waits for its prompt.
async function prepareTerminal({ page, screen }: TerminalPage): Promise<void> {
  await page.locator('.xterm').first().click();
  await page.waitForFunction((selector) => /[$#]/.test(document.querySelector(selector)?.textContent ?? ''), screen, {
    timeout: 30_000,
  });
}

// Keystroke → echo on both pages in turn, keystroke by keystroke (which goes first alternates),
// so both meet the same load of this shared machine: measured one after the other, a minute
// of other work on it could land on one page only.
async function measureEchoes(pages: TerminalPage[]): Promise<void> {
  const letters = 'QZXJKVWY';
  for (let index = 0; index < keystrokes + 5; index += 1) {
    const letter = letters[index % letters.length]!;
    const order = index % 2 === 0 ? pages : [...pages].reverse();
    for (const { page, times } of order) {
      const time = await timeEcho(page, letter, () => page.keyboard.press(`Shift+Key${letter}`));
      if (index >= 5) times.push(time);
      await page.waitForTimeout(20);
    }
  }
}

// `cat` of the file through the page, then the echo figures.
async function measureThroughput({ page, screen, times }: TerminalPage, file: string): Promise<TerminalFigures> {
  await page.keyboard.press('Control+KeyU');
  const marker = `END-${Date.now() % 100_000}`;
  const [left, right] = [marker.slice(0, 4), marker.slice(4)];
  await page.keyboard.type(`cat ${file}; echo ${left}''${right}`);
  const started = Date.now();
  const received = await timeEcho(page, marker, () => page.keyboard.press('Enter'), 900_000);
  await page.waitForFunction(
    ({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').includes(text),
    { selector: screen, text: marker },
    { timeout: 900_000, polling: 50 },
  );
  const drawnMs = Date.now() - started;
  return {
    echoP50: percentile(times, 50),
    echoP95: percentile(times, 95),
    drawnMiBs: catMiB / (drawnMs / 1000),
    receivedMiBs: catMiB / (received / 1000),
  };
}

// A fresh daemon over a demo sandbox, its Terminal page open as the demo's admin.
async function openLicorn(browser: Browser, dir: string) {
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  const daemon = await startBenchDaemon(dir, root);
  try {
    const page = await logIn(browser, `https://127.0.0.1:${daemon.port}`);
    await page.addInitScript({ content: watchSockets });
    await page.goto('/terminal/');
    const terminal = { page, screen: '.terminal-pane:not([hidden]) .xterm-rows', times: [] as number[] };
    return { terminal, daemon };
  } catch (error) {
    await daemon.stop();
    throw error;
  }
}

// Cockpit's web server with its own bridge, its terminal page open.
async function openCockpit(browser: Browser) {
  const port = await getFreePort();
  const args = [String(cockpitLifetimeSeconds), cockpitWs, '--port', String(port), '--address', '127.0.0.1'];
  const ws = spawn('timeout', [...args, '--local-session=cockpit-bridge'], { stdio: 'ignore' });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript({ content: watchSockets });
    const url = `http://127.0.0.1:${port}/cockpit/@localhost/system/terminal.html`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await page.goto(url);
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await page.waitForTimeout(100);
      }
    }
    return { terminal: { page, screen: '.xterm-accessibility-tree', times: [] as number[] }, ws };
  } catch (error) {
    ws.kill('SIGTERM');
    throw error;
  }
}

// Runs the benchmark and prints its table.
export async function runTerminalBench(): Promise<void> {
  ensureCockpit();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-terminal-bench-'));
  const browser = await launchChromium();
  try {
    const file = await makeTextFile(dir, catMiB);
    let cockpitTimes: number[] = [];
    const { terminal: ours, daemon } = await openLicorn(browser, dir);
    let licorn: TerminalFigures & { rssBefore: number; peakMiB: number };
    try {
      const rssBefore = (await getMemory(daemon.child.pid!)).rssMiB;
      // The keystrokes with both pages open; then each `cat` with only its own page, server
      // and shell alive, as the page would be alone on the machine.
      const { terminal: theirs, ws } = await openCockpit(browser);
      try {
        await prepareTerminal(ours);
        await prepareTerminal(theirs);
        await measureEchoes([ours, theirs]);
      } finally {
        await theirs.page.context().close();
        ws.kill('SIGTERM');
      }
      const figures = await measureThroughput(ours, file);
      const { peakMiB } = await getMemory(daemon.child.pid!);
      await ours.page.context().close();
      licorn = { ...figures, rssBefore, peakMiB };
      cockpitTimes = theirs.times;
    } finally {
      await daemon.stop();
    }
    const { terminal: theirs, ws } = await openCockpit(browser);
    try {
      await prepareTerminal(theirs);
      theirs.times.push(...cockpitTimes);
      const cockpit = await measureThroughput(theirs, file);
      await theirs.page.context().close();
      printFigures(licorn, cockpit);
    } finally {
      ws.kill('SIGTERM');
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// The table of both pages' figures.
function printFigures(licorn: TerminalFigures & { rssBefore: number; peakMiB: number }, cockpit: TerminalFigures) {
  printTable(
    `Terminal: licornd (shell as ${process.getuid?.() === 0 ? 'nobody' : 'its user'}) against Cockpit 287 (its ` +
      `bridge's shell) in Chromium`,
    [
      {
        name: 'keystroke → echo at the page socket, p50 (ms)',
        ours: licorn.echoP50,
        baseline: cockpit.echoP50,
        target: '—',
      },
      {
        name: 'keystroke → echo at the page socket, p95 (ms)',
        ours: licorn.echoP95,
        baseline: cockpit.echoP95,
        target: '≤ Cockpit',
      },
      {
        name: `cat ${catMiB} MiB, drawn on the page (MiB/s)`,
        ours: licorn.drawnMiBs,
        baseline: cockpit.drawnMiBs,
        target: '≥ 2× Cockpit',
      },
      {
        name: `cat ${catMiB} MiB, received by the page (MiB/s)`,
        ours: licorn.receivedMiBs,
        baseline: cockpit.receivedMiBs,
        target: '—',
      },
      { name: 'daemon RSS before / peak (MiB)', ours: licorn.peakMiB, baseline: licorn.rssBefore, target: 'bounded' },
    ],
    { ours: 'licornd', baseline: 'Cockpit' },
  );
}
