import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { daemonUrl, expect, test } from './fixtures.ts';
import { adminPages, colorSchemes, logInHere, openSettled } from './pages.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

const wcagAA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// The serious and critical violations axe-core finds on the page (or in `selector`), one line
// each with where they are, so a failure says what to fix.
async function getSeriousViolations(page: Page, selector?: string, rules?: string[]): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(wcagAA);
  if (selector) builder = builder.include(selector);
  if (rules) builder = builder.withRules(rules);
  const { violations } = await builder.analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
    );
}

// WCAG's contrast ratio of two computed CSS colours (rgb or rgba over an opaque background).
function getContrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

async function newPage(browser: import('@playwright/test').Browser, colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    baseURL: daemonUrl(),
    viewport: { width: 1280, height: 900 },
    colorScheme,
  });
  return context.newPage();
}

for (const colorScheme of colorSchemes) {
  test(`axe-core finds no serious or critical violation on any page, ${colorScheme} theme`, async ({ browser }) => {
    test.setTimeout(180_000);
    const page = await newPage(browser, colorScheme);
    await page.goto('/login/');
    const found: string[] = (await getSeriousViolations(page)).map((line) => `login: ${line}`);
    await logInHere(page, 'admin', testPasswords.admin);
    for (const [name, path] of Object.entries(adminPages)) {
      await openSettled(page, path);
      found.push(...(await getSeriousViolations(page)).map((line) => `${name}: ${line}`));
    }
    // The folded menu of a phone, open.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('button', { name: 'Menu' }).click();
    found.push(...(await getSeriousViolations(page, '.topbar')).map((line) => `menu at 375 px: ${line}`));
    expect(found).toEqual([]);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.context().close();
  });

  test(`buttons keep AA contrast when hovered, focused and pressed, and look disabled when they are, ${colorScheme} theme`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const page = await newPage(browser, colorScheme);
    await page.goto('/login/');
    await logInHere(page, 'admin', testPasswords.admin);
    // The import's buttons show once there is a file to check.
    const openImport = async () => {
      await openSettled(page, '/accounts/-/import');
      await page.getByLabel('or paste it').fill('login,fullName\nzz.contrast,Zed Contrast\n');
      await expect(page.getByRole('button', { name: 'Check (dry run)' })).toBeVisible();
    };
    const buttons = [
      { path: '/accounts/blefevre', name: /^Delete blefevre/, kind: 'danger' },
      { path: '/accounts/', name: 'New account', kind: 'primary' },
      { path: '/accounts/-/import', name: 'Check (dry run)', kind: 'default' },
      { path: '/accounts/', name: 'Log out', kind: 'quiet' },
    ];
    const found: string[] = [];
    for (const { path, name, kind } of buttons) {
      if (path === '/accounts/-/import') await openImport();
      else await openSettled(page, path);
      const button = page.getByRole('button', { name });
      await button.evaluate((element) => element.setAttribute('data-checked-button', ''));
      const selector = '[data-checked-button]';
      const check = async (state: string) => {
        for (const line of await getSeriousViolations(page, selector, ['color-contrast']))
          found.push(`${kind} ${state}: ${line}`);
      };
      // At rest, the page-wide run above covers it.
      await button.hover();
      await check('hovered');
      const box = (await button.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await check('pressed');
      // Leaving before releasing: no click.
      await page.mouse.move(0, 0);
      await page.mouse.up();
      // Reached with the keyboard, as :focus-visible means.
      await button.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      await expect(button).toBeFocused();
      await check('focused');
      // The focus ring stands out (3:1) against the page around the button.
      const { outline, outlineStyle, around } = await button.evaluate((element) => {
        const style = getComputedStyle(element);
        let parent = element.parentElement;
        let around = 'rgb(255, 255, 255)';
        while (parent) {
          const bg = getComputedStyle(parent).backgroundColor;
          if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') {
            around = bg;
            break;
          }
          parent = parent.parentElement;
        }
        return { outline: style.outlineColor, outlineStyle: style.outlineStyle, around };
      });
      expect(outlineStyle, `${kind} focused: a visible focus ring`).not.toBe('none');
      expect(getContrast(outline, around), `${kind} focused: ring ${outline} on ${around}`).toBeGreaterThanOrEqual(3);
      await button.evaluate((element) => element.removeAttribute('data-checked-button'));
    }
    expect(found).toEqual([]);

    // Import before its dry run is disabled, and looks it: not the primary colours, a dashed
    // border, a "not allowed" cursor; hovering it changes nothing.
    await openImport();
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    await expect(importButton).toBeDisabled();
    const look = () =>
      importButton.evaluate((element) => {
        const style = getComputedStyle(element);
        return { bg: style.backgroundColor, border: style.borderTopStyle, cursor: style.cursor, color: style.color };
      });
    const disabled = await look();
    const enabledPrimary = await page.getByRole('button', { name: 'Check (dry run)' }).evaluate(() => {
      const probe = document.createElement('button');
      probe.className = 'button button-primary';
      document.body.append(probe);
      const bg = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return bg;
    });
    expect(disabled.bg).not.toBe(enabledPrimary);
    expect(disabled.border).toBe('dashed');
    expect(disabled.cursor).toBe('not-allowed');
    await importButton.hover({ force: true });
    expect(await look()).toEqual(disabled);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.context().close();
  });
}
