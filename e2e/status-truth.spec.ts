import type { Browser, Page } from '@playwright/test';
import { expect, test, useOneLogin } from './fixtures.ts';
import { checkedWidths, colorSchemes } from './pages.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { packHistory, type TimedSample } from '../common/pack-history.ts';

// Charts that tell the truth (issue 17): the Status page fed a history with what a daemon
// that samples only while followed leaves behind. Through Playwright's WebSocket route, so
// the history is exactly this one.
const gib = 1024 ** 3;
const now = Date.now();
const latest = now - 1000;
const at = (secondsAgo: number, values?: Record<string, number>): TimedSample => ({
  time: now - secondsAgo * 1000,
  values: values ?? {
    'cpu.user': 10,
    'cpu.system': 5,
    'cpu.iowait': 0,
    'cpu.steal': 0,
    'cpu.cores': 2,
    'memory.total': 8 * gib,
    'memory.used': 1 * gib,
    'memory.buffers': 0.25 * gib,
    'memory.cache': 2 * gib,
    'memory.free': 4.75 * gib,
    'load.1': 0.5,
    'load.5': 0.4,
    'load.15': 0.3,
  },
});
const run = (fromAgo: number, toAgo: number) =>
  Array.from({ length: fromAgo - toAgo + 1 }, (_, index) => at(fromAgo - index));
// A page open for 3 s nine minutes ago; one for 100 s after; nobody from 300 s to 120 s ago;
// then sampling again (its first sample has no rates yet, as the daemon's).
const history = [
  ...run(540, 538),
  ...run(400, 300),
  at(120, { 'cpu.cores': 2, 'memory.total': 8 * gib }),
  ...run(119, 1),
];

// The 18 tests below each open the page as the admin: one login through the form for them all
// (each logged in and out itself before); the session is logged out after the last.
const admin = useOneLogin('admin', testPasswords.admin);
test.afterAll(({ browser }) => admin.end(browser));

// An admin's Status page, in a window of `width` px and the `colorScheme` theme, fed the history.
async function openStatusIn(browser: Browser, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
  const page = await admin.open(browser);
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme });
  await openStatus(page);
  return page;
}

// The element lies between the window's left and right edges (a tooltip or a note that
// spills past a phone's edge cannot be read).
async function expectAcross(page: Page, selector: string, what: string): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  expect(box, what).not.toBeNull();
  expect(box.x, `${what}: left edge`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what}: right edge`).toBeLessThanOrEqual(page.viewportSize()!.width + 0.5);
}

async function openStatus(page: Page): Promise<void> {
  await page.routeWebSocket(/\/ws$/, (socket) => {
    socket.onMessage(() =>
      socket.send(
        JSON.stringify([{ action: 'sample', target: 'status', data: { range: '10m', history: packHistory(history) } }]),
      ),
    );
  });
  await page.goto('/status/');
  await expect(page.locator('#status-updated')).toContainText('Last sample');
}

// The page x of a time on a chart (its plot spans the last 10 minutes up to the latest sample).
async function getX(page: Page, chart: string, time: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`[data-chart="${chart}"] svg`).boundingBox())!;
  const left = 64;
  const inner = box.width - left - 12;
  return { x: box.x + left + ((time - (latest - 600_000)) / 600_000) * inner, y: box.y + box.height / 2 };
}

// At each width, in each theme: what the charts say must be readable on a phone too.
for (const width of checkedWidths) {
  for (const colorScheme of colorSchemes) {
    const where = `, ${width} px, ${colorScheme}`;
    test(`a gap where nobody sampled says "no data" under the pointer, never 0 %${where}`, async ({ browser }) => {
      const page = await openStatusIn(browser, width, colorScheme);
      const tooltip = page.locator('#chart-tooltip');
      const gap = await getX(page, 'cpu', now - 200_000);
      await page.mouse.move(gap.x, gap.y);
      await expect(tooltip).toBeVisible();
      await expect(tooltip).toContainText('no data');
      await expect(tooltip).not.toContainText('%');
      await expectAcross(page, '#chart-tooltip', 'the tooltip over the gap');
      // Where sampling ran, the values.
      const sampled = await getX(page, 'cpu', now - 60_000);
      await page.mouse.move(sampled.x, sampled.y);
      await expect(tooltip).toContainText('user: 10 %');
      await expect(tooltip).not.toContainText('no data');
      await page.context().close();
    });

    test(`memory stacks used, buffers and cache against the total; free is the room above${where}`, async ({
      browser,
    }) => {
      const page = await openStatusIn(browser, width, colorScheme);
      const memory = page.locator('[data-chart="memory"]');
      await expect(memory.locator('[data-key="memory.cache"] path').first()).toHaveAttribute('d', /^M/);
      await expect(memory.locator('[data-key="memory.free"]')).toHaveCount(0);
      await expect(memory.locator('.chart-legend')).toContainText('free 4.8 GiB of 8.0 GiB');
      // used + buffers + cache is 3.25 of 8 GiB: the stack's top is in the lower half of the plot.
      // (The plot spans the chart less 8 px above and 22 px below.)
      const chart = (await memory.locator('svg').boundingBox())!;
      const stack = (await memory.locator('[data-key="memory.cache"]').boundingBox())!;
      expect(stack.y).toBeGreaterThan(chart.y + 8 + (chart.height - 30) / 2);
      await page.context().close();
    });

    test(`a page opened after a long idle says when sampling started, and draws no isolated spike${where}`, async ({
      browser,
    }) => {
      const page = await openStatusIn(browser, width, colorScheme);
      const started = await page.evaluate((time) => {
        const date = new Date(time);
        return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
      }, now - 119_000);
      for (const chart of ['cpu', 'memory']) {
        await expect(page.locator(`[data-chart="${chart}"] .chart-start text`)).toHaveText(
          `sampling started at ${started}`,
        );
        await expectAcross(page, `[data-chart="${chart}"] .chart-start text`, `${chart}: the note`);
      }
      // The 3 s of nine minutes ago are not drawn; the 100 s from 400 s ago are.
      const leftmost = await page.locator('[data-chart="cpu"] .series path').evaluateAll((paths) =>
        Math.min(
          ...paths
            .map((path) => path.getBoundingClientRect())
            .filter((box) => box.width > 0)
            .map((box) => box.left),
        ),
      );
      const longRun = await getX(page, 'cpu', now - 400_000);
      const spike = await getX(page, 'cpu', now - 540_000);
      expect(leftmost).toBeGreaterThan(spike.x + 5);
      expect(Math.abs(leftmost - longRun.x)).toBeLessThan(3);
      await page.context().close();
    });
  }
}
