import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';

// The merge of a lazy `reply.locals` (no per-request hook) with the pages' language (red team
// F5): a hook writing into a null `locals` answered every request 500, pages and API alike.
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await logIn(t.app, 'admin', testPasswords.admin)).cookie;
});
afterAll(() => t.close());

describe("the pages' language through reply.locals", () => {
  it('renders /login/ in English without Accept-Language, in French with fr', async () => {
    const english = await t.app.inject({ url: '/login/' });
    expect(english.statusCode).toBe(200);
    expect(english.body).toContain('<html lang="en">');
    const french = await t.app.inject({ url: '/login/', headers: { 'accept-language': 'fr' } });
    expect(french.statusCode).toBe(200);
    expect(french.body).toContain('<html lang="fr">');
  });

  it("renders a logged-in page in the browser's language", async () => {
    const headers = { cookie: admin, accept: 'text/html', 'accept-language': 'fr' };
    const page = await t.app.inject({ url: '/accounts/', headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('Comptes');
  });

  it('answers the API and redirects, which render nothing', async () => {
    const api = await t.app.inject({ url: '/api/v1/accounts', headers: { cookie: admin, 'accept-language': 'fr' } });
    expect(api.statusCode).toBe(200);
    const away = await t.app.inject({ url: '/accounts/', headers: { accept: 'text/html' } });
    expect(away.statusCode).toBe(302);
    expect(away.headers.location).toContain('/login/');
  });
});
