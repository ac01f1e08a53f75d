import type { Page } from '@playwright/test';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { packHistory, type TimedSample } from '../common/pack-history.ts';
import { type Catalogue, catalogues } from '../common/i18n/catalogues.ts';

// The browser's own words in French (issue 17): a French admin opens dialogs, confirmations,
// the Status page's tooltip and the import's column picker, and no sentence of the English
// browser catalogue shows. The pages ask in French (Accept-Language: fr); a page whose
// <html lang> does not say fr (the templates' language is the server's) is given lang="fr",
// which is all the bundle reads.

// Each test logs in and walks a page through several steps: on the shared, loaded machine
// that takes more than the default 30 s at times.
test.describe.configure({ timeout: 60_000 });

// Every text of a catalogue.
function getTexts(catalogue: Catalogue): string[] {
  return Object.values(catalogue).flatMap((value) => (typeof value === 'string' ? [value] : getTexts(value)));
}

const french = new Set(getTexts(catalogues.fr.browser));
const englishOnly = getTexts(catalogues.en.browser).filter((text) => !french.has(text));
// Whole English texts without placeholders ("Saved", "Live"), found as a whole text; and the
// pieces between placeholders that hold three words or more ("rows have problems"), found
// anywhere (shorter pieces, "Its home", are also the English pages' words).
// Lowercase single words ("system", "used") are left out: the server's rows show such data.
const englishWhole = englishOnly.filter((text) => !text.includes('{{') && !/^\p{Ll}+$/u.test(text));
const englishPieces = [
  ...new Set(
    englishOnly
      .flatMap((text) => text.split(/\{\{[^}]*\}\}/))
      .map((piece) => piece.trim().replace(/^[:;,.]\s*/, ''))
      .filter((piece) => /\p{L}{2,}\s+\p{L}+\s+\p{L}{2,}/u.test(piece)),
  ),
];

// Which English texts of the browser catalogue `texts` shows.
function findEnglish(texts: string[]): string[] {
  return texts.flatMap((text) => [
    ...englishWhole.filter((english) => text.trim() === english),
    ...englishPieces.filter((piece) => text.includes(piece)),
  ]);
}

// The page's texts a person sees or hears: text nodes, titles, labels, placeholders, values
// of buttons; the browser's words are in text nodes and these attributes.
async function getShownTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !parent.closest('script, style, template') && node.textContent!.trim())
        texts.push(node.textContent!);
    }
    for (const element of document.querySelectorAll('[title], [aria-label], [placeholder]'))
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = element.getAttribute(name);
        if (value) texts.push(value);
      }
    return texts;
  });
}

async function expectNoEnglish(page: Page): Promise<void> {
  expect(findEnglish(await getShownTexts(page)), `English browser words on ${page.url()}`).toEqual([]);
}

// Asks every page of a logged-in `page` in French; a page that the server did not mark
// French (<html lang>) is marked so before the bundle's first word.
async function askInFrench(page: Page): Promise<Page> {
  await page.setExtraHTTPHeaders({ 'accept-language': 'fr-FR,fr;q=0.9' });
  await page.addInitScript(() => {
    const mark = () => {
      if (document.documentElement && document.documentElement.lang !== 'fr') document.documentElement.lang = 'fr';
    };
    mark();
    new MutationObserver(mark).observe(document, { childList: true });
  });
  return page;
}

// What a confirmation asked, then answered No.
function catchConfirmation(page: Page): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (dialog) => {
      resolve(dialog.message());
      void dialog.dismiss();
    });
  });
}

