import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { callApi, type ApiSession } from '../../helpers/test-app.ts';
import { useSocketTestApp, type TestSocket } from '../../helpers/ws-client.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const run = promisify(execFile);
const server = useSocketTestApp();

async function follow(who: ApiSession, topics: string[]): Promise<TestSocket> {
  const socket = server.connect(who.cookie);
  await socket.opened();
  socket.send({ subscribe: topics });
  return socket;
}

describe('the accounts, account/<login>, audit and import/<id> topics', () => {
  it('push rows, details and audit entries to admins, and nothing about accounts to anyone else', async () => {
    const topics = ['accounts', 'account/cmartin', 'account/dnguyen', 'audit', 'accounts-summary'];
    const watcher = await follow(server.admin, topics);
    const outsider = await follow(server.member, topics);
    // Snapshots: counts and the list's generation for the table, the account's facts.
    await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'replace' && m.target === 'accounts-counts'),
      'the counts',
    );
    await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) => m.target === 'account-details' && (m.data as { login: string }).login === 'cmartin',
        ),
      'the details',
    );
    // One notice for the frame's five refusals (a refusal is never amplified).
    const notice = await outsider.waitFor(() => outsider.messages.find((m) => m.action === 'notify'), 'the refusal');
    expect(notice.html).toContain('Cannot follow “accounts”, “account/cmartin”, “account/dnguyen” and 2 more');

    await run('useradd', ['--prefix', server.t.sandbox.root, '-M', '-c', 'From A Shell', 'shellmade']);
    const row = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'prepend' && m.target === 'account-rows'),
      'the new row',
    );
    expect(getTagsOnOneLine(row.html!)).toMatch(
      new RegExp(
        String.raw`^<tr id="account-shellmade" class="account-row[^"]*" data-version="[a-z0-9]+" ` +
          String.raw`data-system="no" data-search="shellmade from a shell \d+ `,
      ),
    );
    // Byte for byte the row the page itself renders.
    const rendered = await server.t.app.inject({
      method: 'GET',
      url: '/accounts/-/rows?q=shellmade',
      headers: { cookie: server.admin.cookie },
    });
    expect(rendered.json().rows.trim()).toBe(row.html!.trim());

    const before = (await callApi(server.t.app, server.admin, 'GET', '/api/v1/accounts/cmartin')).json();
    const changed = await callApi(server.t.app, server.admin, 'PATCH', '/api/v1/accounts/cmartin', {
      version: before.version,
      fullName: 'Chloé Secret-Name',
    });
    expect(changed.statusCode).toBe(200);
    const replaced = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'replace' && m.target === 'account-cmartin'),
      'the changed row',
    );
    expect(replaced.html).toContain('Chloé Secret-Name');
    const details = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.target === 'account-details' &&
            (m.data as { account: { fullName: string } | null }).account?.fullName === 'Chloé Secret-Name',
        ),
      'the new details',
    );
    expect((details.data as { account: { version: string } }).account.version).toBe(changed.json().version);
    await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.action === 'replace' && m.target === 'account-facts-cmartin' && m.html?.includes('Chloé Secret-Name'),
        ),
      'the new facts',
    );
    const audit = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) => m.action === 'prepend' && m.target === 'audit-entries' && m.html?.includes('account-modify'),
        ),
      'the audit entry',
    );
    expect(audit.html).toContain('cmartin');

    await callApi(server.t.app, server.admin, 'DELETE', '/api/v1/accounts/shellmade?home=keep');
    await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'remove' && m.target === 'account-shellmade'),
      'the removal',
    );

    // The non-admin's socket got only its refusals: not a login, a name, a row or an entry.
    // Its own account's topic is refused too: "My account" is a page, not a topic.
    for (const frame of outsider.frames) {
      expect(frame).not.toMatch(/shellmade|Secret-Name|account-row|audit-entry|data-version/);
      expect(JSON.parse(frame)).toEqual([expect.objectContaining({ action: 'notify', target: 'notifications' })]);
    }
    expect(outsider.frames).toHaveLength(1);
  });

  it('sends a burst of more than 200 changed accounts as one reload of the table', async () => {
    const watcher = await follow(server.admin, ['accounts']);
    await watcher.waitFor(() => watcher.messages.find((m) => m.target === 'accounts-counts'), 'the counts');
    const csv = ['login', ...Array.from({ length: 250 }, (_, i) => `burst${i}`)].join('\n');
    const imported = await callApi(server.t.app, server.admin, 'POST', '/api/v1/accounts/import', {
      csv,
      createHomes: false,
    });
    expect(imported.json().created).toHaveLength(250);
    const reload = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'sample' && (m.data as { reload: boolean }).reload),
      'the reload',
    );
    expect(reload.target).toBe('account-rows');
    expect(watcher.messages.filter((m) => m.action === 'prepend')).toHaveLength(0);
  });

  it("reports an import's progress to the page that chose its id", async () => {
    const watcher = await follow(server.admin, ['import/progress-test-1']);
    const csv = ['login', ...Array.from({ length: 30 }, (_, i) => `prog${i}`)].join('\n');
    const imported = await callApi(server.t.app, server.admin, 'POST', '/api/v1/accounts/import', {
      csv,
      createHomes: true,
      progress: 'progress-test-1',
    });
    expect(imported.statusCode).toBe(200);
    const last = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            (m.data as { phase: string; done: number }).phase === 'homes' && (m.data as { done: number }).done === 30,
        ),
      'the last step',
    );
    expect(last).toMatchObject({
      action: 'sample',
      target: 'import-progress',
      data: { phase: 'homes', done: 30, total: 30 },
    });
    // Rows without passwords are checked in the import's own transaction (account-import.ts),
    // not in a pass of their own (a turn's samples are coalesced: which others show varies).
    const phases = new Set(watcher.messages.map((m) => (m.data as { phase: string }).phase));
    expect(phases.has('checking')).toBe(false);
    expect(phases.has('writing')).toBe(true);
    const refused = await callApi(server.t.app, server.admin, 'POST', '/api/v1/accounts/import', {
      csv: 'login\nx',
      dryRun: true,
      progress: 'bad id!',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().field).toBe('progress');
  });
});

