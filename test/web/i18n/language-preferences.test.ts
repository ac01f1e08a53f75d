import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chooseLocale } from '../../../common/i18n/choose-locale.ts';
import { LanguagePreferences } from '../../../server/web/i18n/language-preferences.ts';
import { createTestApp, getPageCsrfToken, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

describe('the language of a request (chooseLocale)', () => {
  it('takes the preference first, then the best of Accept-Language by q-value, then English', () => {
    expect(chooseLocale('fr', 'en-GB,en;q=0.9')).toBe('fr');
    expect(chooseLocale(null, 'en;q=0.4, fr-BE;q=0.8')).toBe('fr');
    expect(chooseLocale(null, 'fr;q=0.1, en;q=0.2')).toBe('en');
    expect(chooseLocale(null, 'de, es;q=0.9')).toBe('en');
    expect(chooseLocale(null, undefined)).toBe('en');
    expect(chooseLocale('klingon', 'fr')).toBe('fr');
  });

  it('reads odd and huge headers without choking: an unknown tag, junk, 16 KB, thousands of q-values', () => {
    expect(chooseLocale(null, 'x-klingon;q=1, *;q=0.1')).toBe('en');
    expect(chooseLocale(null, ';;;,,,q=abc;fr')).toMatch(/^(en|fr)$/);
    // Only a header's first 256 characters count (chooseLocale): what comes after is nobody's browser.
    expect(chooseLocale(null, `fr;q=0.5, ${'a'.repeat(16 * 1024)}`)).toBe('fr');
    expect(chooseLocale(null, `${'a'.repeat(16 * 1024)}, fr;q=0.5`)).toBe('en');
    const many = Array.from({ length: 2000 }, (_, i) => `l${i};q=0.${i % 10}`).join(',');
    expect(chooseLocale(null, `fr;q=0.95,${many}`)).toBe('fr');
    expect(chooseLocale(null, `${many},fr;q=0.95`)).toBe('en');
  });
});

describe('the stored preferences (LanguagePreferences)', () => {
  let dir: string;
  const uids = new Map<string, number>([
    ['alice', 2001],
    ['bob', 2002],
  ]);
  const create = () =>
    new LanguagePreferences({ file: join(dir, 'languages.json'), getUid: (login) => uids.get(login) ?? null });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'licorn-languages-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await rm(join(dir, 'languages.json'), { force: true });
    uids.set('alice', 2001);
  });

  it('keeps a choice across a restart, one entry per account, "browser" removing it', async () => {
    const store = create();
    await store.load();
    await store.set('alice', 'fr');
    await store.set('alice', 'en');
    await store.set('bob', 'fr');
    expect(store.size).toBe(2);
    const again = create();
    await again.load();
    expect(again.get('alice')).toBe('en');
    expect(again.get('bob')).toBe('fr');
    await again.set('bob', 'browser');
    expect(again.getChoice('bob')).toBe('browser');
    const file = JSON.parse(await readFile(join(dir, 'languages.json'), 'utf8'));
    expect(file.preferences).toEqual([{ login: 'alice', uid: 2001, locale: 'en' }]);
  });

  it('refuses a value outside the list naming the field and value, and leaves the file byte for byte', async () => {
    const store = create();
    await store.load();
    await store.set('alice', 'fr');
    const before = await readFile(join(dir, 'languages.json'));
    for (const value of ['de', 'FR', '', 'fr-FR', '../../etc/passwd', 'x'.repeat(1000)]) {
      await expect(store.set('alice', value)).rejects.toMatchObject({
        code: 'invalid-argument',
        field: 'language',
        message: expect.stringContaining(`Invalid language "${value.slice(0, 64)}"`),
      });
    }
    expect(await readFile(join(dir, 'languages.json'))).toEqual(before);
    expect(store.get('alice')).toBe('fr');
  });

  it('forgets an account deleted, and does not give its choice to a new account with its login', async () => {
    const store = create();
    await store.load();
    await store.set('alice', 'fr');
    // The login is given to another account (another uid): its page follows its browser.
    uids.set('alice', 3000);
    expect(store.get('alice')).toBeNull();
    await store.forgetIfGone('alice');
    expect(store.size).toBe(0);
    // Deleted while the daemon was stopped: dropped at load.
    uids.set('alice', 2001);
    await store.set('alice', 'fr');
    uids.delete('alice');
    const again = create();
    await again.load();
    expect(again.size).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'languages.json'), 'utf8')).preferences).toEqual([]);
    await expect(again.set('alice', 'fr')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reads a damaged or hand-edited file as empty or without its odd entries, never failing', async () => {
    const warnings: string[] = [];
    const file = join(dir, 'languages.json');
    const options = { file, getUid: (login: string) => uids.get(login) ?? null, warn: (m: string) => warnings.push(m) };
    await writeFile(file, '{not json');
    const broken = new LanguagePreferences(options);
    await broken.load();
    expect(broken.size).toBe(0);
    const entries = [
      { login: 'alice', uid: 2001, locale: 'fr' },
      { login: 'bob', uid: 2002, locale: 'de' },
      { login: 'x'.repeat(300), uid: 1, locale: 'fr' },
    ];
    await writeFile(file, JSON.stringify({ version: 1, preferences: entries }));
    const odd = new LanguagePreferences(options);
    await odd.load();
    expect(odd.size).toBe(1);
    expect(odd.get('alice')).toBe('fr');
    expect(warnings).toHaveLength(2);
  });

  it('takes 10,000 quick changes with a few writes, the last choice on disk', async () => {
    const store = create();
    await store.load();
    const choices = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? 'fr' : 'en'));
    await Promise.all(choices.map((choice) => store.set('alice', choice)));
    expect(store.writeCount).toBeLessThanOrEqual(3);
    await store.set('alice', 'fr');
    const again = create();
    await again.load();
    expect(again.get('alice')).toBe('fr');
  });
});

