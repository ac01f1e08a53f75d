import { describe, expect, it } from 'vitest';
import { usePageTestApp } from '../../helpers/test-app.ts';
import { getPageCsrfToken } from '../../helpers/test-app.ts';

// Helper groups (rsp-G, gst-G) are how Licorn stores roles: people read the roles.
const pages = usePageTestApp();
const get = (url: string, cookie?: string) => pages.get(url, cookie);
const helperName = /\b(rsp|gst)-[a-z]/;

describe('roles, never helper groups, in what people read', () => {
  it("the API's account view gives each group with its role", async () => {
    const response = await pages.t.app.inject({
      method: 'GET',
      url: '/api/v1/accounts/blefevre',
      headers: { cookie: pages.admin },
    });
    expect(response.statusCode).toBe(200);
    const account = response.json();
    expect(account.groups).toContain('rsp-developers');
    expect(account.memberships).toContainEqual({ group: 'developers', role: 'responsible' });
    expect(account.memberships.map((membership: { group: string }) => membership.group)).not.toContain(
      'rsp-developers',
    );
    const ghenry = (
      await pages.t.app.inject({ method: 'GET', url: '/api/v1/accounts/ghenry', headers: { cookie: pages.admin } })
    ).json();
    expect(ghenry.memberships).toContainEqual({ group: 'developers', role: 'guest' });
  });

  it("the accounts list and an account's card say 'responsible of developers', 'guest of developers'", async () => {
    const list = await get('/accounts/?q=blefevre');
    const row = /<tr id="account-blefevre"[\s\S]*?<\/tr>/.exec(list.body)![0];
    expect(row).toContain('<span class="chip">responsible of developers</span>');
    expect(row).not.toMatch(helperName);
    const guest = /<tr id="account-ghenry"[\s\S]*?<\/tr>/.exec((await get('/accounts/?q=ghenry')).body)![0];
    expect(guest).toContain('<span class="chip">guest of developers</span>');
    const card = await get('/accounts/blefevre');
    const facts = /<section id="account-facts-blefevre"[\s\S]*?<\/section>/.exec(card.body)![0];
    expect(facts).toContain('responsible of developers');
    expect(facts).not.toMatch(helperName);
  });

  it("creating an existing group names the group, not its helpers'", async () => {
    const page = await get('/groups/');
    const response = await pages.t.app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { cookie: pages.admin, 'x-csrf-token': getPageCsrfToken(page.body) },
      payload: { name: 'developers' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ field: 'name', message: 'The group developers already exists' });
  });
});