describe('the groups and group/<name> topics', () => {
  it("push a new group's row, and a role change to the group's page, to admins only", async () => {
    const watcher = await follow(server.admin, ['groups', 'group/support']);
    const outsider = await follow(server.member, ['groups', 'group/support']);
    await watcher.waitFor(() => watcher.messages.find((m) => m.target === 'group-details'), 'the snapshot');
    const created = await callApi(server.t.app, server.admin, 'POST', '/api/v1/groups', {
      name: 'pushcrew',
      description: 'Pushed',
    });
    expect(created.statusCode).toBe(201);
    const row = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'prepend' && m.target === 'group-rows'),
      'the new row',
    );
    expect(row.html).toMatch(/^<tr id="group-pushcrew" class="group-row"/);
    expect(row.html).toContain('/home/groups/pushcrew');
    // Helper groups come with it, never as rows of their own.
    expect(
      watcher.messages.some((m) => /group-(rsp|gst)-pushcrew/.test(m.html ?? '') || /^group-(rsp|gst)-/.test(m.target)),
    ).toBe(false);

    expect(
      (await callApi(server.t.app, server.admin, 'PUT', '/api/v1/groups/support/roles/cmartin', { role: 'guest' }))
        .statusCode,
    ).toBe(200);
    const members = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.action === 'replace' &&
            m.target === 'group-members-support' &&
            getTagsOnOneLine(m.html ?? '').includes('aria-label="cmartin is guest" checked'),
        ),
      'the new role',
    );
    expect(members.html).toContain('name="role:cmartin"');
    await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'replace' && m.target === 'group-support'),
      'the changed row',
    );
    await outsider.waitFor(() => outsider.messages.find((m) => m.action === 'notify'), 'the refusal');
    for (const frame of outsider.frames) expect(frame).not.toMatch(/pushcrew|cmartin|group-row/);
    // One notice for the frame's two refusals.
    expect(outsider.frames).toHaveLength(1);
  });
});
