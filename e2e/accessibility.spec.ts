import { test as base, type Page } from '@playwright/test';
import { getContrast, getSeriousViolations, colourRules } from './axe-check.ts';
import { daemonUrl, expect } from './fixtures.ts';
import { adminPages, checkedWidths, colorSchemes, logInHere, openSettled } from './pages.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

type Scheme = (typeof colorSchemes)[number];

// One page for the whole file, logged in once (a login costs more than most checks), and one
// without a session for the login page: each check changes the width and the theme of the
// page it has, and loads a page only when it needs another.
const test = base.extend<object, { adminPage: Page; guestPage: Page }>({
  adminPage: [
    async ({ browser }, use) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl() });
      const page = await context.newPage();
      await page.goto('/login/');
      await logInHere(page, 'admin', testPasswords.admin);
      await use(page);
      // Out, so other specs see no leftover session.
      await page.goto('/');
      await page.getByRole('button', { name: 'Log out' }).click();
      await context.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  guestPage: [
    async ({ browser }, use) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl() });
      await use(await context.newPage());
      await context.close();
    },
    { scope: 'worker' },
  ],
});

// The import page's buttons show once there is a file to check.
async function pasteFile(page: Page): Promise<void> {
  await page.getByLabel('or paste it').fill('login,fullName\nzz.contrast,Zed Contrast\n');
  await expect(page.getByRole('button', { name: 'Check (dry run)' })).toBeVisible();
}

// What is checked: a page, or a part of it in some state (`prepare` brings it about once the
// page is loaded at the view's first width).
type View = {
  name: string;
  path: string;
  guest?: boolean;
  include?: string;
  widths?: readonly number[];
  prepare?: (page: Page) => Promise<void>;
};
const views: View[] = [
  { name: 'login', path: '/login/', guest: true },
  ...Object.entries(adminPages).map(([name, path]) => ({ name, path })),
  {
    name: 'the folded menu, open',
    path: '/',
    include: '.topbar',
    widths: [375, 768],
    prepare: (page) => page.getByRole('button', { name: 'Menu' }).click(),
  },
  {
    name: 'the New account dialog',
    path: '/accounts/',
    include: '#create-account',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'New account' }).click();
      await expect(page.getByRole('dialog', { name: 'New account' })).toBeVisible();
    },
  },
  { name: 'import, a file pasted', path: '/accounts/-/import', prepare: pasteFile },
];

// Which view each page shows now, so the next check on the same view loads nothing.
const shown = new WeakMap<Page, string>();

// Loads the view's page and brings its state about, unless `page` shows that view already.
async function open(page: Page, view: View): Promise<void> {
  if (shown.get(page) === view.name) return;
  shown.delete(page);
  await openSettled(page, view.path);
  await view.prepare?.(page);
  shown.set(page, view.name);
}

// Shows `view` on `page` at `width` in `scheme`: the width and theme first (a view's state,
// such as an open menu, may need the width), then the page if it shows another view.
async function show(page: Page, view: View, width: number, scheme: Scheme): Promise<void> {
  await page.setViewportSize({ width, height: 800 });
  await page.emulateMedia({ colorScheme: scheme });
  await open(page, view);
  // The layout and the scripts that follow the window's size (charts) settle in a frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

// The view of that name (the button checks reuse the pages the views' checks open).
const getView = (name: string): View => views.find((view) => view.name === name)!;

// Every view at every width in both themes (the lists' cards of phones too), one test each so
// a failure names all three. The themes differ in colours alone (main.css's dark palette only
// sets colour variables), so the dark theme runs the colour rules and the light one all rules.
for (const view of views) {
  for (const width of view.widths ?? checkedWidths) {
    for (const scheme of colorSchemes) {
      test(`axe: ${view.name} at ${width} px, ${scheme} theme, no serious or critical violation`, async ({
        adminPage,
        guestPage,
      }) => {
        const page = view.guest ? guestPage : adminPage;
        await show(page, view, width, scheme);
        const rules = scheme === 'light' ? undefined : colourRules;
        expect(await getSeriousViolations(page, view.include, rules)).toEqual([]);
      });
    }
  }
}

// Import before its dry run is disabled, and looks it in both themes: not the primary colours,
// a dashed border, a "not allowed" cursor, its words still readable (AA); hovering it changes
// nothing. (axe passes over disabled controls, hence the contrast computed here.)
test('a disabled button looks disabled and stays readable, light and dark', async ({ adminPage: page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, getView('import, a file pasted'));
  const importButton = page.getByRole('button', { name: 'Import', exact: true });
  await expect(importButton).toBeDisabled();
  const look = () =>
    importButton.evaluate((element) => {
      const style = getComputedStyle(element);
      const probe = document.createElement('button');
      probe.className = 'button button-primary';
      document.body.append(probe);
      const primaryBg = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return {
        bg: style.backgroundColor,
        primaryBg,
        border: style.borderTopStyle,
        cursor: style.cursor,
        color: style.color,
      };
    });
  for (const scheme of colorSchemes) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.mouse.move(0, 0);
    const disabled = await look();
    expect(disabled.bg, scheme).not.toBe(disabled.primaryBg);
    expect(disabled.border, scheme).toBe('dashed');
    expect(disabled.cursor, scheme).toBe('not-allowed');
    const what = `${scheme}: ${disabled.color} on ${disabled.bg}`;
    expect(getContrast(disabled.color, disabled.bg), what).toBeGreaterThanOrEqual(4.5);
    await importButton.hover({ force: true });
    expect(await look(), `${scheme}, hovered`).toEqual(disabled);
  }
});

// Each kind of button, hovered, pressed and reached with the keyboard, in both themes: AA text
// contrast in each state, and a focus ring that stands out (3:1) from what is around it.
const buttons = [
  { view: 'import, a file pasted', name: 'Check (dry run)', kind: 'default' },
  { view: 'account', name: /^Delete blefevre/, kind: 'danger' },
  { view: 'accounts', name: 'New account', kind: 'primary' },
  { view: 'accounts', name: 'Log out', kind: 'quiet' },
];
for (const { view, name, kind } of buttons) {
  test(`a ${kind} button keeps AA contrast hovered, pressed and focused, light and dark`, async ({
    adminPage: page,
  }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page, getView(view));
    const button = page.getByRole('button', { name });
    await button.evaluate((element) => element.setAttribute('data-checked-button', ''));
    const found: string[] = [];
    for (const scheme of colorSchemes) {
      await page.emulateMedia({ colorScheme: scheme });
      const check = async (state: string) => {
        for (const line of await getSeriousViolations(page, '[data-checked-button]', ['color-contrast']))
          found.push(`${scheme} ${state}: ${line}`);
      };
      await button.hover();
      await check('hovered');
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
      expect(outlineStyle, `${scheme}: a visible focus ring`).not.toBe('none');
      expect(getContrast(outline, around), `${scheme}: ring ${outline} on ${around}`).toBeGreaterThanOrEqual(3);
      await button.blur();
    }
    await button.evaluate((element) => element.removeAttribute('data-checked-button'));
    expect(found).toEqual([]);
  });
}
