import { describe, expect, it } from 'vitest';
import { useApiTestApp } from '../../helpers/test-app.ts';
import { getSecurityHeaders } from '../../../server/web/plugins/security-headers.ts';

const api = useApiTestApp();

// The API as `admin`, with the browser's Accept-Language (none: English).
function call(method: 'GET' | 'POST' | 'PATCH', url: string, language?: string, payload?: object) {
  const { cookie, csrf } = api.admin;
  const headers: Record<string, string> = { cookie, 'x-csrf-token': csrf };
  if (language) headers['accept-language'] = language;
  return api.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

describe('refusals in the reader language', () => {
  it('answers a refusal of the core in French to Accept-Language: fr, keeping code, field and key', async () => {
    const french = await call('GET', '/api/v1/accounts/nosuchone', 'fr-FR,fr;q=0.9,en;q=0.5');
    expect(french.statusCode).toBe(404);
    expect(french.json()).toEqual({
      code: 'not-found',
      field: 'login',
      message: 'Aucun compte nommé «\u00a0nosuchone\u00a0»',
      messageKey: 'accounts.notFound',
    });
    // English stays the default, word for word as before.
    const english = await call('GET', '/api/v1/accounts/nosuchone');
    expect(english.json()).toMatchObject({ message: 'No account named "nosuchone"', messageKey: 'accounts.notFound' });
    expect((await call('GET', '/api/v1/accounts/nosuchone', 'de-DE')).json().message).toBe(
      'No account named "nosuchone"',
    );
  });

  it('says a check of the core on a sent value in French, with its nested words', async () => {
    const refused = await call('POST', '/api/v1/accounts', 'fr', { login: 'Jean Dupont', password: null });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'invalid-argument', field: 'login', messageKey: 'names.invalid' });
    expect(refused.json().message).toMatch(
      new RegExp(
        String.raw`^«\u00a0Jean Dupont\u00a0» n’est pas valable pour l’identifiant ` +
          String.raw`\(il contient des majuscules\)\u00a0: utilisez des lettres minuscules`,
      ),
    );
  });

  it("says the schema's refusals (AJV) in French, without a regex", async () => {
    const unknown = await call('POST', '/api/v1/accounts', 'fr', { login: 'jdupont', colour: 'blue' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({
      code: 'invalid-argument',
      field: 'colour',
      message: 'Champ inconnu «\u00a0colour\u00a0»\u00a0: cette requête ne le prend pas',
      messageKey: 'web.validation.unknownField',
    });
    const missing = await call('POST', '/api/v1/accounts', 'fr', {});
    expect(missing.json()).toMatchObject({ field: 'login', message: 'Champ manquant\u00a0: «\u00a0login\u00a0»' });
    const english = await call('POST', '/api/v1/accounts', undefined, {});
    expect(english.json()).toMatchObject({ field: 'login', message: 'Missing field "login"' });
  });

  it('says the problems of a would-be account and of an import dry run in French', async () => {
    const checked = await call('POST', '/api/v1/accounts/validate', 'fr', { login: 'admin' });
    expect(checked.json().problems).toEqual([{ field: 'login', message: 'Le compte «\u00a0admin\u00a0» existe déjà' }]);
    const csv = 'login,fullName\nadmin,Again\n';
    const dry = await call('POST', '/api/v1/accounts/import', 'fr', { csv, dryRun: true });
    expect(dry.json().problems).toEqual([
      { row: 1, field: 'login', message: 'Le compte «\u00a0admin\u00a0» existe déjà' },
    ]);
    const refused = await call('POST', '/api/v1/accounts/import', 'fr', { csv });
    expect(refused.json()).toMatchObject({
      field: 'csv',
      message: '1 ligne sur 1 pose problème\u00a0; rien n’a été importé (voir l’essai à blanc)',
    });
  });

  it('shows a page refusal in French to a French browser', async () => {
    const page = await api.t.app.inject({
      method: 'GET',
      url: '/accounts/nosuchone',
      headers: { cookie: api.admin.cookie, accept: 'text/html', 'accept-language': 'fr' },
    });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Aucun compte nommé «\u00a0nosuchone\u00a0»');
  });
});

describe("Fastify's refusals before routing", () => {
  it('carry the security headers and no-store as other answers (a malformed URL, named in the body)', async () => {
    const refused = await api.t.app.inject({ method: 'GET', url: '/%E0%A4%A' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ field: 'url' });
    expect(refused.headers).toMatchObject({ ...getSecurityHeaders(), 'cache-control': 'no-store' });
  });
});
