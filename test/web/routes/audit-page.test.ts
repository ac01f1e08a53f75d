import { describe, expect, it } from 'vitest';
import { useApiTestApp } from '../../helpers/test-app.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const api = useApiTestApp();
const page = (url: string) =>
  api.t.app.inject({ method: 'GET', url, headers: { cookie: api.admin.cookie, accept: 'text/html' } });
const rows = (html: string) => [...html.matchAll(/<tr class="audit-entry">[\s\S]*?<\/tr>/g)].map((match) => match[0]);

describe('the Audit page', () => {
  it('says what each action changed: the role and group given, how many accounts an import made', async () => {
    const heard: object[] = [];
    const stop = api.t.app.core.events.on('group-members-changed', ({ data }) => void heard.push(data));
    const role = await api.call(api.admin, 'PUT', '/api/v1/groups/developers/roles/dnguyen', { role: 'responsible' });
    expect(role.statusCode).toBe(200);
    stop();
    // The events say it too: rsp-developers is the responsibles of developers.
    expect(heard).toContainEqual(
      expect.objectContaining({
        name: 'rsp-developers',
        added: ['dnguyen'],
        roleIn: 'developers',
        role: 'responsible',
      }),
    );
    const csv = 'login,fullName\naudone,Aud One\naudtwo,Aud Two\n';
    expect((await api.call(api.admin, 'POST', '/api/v1/accounts/import', { csv, createHomes: false })).statusCode).toBe(
      200,
    );
    const bulk = { action: 'add-to-group', logins: ['audone', 'audtwo'], group: 'developers', role: 'guest' };
    expect((await api.call(api.admin, 'POST', '/api/v1/accounts/bulk', bulk)).statusCode).toBe(200);

    const all = rows((await page('/audit/')).body);
    expect(all[0]).toContain('audone, audtwo: guest of developers');
    expect(all[1]).toContain('2 accounts created (audone, audtwo)');
    expect(all[2]).toContain('dnguyen: responsible of developers');
  });

  it('filters by who, action, target and dates, and says so when nothing matches', async () => {
    const imports = rows((await page('/audit/?action=accounts-import')).body);
    expect(imports).toHaveLength(1);
    expect(imports[0]).toContain('accounts-import');
    const onDevelopers = rows((await page('/audit/?actor=ADMIN&target=developers%2Fdnguyen')).body);
    expect(onDevelopers).toHaveLength(1);
    expect(onDevelopers[0]).toContain('group-role');
    expect(rows((await page('/audit/?actor=nobody-such')).body)).toEqual([]);
    // From yesterday to today (UTC): the entries of a run that crossed midnight are in range.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(rows((await page(`/audit/?from=${day(-1)}&to=${day(0)}&action=account`)).body).length).toBeGreaterThan(0);
    const past = await page('/audit/?from=2001-01-01&to=2001-01-02');
    expect(rows(past.body)).toEqual([]);
    expect(past.body).toContain('No entry matches.');
    const wrong = await page('/audit/?from=yesterday');
    expect(wrong.statusCode).toBe(200);
    expect(wrong.body).toContain('The &quot;from&quot; date &quot;yesterday&quot; is not a date');
    // A filtered page does not follow the live topic (its pushes are the unfiltered log's).
    expect((await page('/audit/?action=x')).body).toContain('data-topics=""');
  });

  it('pages back through the whole log, 200 entries at a time, to the first', async () => {
    for (let index = 0; index < 450; index += 1)
      await api.t.app.core.audit.record({
        login: 'admin',
        address: '127.0.0.1',
        action: 'paging-test',
        target: `t${index}`,
        outcome: 'done',
      });
    const seen: string[] = [];
    let url: string | null = '/audit/?action=paging-test';
    while (url) {
      const body = getTagsOnOneLine((await page(url)).body);
      seen.push(...rows(body).map((row) => />(t\d+)</.exec(row)![1]!));
      url = /id="audit-older" href="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&') ?? null;
    }
    expect(seen).toHaveLength(450);
    expect(seen[0]).toBe('t449');
    expect(seen.at(-1)).toBe('t0');
  });
});
