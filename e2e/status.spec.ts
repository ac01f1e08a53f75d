import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

test('the status page draws every chart, moves with new samples and shows values under the pointer', async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/status/');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  for (const name of ['cpu', 'memory', 'network', 'disks']) {
    await expect(page.locator(`[data-chart="${name}"] svg .axis-y .tick`).first()).toBeVisible();
  }
  await expect(page.locator('[data-chart="load"] .bar')).toHaveCount(3);
  await expect(page.locator('[data-chart="filesystems"] .bar').first()).toBeVisible();
  // The daemon's ten figures (uptime … push refusals) and the shares' watcher's six (with the watches refused
  // past the budget).
  await expect(page.locator('#daemon-figures dt')).toHaveCount(16);

  // No label sits on another: each chart's axis labels, legend entries and bar labels. While
  // a value axis morphs, its old labels fade out as the new ones fade in: labels are compared
  // once fully shown, and each chart with a value axis must show at least two of them.
  const labelProblems = () =>
    page.evaluate(() => {
      const groups = ['.axis-x .tick text', '.axis-y .tick text', '.chart-legend li', '.bar text'];
      const isShown = (element: Element) => Number(getComputedStyle(element.closest('.tick') ?? element).opacity) === 1;
      return [...document.querySelectorAll('[data-chart]')].flatMap((chart) =>
        groups.flatMap((selector) => {
          const name = chart.getAttribute('data-chart');
          const boxes = [...chart.querySelectorAll(selector)]
            .filter(isShown)
            .map((element) => element.getBoundingClientRect())
            .filter((box) => box.width > 0);
          const tooFew =
            selector === '.axis-y .tick text' && chart.querySelector('.axis-y') && boxes.length < 2
              ? [`${name}: fewer than 2 value labels shown`]
              : [];
          return tooFew.concat(
            boxes.flatMap((a, i) =>
              boxes
                .slice(i + 1)
                .filter(
                  (b) =>
                    a.left < b.right - 0.5 &&
                    b.left < a.right - 0.5 &&
                    a.top < b.bottom - 0.5 &&
                    b.top < a.bottom - 0.5,
                )
                .map(() => `${name}: ${selector} overlap`),
            ),
          );
        }),
      );
    });
  await expect.poll(labelProblems, { timeout: 5000 }).toEqual([]);

  // New points arrive: the CPU stack's path changes within 3 s.
  // (A series is a group of paths, one per chunk of time; the newest chunk is the last.)
  const userArea = page.locator('[data-chart="cpu"] [data-key="cpu.user"] path:last-child');
  await expect(userArea).toHaveAttribute('d', /^M/);
  const before = await userArea.getAttribute('d');
  await expect.poll(() => userArea.getAttribute('d'), { timeout: 3000 }).not.toBe(before);

  // The tooltip gives the exact values under the pointer.
  const box = (await page.locator('[data-chart="cpu"] svg').boundingBox())!;
  // At the newest sample: the plot ends 12 px before the chart's right edge.
  await page.mouse.move(box.x + box.width - 13, box.y + box.height / 2);
  await expect(page.locator('#chart-tooltip')).toBeVisible();
  await expect(page.locator('#chart-tooltip')).toContainText(/user: \d+(\.\d)? %/);

  // The 24-hour view (one-minute averages) replaces the samples, then back.
  await page.getByRole('button', { name: '24 hours' }).click();
  await expect(page.getByRole('button', { name: '24 hours' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: '10 minutes' }).click();
  await expect(userArea).toHaveAttribute('d', /^M/);

  await page.screenshot({ path: 'test-results/e2e/status.png', fullPage: true });

  // Dark mode has colours of its own for the series and the axes.
  const colours = () =>
    page.evaluate(() => [
      getComputedStyle(document.querySelector('[data-chart="cpu"] [data-key="cpu.user"] path')!).fill,
      getComputedStyle(document.querySelector('[data-chart="cpu"] .axis-y .tick text')!).fill,
    ]);
  const light = await colours();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  expect(dark[0]).not.toBe(light[0]);
  expect(dark[1]).not.toBe(light[1]);
  await page.screenshot({ path: 'test-results/e2e/status-dark.png', fullPage: true });
  await logOutAndClose(page);
});

test("the dashboard's card draws the CPU from the topic of its one chart, and the load and memory", async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  // Its history holds the CPU's metrics only; the bars and the memory read the last sample.
  await expect(page.locator('[data-chart="cpu-card"] [data-key="cpu.user"] path').first()).toHaveAttribute('d', /^M/);
  await expect(page.locator('[data-chart="load-card"] .bar')).toHaveCount(3);
  await expect(page.locator('#memory-card')).toHaveText(/\d/);
  await logOutAndClose(page);
});
