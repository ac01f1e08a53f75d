import { describe, expect, it } from 'vitest';
import { run } from '../../helpers/accounts-sandbox.ts';
import { getPageCsrfToken, usePageTestApp } from '../../helpers/test-app.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const pages = usePageTestApp();
const get = (url: string, cookie?: string) => pages.get(url, cookie);
const rowIds = (html: string) => [...html.matchAll(/<tr id="group-([^"]+)"/g)].map((match) => match[1]);

describe('the groups pages', () => {
  it('list standard groups with their roles, helpers never on their own, system groups on request', async () => {
    const page = await get('/groups/');
    expect(page.statusCode).toBe(200);
    const ids = rowIds(page.body);
    expect(ids).toEqual(expect.arrayContaining(['developers', 'support']));
    expect(ids.some((id) => /^(rsp|gst)-/.test(id!))).toBe(false);
    expect(ids).not.toContain('daemon');
    expect(page.body).toMatch(
      new RegExp(
        String.raw`<tr id="group-developers"[^>]*>[\s\S]*?<span class="chip">blefevre<\/span>[\s\S]*?` +
          String.raw`<span class="chip">ghenry<\/span>[\s\S]*?\/home\/groups\/developers<\/td>\s*<td[^>]*>yes<\/td>`,
      ),
    );
    expect(page.body).toMatch(/\/home\/groups\/support<\/td>\s*<td[^>]*>no<\/td>/);
    const withSystem = rowIds((await get('/groups/?system=1')).body);
    expect(withSystem).toContain('daemon');
    expect(withSystem.some((id) => /^(rsp|gst)-/.test(id!))).toBe(false);
  });

  it("show a group's accounts with their role, and refuse renaming an admin group from the page", async () => {
    const page = await get('/groups/developers');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-topics="group/developers group-share/developers"');
    expect(page.body).toContain('id="group-share-repair"');
    expect(getTagsOnOneLine(page.body)).toMatch(
      /name="role:blefevre" value="responsible" aria-label="blefevre is responsible" checked/,
    );
    expect(getTagsOnOneLine(page.body)).toMatch(
      /name="role:ghenry" value="guest" aria-label="ghenry is guest" checked/,
    );
    expect(getTagsOnOneLine(page.body)).toMatch(
      /name="role:dnguyen" value="member" aria-label="dnguyen is member" checked/,
    );
    expect(page.body).toContain('data-group-form="rename"');
    const admins = await get('/groups/admins');
    expect(admins.body).toContain('data-remove-member="blefevre"');
    expect(admins.body).not.toContain('data-group-form="rename"');
    expect((await get('/groups/nothing-here')).statusCode).toBe(404);
  });

  it('offer no Delete for a restricted, protected, helper or system group, saying why', async () => {
    const noDelete = (html: string) => expect(html).not.toMatch(/class="button button-danger"/);
    const daemon = await get('/groups/daemon');
    expect(daemon.body).not.toContain('data-group-form="rename"');
    noDelete(daemon.body);
    expect(daemon.body).toMatch(/id="group-delete-refusal">[^<]*restricted group/);
    const admins = await get('/groups/admins');
    noDelete(admins.body);
    expect(admins.body).toMatch(/id="group-delete-refusal">[^<]*protected/);
    const users = await get('/groups/users');
    noDelete(users.body);
    const helper = await get('/groups/rsp-developers');
    noDelete(helper.body);
    expect(helper.body).toContain('holds the responsibles of the group developers: delete developers instead');
    const csrf = getPageCsrfToken((await get('/groups/')).body);
    const made = await pages.t.app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { cookie: pages.admin, 'x-csrf-token': csrf },
      payload: { name: 'pagesys', system: true },
    });
    expect(made.statusCode).toBe(201);
    const system = await get('/groups/pagesys');
    noDelete(system.body);
    expect(system.body).toMatch(/id="group-delete-refusal">[^<]*system group/);
  });

  it('read a group rsp-G beside a G without roles as a plain group, as the API does (red team 11 F3)', async () => {
    // `rsp-lab2` made in a shell, then a plain group renamed `lab2`: the page offered Rename and
    // Delete on rsp-lab2 (no helper: lab2 has no gst-lab2) and the API refused both (a helper).
    const { root } = pages.t.sandbox;
    await run('groupadd', ['--prefix', root, 'rsp-lab2']);
    await run('groupadd', ['--prefix', root, 'prelab']);
    const { accounts } = pages.t.app.core;
    await accounts.settle();
    const csrf = getPageCsrfToken((await get('/groups/')).body);
    const headers = { cookie: pages.admin, 'x-csrf-token': csrf };
    const version = accounts.getGroup('prelab')!.version;
    const renamed = await pages.t.app.inject({
      method: 'PATCH',
      url: '/api/v1/groups/prelab',
      headers,
      payload: { version, newName: 'lab2' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(rowIds((await get('/groups/')).body)).toContain('rsp-lab2');
    const page = await get('/groups/rsp-lab2');
    expect(page.body).toContain('data-group-form="rename"');
    expect(page.body).toMatch(/class="button button-danger"/);
    expect(page.body).not.toContain('id="group-delete-refusal"');
    const api = await pages.t.app.inject({ method: 'GET', url: '/api/v1/groups/rsp-lab2', headers });
    expect(api.json().helperOf).toBeNull();
    const deleted = await pages.t.app.inject({ method: 'DELETE', url: '/api/v1/groups/rsp-lab2', headers });
    expect(deleted.statusCode).toBe(200);
    expect(accounts.getGroup('rsp-lab2')).toBeNull();
  });

  it("name a group's accounts and its share in the deletion's confirmation", async () => {
    const developers = await get('/groups/developers');
    expect(getTagsOnOneLine(developers.body)).toMatch(
      /<button type="submit" class="button button-danger">Delete developers/,
    );
    const summary = /<p id="group-delete-summary">([^<]*)<\/p>/.exec(developers.body)![1]!;
    expect(summary).toMatch(
      /^Its 9 accounts \(aperrin, blefevre, [a-z]+, [a-z]+, [a-z]+ and 4 more\) leave it; they are not deleted\./,
    );
    expect(summary).toContain('Its shared directory /home/groups/developers and every file in it are archived');
    // The same summary in French for a French reader, as the core's catalogue says it.
    const headers = { cookie: pages.admin, accept: 'text/html', 'accept-language': 'fr' };
    const french = await pages.t.app.inject({ url: '/groups/developers', headers });
    const resume = /<p id="group-delete-summary">([^<]*)<\/p>/.exec(french.body)![1]!;
    expect(resume).toMatch(
      /^Ses 9 comptes \(aperrin, blefevre, [a-z]+, [a-z]+, [a-z]+ et 4 autres\) en sortent\u00a0;/,
    );
    expect(resume).toContain('Son dossier partagé /home/groups/developers et tous ses fichiers sont archivés');
  });

  it('are for admins only', async () => {
    for (const url of ['/groups/', '/groups/developers']) expect((await get(url, pages.member)).statusCode).toBe(403);
  });
});
