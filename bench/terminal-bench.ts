// `npm run bench -- terminal`: the terminal page (issue 14) against Cockpit's terminal on the
// same machine in the same run, in Debian's Chromium: keystroke → echo round trip (p50/p95)
// and the throughput of a `cat` of 100 MB through the page, in rounds on each page in turn.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { launchChromium, logIn } from './browser.ts';
import { getMemory, getTreeCpuMs, startBenchDaemon, type ServerProcess } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';
import { median, quantile } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

const cockpitWs = '/usr/lib/cockpit/cockpit-ws';
// Keystrokes measured (after 5 of warm-up; a p95 of 50 is their third slowest), and the size
// of the file sent through the page.
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

// MiB/s from Enter to the marker after the file drawn on the page, and received by its socket;
// the CPU the server (with its children: the shell, Cockpit's bridge) and Chromium's renderers
// used meanwhile, in percent of one core over the drawn time (what limits the `cat`).
interface CatFigures {
  drawnMiBs: number;
  receivedMiBs: number;
  serverCpu: number;
  rendererCpu: number;
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
async function measureEchoes(pages: TerminalPage[], keystrokes: number): Promise<void> {
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

// `cat` of the file through the page: MiB/s to the marker after it drawn, and received, and
// the CPU of `serverPid`'s tree and of the renderers meanwhile.
async function measureCat(
  { page, screen }: TerminalPage,
  { file, catMiB }: CatFile,
  serverPid: number,
): Promise<CatFigures> {
  await page.keyboard.press('Control+KeyU');
  const marker = `END-${Date.now() % 100_000}`;
  const [left, right] = [marker.slice(0, 4), marker.slice(4)];
  await page.keyboard.type(`cat ${file}; echo ${left}''${right}`);
  const cpu = () => Promise.all([getTreeCpuMs(serverPid), getTreeCpuMs(process.pid, '--type=renderer')]);
  const cpuBefore = await cpu();
  const started = Date.now();
  const received = await timeEcho(page, marker, () => page.keyboard.press('Enter'), 900_000);
  await page.waitForFunction(
    ({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').includes(text),
    { selector: screen, text: marker },
    { timeout: 900_000, polling: 50 },
  );
  const drawnMs = Date.now() - started;
  const [server, renderers] = (await cpu()).map((ms, index) => ((ms - cpuBefore[index]!) * 100) / drawnMs);
  return {
    drawnMiBs: catMiB / (drawnMs / 1000),
    receivedMiBs: catMiB / (received / 1000),
    serverCpu: server!,
    rendererCpu: renderers!,
  };
}

// A fresh daemon over a demo sandbox.
async function startLicorn(dir: string): Promise<ServerProcess> {
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  return startBenchDaemon(dir, root);
}

// The daemon's Terminal page open as the demo's admin, in a context of its own.
async function openLicorn(browser: Browser, daemon: ServerProcess): Promise<TerminalPage> {
  const page = await logIn(browser, `https://127.0.0.1:${daemon.port}`);
  await page.addInitScript({ content: watchSockets });
  await page.goto('/terminal/');
  return { page, screen: '.terminal-pane:not([hidden]) .xterm-rows', times: [] };
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

// The file a `cat` prints, and its size.
interface CatFile {
  file: string;
  catMiB: number;
}

// Runs the benchmark and prints its table.
export async function runTerminalBench(): Promise<void> {
  const keystrokes = readBenchCount('LICORN_BENCH_TERMINAL_KEYS', 50);
  const catMiB = readBenchCount('LICORN_BENCH_TERMINAL_MIB', 100);
  // Rounds of a `cat` on each page in turn: one round's ratio read 1.67–4.00× in one hour.
  const rounds = readBenchCount('LICORN_BENCH_TERMINAL_ROUNDS', 3);
  ensureCockpit();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-terminal-bench-'));
  const browser = await launchChromium();
  try {
    const file = { file: await makeTextFile(dir, catMiB), catMiB };
    const daemon = await startLicorn(dir);
    try {
      const rssBefore = (await getMemory(daemon.child.pid!)).rssMiB;
      // The keystrokes with both pages open.
      const ours = await openLicorn(browser, daemon);
      const { terminal: theirs, ws } = await openCockpit(browser);
      try {
        await prepareTerminal(ours);
        await prepareTerminal(theirs);
        await measureEchoes([ours, theirs], keystrokes);
      } finally {
        await theirs.page.context().close();
        await ours.page.context().close();
        ws.kill('SIGTERM');
      }
      // Then rounds of a `cat` on each, which goes first alternating, each with only its own
      // page and shell open (Cockpit's server started afresh; our daemon idle meanwhile).
      const cats = { ours: [] as CatFigures[], theirs: [] as CatFigures[] };
      for (let round = 1; round <= rounds; round += 1) {
        if (round % 2 === 0) cats.theirs.push(await catOnCockpit(browser, file));
        cats.ours.push(await catOnLicorn(browser, daemon, file));
        if (round % 2 === 1) cats.theirs.push(await catOnCockpit(browser, file));
        const [a, b] = [cats.ours.at(-1)!, cats.theirs.at(-1)!];
        process.stdout.write(
          `round ${round}: cat drawn ${a.drawnMiBs.toFixed(1)} / ${b.drawnMiBs.toFixed(1)} MiB/s ` +
            `(${(a.drawnMiBs / b.drawnMiBs).toFixed(2)}×), received ${a.receivedMiBs.toFixed(1)} / ` +
            `${b.receivedMiBs.toFixed(1)} MiB/s (licornd / Cockpit); CPU in % of a core: server ` +
            `${a.serverCpu.toFixed(0)} / ${b.serverCpu.toFixed(0)}, renderer ${a.rendererCpu.toFixed(0)} / ` +
            `${b.rendererCpu.toFixed(0)}; load ${loadavg()[0]!.toFixed(1)}\n`,
        );
      }
      const { peakMiB } = await getMemory(daemon.child.pid!);
      printFigures({ ours, theirs, cats, catMiB, rssBefore, peakMiB });
    } finally {
      await daemon.stop();
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// One `cat` through a fresh Terminal page of the daemon.
async function catOnLicorn(browser: Browser, daemon: ServerProcess, file: CatFile): Promise<CatFigures> {
  const terminal = await openLicorn(browser, daemon);
  try {
    await prepareTerminal(terminal);
    return await measureCat(terminal, file, daemon.child.pid!);
  } finally {
    await terminal.page.context().close();
  }
}

// One `cat` through Cockpit's terminal page, its server started for it and stopped after.
async function catOnCockpit(browser: Browser, file: CatFile): Promise<CatFigures> {
  const { terminal, ws } = await openCockpit(browser);
  try {
    await prepareTerminal(terminal);
    return await measureCat(terminal, file, ws.pid!);
  } finally {
    await terminal.page.context().close();
    ws.kill('SIGTERM');
  }
}

interface Measured {
  ours: TerminalPage;
  theirs: TerminalPage;
  cats: { ours: CatFigures[]; theirs: CatFigures[] };
  catMiB: number;
  rssBefore: number;
  peakMiB: number;
}

// The table of both pages' figures: the echoes' percentiles, the cats' medians and ratios.
function printFigures({ ours, theirs, cats, catMiB, rssBefore, peakMiB }: Measured) {
  const catRow = (name: string, key: keyof CatFigures, target: string): BenchRow => {
    const [a, b] = [cats.ours.map((f) => f[key]), cats.theirs.map((f) => f[key])];
    return { name, ours: median(a), baseline: median(b), target, ratios: a.map((value, i) => value / b[i]!) };
  };
  printTable(
    `Terminal: licornd (shell as ${process.getuid?.() === 0 ? 'nobody' : 'its user'}) against Cockpit 287 (its ` +
      `bridge's shell) in Chromium; cat: medians of ${cats.ours.length} rounds`,
    [
      {
        name: 'keystroke → echo at the page socket, p50 (ms)',
        ours: quantile(ours.times, 0.5),
        baseline: quantile(theirs.times, 0.5),
        target: '—',
      },
      {
        name: 'keystroke → echo at the page socket, p95 (ms)',
        ours: quantile(ours.times, 0.95),
        baseline: quantile(theirs.times, 0.95),
        target: '≤ Cockpit',
      },
      catRow(`cat ${catMiB} MiB, drawn on the page (MiB/s)`, 'drawnMiBs', '≥ 2× Cockpit'),
      catRow(`cat ${catMiB} MiB, received by the page (MiB/s)`, 'receivedMiBs', '—'),
      { name: 'daemon RSS before / peak (MiB)', ours: peakMiB, baseline: rssBefore, target: 'bounded' },
    ],
    { ours: 'licornd', baseline: 'Cockpit' },
  );
}
