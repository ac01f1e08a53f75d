import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, createTestApp, digestAccountFiles, openApiSession, type ApiSession, type TestApp } from '../../../helpers/test-app.ts';
import { testPasswords } from '../../../helpers/sandbox.ts';

let t: TestApp;
let admin: ApiSession;
let member: ApiSession;

const session = (login: keyof typeof testPasswords) => openApiSession(t.app, login, testPasswords[login]);

beforeAll(async () => {
  t = await createTestApp();
  admin = await session('admin');
  member = await session('dnguyen');
});
afterAll(() => t.close());

const call = (who: ApiSession, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object) => callApi(t.app, who, method, url, payload);
const digestEtc = () => digestAccountFiles(t.sandbox.root);

describe('the groups API', () => {
  it('lists groups with their responsibles and guests, for admins only', async () => {
    const { groups } = (await call(admin, 'GET', '/api/v1/groups')).json();
    const developers = groups.find((group: { name: string }) => group.name === 'developers');
    expect(developers).toMatchObject({ responsibles: expect.arrayContaining(['blefevre']), guests: expect.any(Array), sharedDirectory: '/home/groups/developers', version: expect.any(String) });
    expect(groups.find((group: { name: string }) => group.name === 'admins')).toMatchObject({ responsibles: null, sharedDirectory: null });
    expect((await call(member, 'GET', '/api/v1/groups')).statusCode).toBe(403);
  });

  it('creates, describes, renames, gives roles and deletes a standard group', async () => {
    const created = await call(admin, 'POST', '/api/v1/groups', { name: 'apiteam', description: 'From the API' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'apiteam', description: 'From the API', responsibles: [], guests: [] });
    expect(await readdir(join(t.sandbox.root, 'home/groups'))).toContain('apiteam');
    const withRole = await call(admin, 'PUT', '/api/v1/groups/apiteam/roles/dnguyen', { role: 'responsible' });
    expect(withRole.json().responsibles).toEqual(['dnguyen']);
    const renamed = await call(admin, 'PATCH', '/api/v1/groups/apiteam', { version: withRole.json().version, newName: 'apicrew', description: 'Renamed' });
    expect(renamed.json()).toMatchObject({ name: 'apicrew', description: 'Renamed', responsibles: ['dnguyen'] });
    const stale = await call(admin, 'PATCH', '/api/v1/groups/apicrew', { version: created.json().version, description: 'Lost' });
    expect(stale.statusCode).toBe(409);
    const deleted = await call(admin, 'DELETE', '/api/v1/groups/apicrew');
    expect(deleted.json().archive).toMatch(/apicrew/);
    expect(t.app.core.accounts.getGroup('rsp-apicrew')).toBeNull();
  });

  it('refuses protected groups, helper groups and bad names with the core\'s reason, changing nothing', async () => {
    const before = await digestEtc();
    const cases: [string, string, object | undefined, number, string][] = [
      ['DELETE', '/api/v1/groups/admins', undefined, 403, 'protected'],
      ['DELETE', '/api/v1/groups/rsp-developers', undefined, 403, 'helper group'],
      ['DELETE', '/api/v1/groups/users', undefined, 403, 'protected'],
      ['POST', '/api/v1/groups', { name: 'Bad Name' }, 400, 'Malformed'],
      ['POST', '/api/v1/groups', { name: 'developers' }, 409, 'already exists'],
      ['PUT', '/api/v1/groups/admins/roles/dnguyen', { role: 'member' }, 400, 'not a standard Licorn group'],
      ['PUT', '/api/v1/groups/developers/roles/dnguyen', { role: 'boss' }, 400, 'role'],
    ];
    for (const [method, url, payload, status, message] of cases) {
      const response = await call(admin, method as 'POST', url, payload);
      expect(response.statusCode, url).toBe(status);
      expect(response.json().message, url).toContain(message);
    }
    const admins = (await call(admin, 'GET', '/api/v1/groups/admins')).json();
    expect((await call(admin, 'PATCH', '/api/v1/groups/admins', { version: admins.version, newName: 'bosses' })).statusCode).toBe(403);
    expect(await digestEtc()).toBe(before);
  });
});