describe('"Language" on My account', () => {
  let t: TestApp;
  let cookie: string;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    cookie = (await logIn(t.app, 'dnguyen', testPasswords.dnguyen)).cookie;
    token = getPageCsrfToken((await t.app.inject({ url: '/me/', headers: { cookie } })).body);
  });
  afterAll(() => t.close());
  const choose = (language: string) =>
    t.app.inject({
      method: 'POST',
      url: '/me/language',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ language, _csrf: token }).toString(),
    });
  const file = () => join(t.sandbox.dir, 'languages.json');

  it('offers English, Français and "as my browser says", the browser chosen at first', async () => {
    const page = await t.app.inject({ url: '/me/', headers: { cookie, 'accept-language': 'en' } });
    expect(getTagsOnOneLine(page.body)).toContain('<option value="en" lang="en">English</option>');
    expect(getTagsOnOneLine(page.body)).toContain(
      '<option value="fr" lang="fr">Fran&ccedil;ais</option>'.replace('&ccedil;', 'ç'),
    );
    expect(getTagsOnOneLine(page.body)).toContain('<option value="browser" selected>As my browser says</option>');
  });

  it('stores French: every page is in French whatever the browser says, until "browser" again', async () => {
    const saved = await choose('fr');
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/me/?saved=language');
    const page = await t.app.inject({ url: '/me/?saved=language', headers: { cookie, 'accept-language': 'en-US' } });
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('Votre langue a été enregistrée');
    expect(getTagsOnOneLine(page.body)).toContain('<option value="fr" selected lang="fr">');
    expect(JSON.parse(await readFile(file(), 'utf8')).preferences).toEqual([
      { login: 'dnguyen', uid: 1004, locale: 'fr' },
    ]);
    await choose('browser');
    const english = await t.app.inject({ url: '/me/', headers: { cookie, 'accept-language': 'en-US' } });
    expect(english.body).toContain('<html lang="en">');
  });

  it('refuses another value next to the field, in the page’s language, changing no file', async () => {
    await choose('fr');
    const before = await readFile(file());
    const refused = await choose('de');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="language-error">Langue «\u00a0de\u00a0» invalide/);
    expect(await readFile(file())).toEqual(before);
  });
});