test('the accounts page: selection count, bulk delete confirmation and the New account dialog in French', async ({
  browser,
}) => {
  const page = await askInFrench(await logInAs(browser, 'admin', testPasswords.admin));
  await page.goto('/accounts/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('#connection-state')).toHaveText('En direct');
  const boxes = page.locator('#account-rows input[name="selected"]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.locator('#accounts-selected-count')).toHaveText('2 sélectionnés');
  const asked = catchConfirmation(page);
  await page.locator('#accounts-bulk button[data-bulk="delete"]').click();
  expect(await asked).toMatch(/^Supprimer 2 comptes\u00a0\? Leurs dossiers personnels seront /);
  expect(findEnglish([await asked])).toEqual([]);

  await page.locator('[data-open-dialog="create-account"]').first().click();
  const form = page.locator('#create-account-form');
  await form.locator('[name="fullName"]').fill('Éloïse Dubois');
  await expect(form.locator('[name="login"]')).toHaveValue('eloise.dubois');
  await form.locator('[name="password"]').fill('Ab1');
  await expect(page.locator('#new-password-strength-text')).toHaveText('Trop court\u00a0: au moins 8\u00a0caractères.');
  await form.locator('[name="password2"]').fill('Ab2');
  await expect(form.locator('[data-error-for="password2"]')).toHaveText('Les deux mots de passe diffèrent');
  await expectNoEnglish(page);
  await page.keyboard.press('Escape');
  await logOutAndClose(page);
});

test("an account's delete confirmation and its notices in French", async ({ browser }) => {
  const page = await askInFrench(await logInAs(browser, 'admin', testPasswords.admin));
  await page.goto('/accounts/blefevre');
  await expect(page.locator('#connection-state')).toHaveText('En direct');
  const asked = catchConfirmation(page);
  await page.locator('form[data-action-form="delete"] [type="submit"]').click();
  const question = await asked;
  expect(question).toMatch(
    /^Supprimer le compte blefevre\u00a0\? Son dossier personnel \S+ sera archivé dans \/home\/archives\./,
  );
  expect(findEnglish([question])).toEqual([]);
  // Lock, then unlock: the toasts and the save marks are French.
  await page.locator('button[data-action="lock"]').click();
  await expect(page.locator('#notifications')).toContainText('blefevre est verrouillé');
  await expect(page.locator('[data-state-for="password"]')).toHaveText('Enregistré');
  await page.locator('button[data-action="unlock"]').click();
  await expect(page.locator('#notifications')).toContainText('blefevre est déverrouillé');
  await expectNoEnglish(page);
  await logOutAndClose(page);
});

// A Status history: sampled for the last two minutes only, so the tooltip finds a gap before.
const gib = 1024 ** 3;
const now = Date.now();
const latest = now - 1000;
const sample = (secondsAgo: number): TimedSample => ({
  time: now - secondsAgo * 1000,
  values: {
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
const history = Array.from({ length: 120 }, (_, index) => sample(120 - index));

test('the Status page: legend, tooltip, "sampling started" and figures in French', async ({ browser }) => {
  const page = await askInFrench(await logInAs(browser, 'admin', testPasswords.admin));
  await page.routeWebSocket(/\/ws$/, (socket) => {
    socket.onMessage(() =>
      socket.send(
        JSON.stringify([{ action: 'sample', target: 'status', data: { range: '10m', history: packHistory(history) } }]),
      ),
    );
  });
  await page.goto('/status/');
  await expect(page.locator('#status-updated')).toContainText('Dernière mesure à');
  const memory = page.locator('[data-chart="memory"]');
  await expect(memory.locator('.chart-legend')).toContainText('libre 4,8\u00a0Gio sur 8,0\u00a0Gio');
  await expect(memory.locator('.chart-legend')).toContainText('utilisée 1,0\u00a0Gio');
  await expect(page.locator('[data-chart="cpu"] .chart-start text')).toHaveText(/^début des mesures à \d\d:\d\d$/);
  await expect(page.locator('[data-chart="load"] .bar-text').first()).toHaveText('0,50');

  // The tooltip: a gap (nobody sampled), then a sample.
  const box = (await page.locator('[data-chart="cpu"] svg').boundingBox())!;
  const xOf = (time: number) => box.x + 64 + ((time - (latest - 600_000)) / 600_000) * (box.width - 76);
  const tooltip = page.locator('#chart-tooltip');
  await page.mouse.move(xOf(now - 400_000), box.y + box.height / 2);
  await expect(tooltip).toContainText('pas de données\u00a0: rien n’a été mesuré à ce moment');
  await page.mouse.move(xOf(now - 60_000), box.y + box.height / 2);
  await expect(tooltip).toContainText('utilisateur\u00a0: 10\u00a0%');
  await expect(tooltip).toContainText('système\u00a0: 5,0\u00a0%');
  expect(findEnglish(await tooltip.locator('div').allTextContents())).toEqual([]);
  await expectNoEnglish(page);
  await logOutAndClose(page);
});

test('the import page: the column picker, the dry run and its summary in French', async ({ browser }) => {
  const page = await askInFrench(await logInAs(browser, 'admin', testPasswords.admin));
  await page.goto('/accounts/-/import');
  await expect(page.locator('#connection-state')).toHaveText('En direct');
  await page.locator('#import-text').fill('Identifiant,Nom\nfrimport1,Fanny Import\nbad:login,Mauvais Identifiant\n');
  const picker = page.getByLabel('Champ de la colonne Identifiant');
  await expect(picker).toHaveValue('login');
  await expect(page.getByLabel('Champ de la colonne Nom')).toHaveValue('fullName');
  await page.locator('#import-check').click();
  await expect(page.locator('#import-summary')).toHaveText(
    '1 ligne sur 2 pose problème\u00a0: corrigez le fichier, ou ignorez-la.',
  );
  await expectNoEnglish(page);
  await logOutAndClose(page);
});

test('the Events page: pausing and resuming in French', async ({ browser }) => {
  const page = await askInFrench(await logInAs(browser, 'admin', testPasswords.admin));
  await page.goto('/events/');
  await expect(page.locator('#connection-state')).toHaveText('En direct');
  await page.locator('#events-pause').click();
  await expect(page.locator('#events-held')).toHaveText('En pause\u00a0: 0 nouvel événement retenu.');
  await expect(page.locator('#events-pause')).toHaveText('Reprendre');
  await expectNoEnglish(page);
  await page.locator('#events-pause').click();
  await expect(page.locator('#events-pause')).toHaveText('Pause');
  await logOutAndClose(page);
});
