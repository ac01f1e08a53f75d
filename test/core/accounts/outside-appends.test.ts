import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsStore } from '../../../server/core/accounts/accounts-store.ts';
import { AccountDatabase, databaseNames } from '../../../server/core/accounts/account-database.ts';
import { EventBus, type CoreEvent } from '../../../server/core/events/event-bus.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { run } from '../../helpers/accounts-sandbox.ts';

let sandbox: Sandbox;
let store: AccountsStore;
const events: CoreEvent[] = [];
beforeAll(async () => {
  sandbox = await createSandbox();
  const bus = new EventBus();
  bus.onAny((event) => events.push(event));
  store = await AccountsStore.open({ root: sandbox.root, events: bus });
});
afterAll(async () => {
  await store.close();
  await sandbox.remove();
});

const etc = (name: string) => join(sandbox.root, 'etc', name);

// Waits (deadline 5 s) until the watcher has taken in the files as they are on disk now.
async function waitForDisk(): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    await store.settle();
    const texts = await Promise.all(['passwd', 'shadow', 'group', 'gshadow'].map((name) => readFile(etc(name))));
    if (['passwd', 'shadow', 'group', 'gshadow'].every((name, i) => texts[i]!.equals(rendered(name)))) return;
    if (Date.now() > end) throw new Error('the store did not take in the files in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const rendered = (name: string) => Buffer.from(store.database.render(name as 'passwd'), 'utf8');

// What the store holds equals the files read afresh, entry for entry.
async function expectSameAsDisk(): Promise<void> {
  const read = (name: string) => readFile(etc(name), 'utf8');
  const fresh = AccountDatabase.parse(
    await read('passwd'),
    await read('shadow'),
    await read('group'),
    await read('gshadow'),
  );
  for (const name of databaseNames.slice(0, 4))
    expect([...store.database[name].entries()]).toEqual([...fresh[name].entries()]);
}

const since = (start: number) => events.slice(start).map((event) => `${event.name} ${JSON.stringify(event.data)}`);

describe('outside changes that append to the account files (useradd, groupadd)', () => {
  it('takes in what useradd appends in place, with the events of the new lines only', async () => {
    const database = store.database;
    const start = events.length;
    await run('useradd', ['--prefix', sandbox.root, '-M', '-U', '-c', 'Appended', 'appended1']);
    await waitForDisk();
    // Kept, not parsed again: an append changes the database in place.
    expect(store.database).toBe(database);
    expect(since(start)).toEqual(
      expect.arrayContaining(['account-added {"login":"appended1"}', 'group-added {"name":"appended1"}']),
    );
    expect(since(start).filter((event) => !event.startsWith('watch-changed'))).toHaveLength(2);
    await expectSameAsDisk();
    expect(store.database.passwd.get('appended1')?.gecos).toBe('Appended');
  });

  it('reads the whole file again after a change in place, then appends again', async () => {
    let start = events.length;
    await run('usermod', ['--prefix', sandbox.root, '-c', 'Changed In Place', 'appended1']);
    await waitForDisk();
    expect(since(start)).toContain('account-changed {"login":"appended1","fields":["fullName"]}');
    await expectSameAsDisk();
    start = events.length;
    await run('groupadd', ['--prefix', sandbox.root, 'appendedgroup']);
    await waitForDisk();
    expect(since(start)).toContain('group-added {"name":"appendedgroup"}');
    await expectSameAsDisk();
  });

  it('says nothing of a line whose name is already known, and keeps the first entry', async () => {
    const start = events.length;
    await appendFile(etc('passwd'), 'root:x:4242:4242:Not root:/nonexistent:/bin/sh\n');
    await waitForDisk();
    expect(since(start).filter((event) => !event.startsWith('watch-changed'))).toEqual([]);
    expect(store.database.passwd.get('root')?.uid).toBe(0);
    await expectSameAsDisk();
  });

  it('writes its own change over appended lines byte for byte', async () => {
    await run('useradd', ['--prefix', sandbox.root, '-M', 'appended2']);
    await waitForDisk();
    const before = await readFile(etc('passwd'), 'utf8');
    await store.transact((db) => {
      db.passwd.set({ ...db.passwd.get('appended2')!, shell: '/bin/sh' });
      db.passwd.set({ ...db.passwd.get('appended1')!, gecos: 'Ours' });
    });
    const line = (text: string, login: string) => text.split('\n').find((l) => l.startsWith(`${login}:`))!;
    const expected = before
      .replace(line(before, 'appended2'), line(before, 'appended2').replace(/:[^:]*$/, ':/bin/sh'))
      .replace(line(before, 'appended1'), line(before, 'appended1').replace('Changed In Place', 'Ours'));
    expect(await readFile(etc('passwd'), 'utf8')).toBe(expected);
    await expectSameAsDisk();
  });
});
