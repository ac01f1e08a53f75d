// The volumes bench's attach delays: from the start of `losetup -f --show` (a shell's) to the
// `volume-added` event of a core in this process, to the daemon's push frame on a bare
// WebSocket subscribed to `volumes`, and to the row inserted and painted in an open /volumes/
// page (Debian's Chromium), all for the same attach, then detached again.
import WebSocket from 'ws';
import { createCore } from '../server/core/core.ts';
import { getCookieHeader, launchChromium, logIn } from './browser.ts';
import type { LoopFleet } from './loop-fleet.ts';

// Milliseconds per attach (the first, a warm-up, not counted); empty frame and painted lists
// when this build has no /volumes/ page, with why.
export interface AttachDelays {
  bus: number[];
  frame: number[];
  painted: number[];
  noPageReason: string;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`volumes bench: no ${what} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// Records, in the page, when each volume row is inserted and when the next frame starts.
const recordRows = `(() => {
  window.rowTimes = {};
  new MutationObserver((records) => {
    const inserted = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      if (!node.id || !node.id.startsWith('volume-')) continue;
      const entry = (window.rowTimes[node.id] = { inserted, painted: 0 });
      requestAnimationFrame(() => { entry.painted = performance.timeOrigin + performance.now(); });
    }
  }).observe(document.getElementById('volume-rows'), { childList: true });
})()`;

export async function measureAttachDelays(
  fleet: LoopFleet,
  image: string,
  root: string,
  port: number,
  rounds: number,
): Promise<AttachDelays> {
  const core = await createCore({
    root,
    isRealMachine: false,
    pamService: 'licorn',
    adminGroups: ['admins'],
    auditFile: `${root}/../bench-audit.log`,
  });
  const added = new Map<string, number>();
  const removed = new Set<string>();
  core.events.on('volume-added', ({ data }) => added.set(data.name, Date.now()));
  core.events.on('volume-removed', ({ data }) => removed.add(data.name));
  const browser = await launchChromium();
  const result: AttachDelays = { bus: [], frame: [], painted: [], noPageReason: '' };
  try {
    const url = `https://127.0.0.1:${port}`;
    const page = await logIn(browser, url);
    const response = await page.goto('/volumes/');
    const hasPage = response?.status() === 200 && (await page.locator('#volume-rows').count()) === 1;
    if (!hasPage) result.noPageReason = `GET /volumes/ answered ${response?.status()} on this build`;
    const frames: { time: number; text: string }[] = [];
    let socket: WebSocket | null = null;
    if (hasPage) {
      await page.locator('#connection-state[data-state="live"]').waitFor();
      await page.evaluate(recordRows);
      socket = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
        headers: { cookie: await getCookieHeader(page), origin: url },
        rejectUnauthorized: false,
      });
      await new Promise((resolve, reject) => {
        socket!.once('open', resolve);
        socket!.once('error', reject);
      });
      socket.on('message', (data) => frames.push({ time: Date.now(), text: data.toString() }));
      socket.send(JSON.stringify({ subscribe: ['volumes'] }));
    }
    for (let round = 0; round <= rounds; round += 1) {
      frames.length = 0;
      if (hasPage) await page.evaluate('window.rowTimes = {}');
      const started = Date.now();
      const name = await fleet.attach(image);
      await waitFor(() => added.has(name), `volume-added for ${name}`);
      const id = `id=\\"volume-${name}\\"`;
      let frameTime = 0;
      let painted = 0;
      if (hasPage) {
        await waitFor(() => frames.some((frame) => frame.text.includes(id)), `push frame for ${name}`);
        frameTime = frames.find((frame) => frame.text.includes(id))!.time;
        // A function, not a string: the page's CSP forbids eval, which a polled string needs.
        await page.waitForFunction(
          (rowId) =>
            ((window as unknown as { rowTimes: Record<string, { painted: number }> }).rowTimes[rowId]?.painted ?? 0) >
            0,
          `volume-${name}`,
          { polling: 50, timeout: 10_000 },
        );
        painted = (await page.evaluate(`window.rowTimes['volume-${name}'].painted`)) as number;
      }
      if (round > 0) {
        result.bus.push(added.get(name)! - started);
        if (hasPage) {
          result.frame.push(frameTime - started);
          result.painted.push(painted - started);
        }
      }
      added.delete(name);
      removed.delete(name);
      await fleet.detach(name);
      await waitFor(() => removed.has(name), `volume-removed for ${name}`);
      if (hasPage) await page.locator(`#volume-${name}`).waitFor({ state: 'detached', timeout: 10_000 });
    }
    socket?.close();
    return result;
  } finally {
    await browser.close();
    await core.close();
  }
}
