import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPieces, getEnglishOnlyPieces } from '../../helpers/english-words.ts';
import { createTestApp, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { getVisibleText } from '../../helpers/visible-text.ts';

let t: TestApp;
let admin: string;
let member: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await logIn(t.app, 'admin', testPasswords.admin)).cookie;
  member = (await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
});
afterAll(() => t.close());

// Every page an admin opens, and the one a plain account has; an unknown account's error page.
const adminPages = [
  '/',
  '/accounts/',
  '/accounts/blefevre',
  '/accounts/dnguyen',
  '/accounts/-/import',
  '/groups/',
  '/groups/developers',
  '/groups/users',
  '/volumes/',
  '/status/',
  '/audit/',
  '/audit/?from=31-01-2026',
  '/events/',
  '/terminal/',
  '/me/',
  '/me/?saved=profile',
  '/accounts/nosuch',
];

// The pages' sentences and the core's (refusals, plans, reasons: said in the page's language).
const englishPieces = [...getEnglishOnlyPieces('pages'), ...getEnglishOnlyPieces('core')];

describe('the pages in French', () => {
  it('has English pieces to look for (the check itself)', () => {
    expect(englishPieces).toContain('Log out');
    expect(findPieces('Se déconnecter Log out', englishPieces)).toContain('Log out');
    expect(findPieces('<p translate="no">Log out</p>', englishPieces)).toContain('Log out');
    expect(findPieces(getVisibleText('<p translate="no">Log out</p>'), englishPieces)).toEqual([]);
  });

  it.each(adminPages)('%s is in French, with no English sentence of the pages shown', async (url) => {
    const headers = { cookie: admin, accept: 'text/html', 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };
    const page = await t.app.inject({ url, headers });
    expect([200, 404]).toContain(page.statusCode);
    expect(page.body).toContain('<html lang="fr">');
    expect(findPieces(getVisibleText(page.body), englishPieces)).toEqual([]);
  });

  it('is the login page for a French browser, and English for the others', async () => {
    const french = await t.app.inject({ url: '/login/', headers: { 'accept-language': 'fr-CA' } });
    expect(french.body).toContain('<html lang="fr">');
    expect(findPieces(getVisibleText(french.body), englishPieces)).toEqual([]);
    // No cache may keep either (so no `Vary: Accept-Language` is needed to tell them apart).
    expect(french.headers['cache-control']).toBe('no-store');
    const english = await t.app.inject({ url: '/login/', headers: { 'accept-language': 'de-DE, en;q=0.1' } });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Log in');
  });

  it('is My account for a plain account', async () => {
    const page = await t.app.inject({ url: '/me/', headers: { cookie: member, 'accept-language': 'fr' } });
    expect(page.body).toContain('<html lang="fr">');
    expect(findPieces(getVisibleText(page.body), englishPieces)).toEqual([]);
  });

  it('writes counts, dates and sizes as French does', async () => {
    const page = await t.app.inject({ url: '/', headers: { cookie: admin, 'accept-language': 'fr' } });
    // A size with a decimal comma and French units; the uptime in French words.
    expect(page.body).toMatch(/\d+,\d\u00a0(Kio|Mio|Gio)|\d+\u00a0(o|Kio|Mio|Gio)/);
    expect(page.body).not.toMatch(/\d (KiB|MiB|GiB)/);
  });
});

describe('the fragments a page fetches', () => {
  it('are in the page’s language: the accounts’ rows and pager', async () => {
    const rows = await t.app.inject({
      url: '/accounts/-/rows?q=nobody-matches-this',
      headers: { cookie: admin, 'accept-language': 'fr' },
    });
    expect(rows.json().pager).toContain('Aucun compte ne correspond');
  });
});

describe('My account with an API token', () => {
  it('shows the token’s dates as the language writes them', async () => {
    const me = await t.app.inject({ url: '/me/', headers: { cookie: admin, 'accept-language': 'fr' } });
    const csrf = /name="csrf-token" content="([^"]*)"/.exec(me.body)![1]!;
    const made = await t.app.inject({
      method: 'POST',
      url: '/me/tokens',
      headers: { cookie: admin, 'accept-language': 'fr', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name: 'sauvegarde', _csrf: csrf }).toString(),
    });
    expect(made.statusCode).toBe(200);
    const year = new Date().getFullYear();
    expect(made.body).toMatch(new RegExp(`<time datetime="[^"]+">\\d{1,2} [^<]+ ${year}`));
    expect(findPieces(getVisibleText(made.body), englishPieces)).toEqual([]);
  });
});
