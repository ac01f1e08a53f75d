import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { usePageTestApp } from '../../helpers/test-app.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const run = promisify(execFile);
const pages = usePageTestApp();
const get = (url: string, cookie?: string) => pages.get(url, cookie);
const rowIds = (html: string) => [...html.matchAll(/<tr id="account-([^"]+)"/g)].map((match) => match[1]);

describe('the accounts pages', () => {
  it('renders the first page of rows on the server, with counts, sort links and the create dialog', async () => {
    const page = await get('/accounts/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-topics="accounts"');
    const ids = rowIds(page.body);
    expect(ids).toContain('dnguyen');
    expect(ids).not.toContain('root');
    expect(ids).toEqual([...ids].sort());
    expect(page.body).toMatch(/<p id="accounts-counts" class="muted">\d+ accounts, \d+ system accounts<\/p>/);
    expect(page.body).toContain('href="/accounts/?sort=uid"');
    expect(page.body).toContain('<dialog id="create-account"');
    expect(page.body).toContain('aria-label="Role in developers"');
  });

  it('shows in the page the rows and pager the rows route answers, before and after it was asked', async () => {
    const fresh = await get('/accounts/?q=e&sort=uid');
    const answer = await get('/accounts/-/rows?q=e&sort=uid');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const { rows, pager } = answer.json();
    expect(rowIds(rows).length).toBeGreaterThan(1);
    const again = await get('/accounts/?q=e&sort=uid');
    for (const page of [fresh, again]) {
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain(`<tbody id="account-rows" data-generation="`);
      expect(page.body).toContain(`">${rows}</tbody>`);
      expect(page.body).toContain(`</div>\n${pager}`);
    }
  });

  it('filters without accents, sorts, shows system accounts and pages through /accounts/-/rows', async () => {
    const filtered = await get('/accounts/-/rows?q=LEFEVRE');
    expect(filtered.json()).toMatchObject({ matched: 1, page: 1, url: '/accounts/?q=LEFEVRE' });
    expect(rowIds(filtered.json().rows)).toEqual(['blefevre']);
    const byUid = await get('/accounts/-/rows?system=1&sort=uid&order=desc');
    const uids = [...byUid.json().rows.matchAll(/<td class="mono num account-uid"[^>]*>(\d+)<\/td>/g)].map(
      (match: RegExpMatchArray) => Number(match[1]),
    );
    expect(uids).toEqual([...uids].sort((a, b) => b - a));
    expect(rowIds(byUid.json().rows)).toContain('root');
    // 150 more accounts make two pages of 100 (the answer before them is not kept after).
    expect((await get('/accounts/-/rows?q=paged&page=2')).json()).toMatchObject({ matched: 0, page: 1 });
    for (let i = 0; i < 150; i += 1)
      await run('useradd', ['--prefix', pages.t.sandbox.root, '-M', `paged${String(i).padStart(3, '0')}`]);
    await pages.t.app.core.accounts.settle();
    const second = await get('/accounts/-/rows?q=paged&page=2');
    expect(second.json()).toMatchObject({ matched: 150, page: 2 });
    expect(rowIds(second.json().rows)).toEqual(
      Array.from({ length: 50 }, (_, i) => `paged${String(100 + i).padStart(3, '0')}`),
    );
    expect(second.json().pager).toContain('101&#8211;150 of 150');
    expect(second.json().pager).toContain('href="/accounts/?q=paged"');
    // A page past the end shows the last one; an unknown sort falls back to the login.
    expect((await get('/accounts/-/rows?q=paged&page=99&sort=nonsense')).json().page).toBe(2);
  });

  it("shows an account's details with its roles, and 404 for an unknown one", async () => {
    const page = await get('/accounts/blefevre');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-topics="account/blefevre"');
    expect(getTagsOnOneLine(page.body)).toMatch(
      /name="role:developers" value="responsible" aria-label="responsible of developers" checked/,
    );
    expect(getTagsOnOneLine(page.body)).toMatch(
      /name="role:direction" value="member" aria-label="member of direction" checked/,
    );
    expect(getTagsOnOneLine(page.body)).toMatch(/<input type="checkbox" name="group" value="admins" checked>/);
    expect((await get('/accounts/nobody-here')).statusCode).toBe(404);
    expect((await get('/accounts/-/import')).body).toContain('Import accounts from CSV');
  });

  it('are for admins only: others get 403, the anonymous the login form', async () => {
    for (const url of ['/accounts/', '/accounts/-/rows', '/accounts/dnguyen', '/accounts/-/import', '/audit/']) {
      expect((await get(url, pages.member)).statusCode).toBe(403);
      const anonymous = await get(url, '');
      expect(anonymous.statusCode).toBe(302);
      expect(anonymous.headers.location).toBe(`/login/?next=${encodeURIComponent(url)}`);
    }
  });

  it('lists the audit log newest first on the Audit page', async () => {
    await pages.t.app.core.audit.record({
      login: 'admin',
      address: '127.0.0.1',
      action: 'first-action',
      target: 'x',
      outcome: 'done',
    });
    await pages.t.app.core.audit.record({
      login: 'admin',
      address: '127.0.0.1',
      action: 'second-action',
      target: 'y',
      outcome: 'refused',
      detail: 'because',
    });
    const page = await get('/audit/');
    expect(page.statusCode).toBe(200);
    expect(page.body.indexOf('second-action')).toBeLessThan(page.body.indexOf('first-action'));
    expect(page.body).toContain('<td class="audit-outcome-refused">refused</td>');
  });
});
