import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useApiTestApp } from '../../../helpers/test-app.ts';
import { digestTree } from '../../../core/accounts/tree-digest.ts';

const run = promisify(execFile);
const api = useApiTestApp();
const { call, digestEtc } = api;

// Every way a home or a full name reaches the core: create, PATCH, validate, CSV import.
async function expectRefused(field: 'home' | 'fullName', value: string, what: string): Promise<void> {
  const root = api.t.sandbox.root;
  const before = await digestEtc();
  const created = await call(api.admin, 'POST', '/api/v1/accounts', { login: 'probe1', [field]: value });
  expect(created.statusCode, `${what}: create`).toBe(400);
  expect(created.json(), `${what}: create`).toMatchObject({ field });
  expect(created.json().message, `${what}: create`).not.toContain(root);
  const { version } = (await call(api.admin, 'GET', '/api/v1/accounts/hpetit')).json();
  const patched = await call(api.admin, 'PATCH', '/api/v1/accounts/hpetit', { version, [field]: value });
  expect(patched.statusCode, `${what}: PATCH`).toBe(400);
  expect(patched.json(), `${what}: PATCH`).toMatchObject({ field });
  const checked = await call(api.admin, 'POST', '/api/v1/accounts/validate', { login: 'probe1', [field]: value });
  expect(checked.json().problems, `${what}: validate`).toEqual([expect.objectContaining({ field })]);
  const csv = `login,${field}\nprobe1,"${value}"\n`;
  const dry = await call(api.admin, 'POST', '/api/v1/accounts/import', { csv, dryRun: true });
  expect(dry.json().problems, `${what}: import dry run`).toEqual([expect.objectContaining({ row: 1, field })]);
  const imported = await call(api.admin, 'POST', '/api/v1/accounts/import', { csv });
  expect(imported.statusCode, `${what}: import`).toBe(400);
  expect(await digestEtc(), what).toBe(before);
}

describe('homes and full names the core refuses, however they come (red team LOW 9, LOW 14)', () => {
  it('refuses a home with a component over 255 bytes or over 4095 in all, naming home, not the real path', async () => {
    await expectRefused('home', `/home/${'b'.repeat(256)}`, 'component of 256');
    await expectRefused('home', `/home${`/${'a'.repeat(200)}`.repeat(20)}/${'a'.repeat(70)}`, 'path of 4096');
    // The limits themselves are fine.
    const validate = (body: object) =>
      call(api.admin, 'POST', '/api/v1/accounts/validate', { login: 'probe1', ...body });
    expect((await validate({ home: `/home/${'b'.repeat(255)}` })).json()).toEqual({ problems: [] });
  });

  it('refuses look-alike and invisible characters in a home', async () => {
    for (const [home, what] of [
      ['/home/a\u00a0b', 'no-break space'],
      ['/home/\u0430dmin', 'Cyrillic a'],
      ['/home/x\u2028y', 'U+2028'],
      ['/home/x\u200by', 'zero-width space'],
      ['/home/émilie', 'accent'],
      ['/home/a b', 'space'],
    ]) {
      await expectRefused('home', home!, what!);
    }
    const home = '/home/staff/jean-luc.ba_2+x@lab';
    const portable = await call(api.admin, 'POST', '/api/v1/accounts/validate', { login: 'probe1', home });
    expect(portable.json()).toEqual({ problems: [] });
  });

  it('refuses control, line-separator and invisible characters in a full name, keeping what names need', async () => {
    for (const [name, what] of [
      ['Eve\u2028Admin', 'U+2028'],
      ['Eve\u2029', 'U+2029'],
      ['Eve\u0085', 'NEL'],
      ['Eve\u202eevE', 'bidi override'],
      ['Eve\u200b', 'zero-width space'],
      ['Eve\ufeff', 'BOM'],
      ['Eve\u0007', 'bell'],
    ]) {
      await expectRefused('fullName', name!, what!);
    }
    const names = ['Amélie\u00a0Durand', "Seán O'Brien-Ba", 'Zoë Ångström', 'مهسا\u200cرضایی', 'Ιωάννης Παπαδόπουλος'];
    for (const fullName of names) {
      const checked = await call(api.admin, 'POST', '/api/v1/accounts/validate', { login: 'probe1', fullName });
      expect(checked.json(), fullName).toEqual({ problems: [] });
    }
  });
});

describe('a home that cannot be moved away (red team LOW 10)', () => {
  it('plans to keep a home that is a mount point, and deleting its account keeps it', async () => {
    const home = join(api.t.sandbox.root, 'home/hpetit');
    await run('mount', ['--bind', home, home]);
    try {
      const plan = await call(api.admin, 'GET', '/api/v1/accounts/hpetit/deletion-plan?home=remove');
      expect(plan.json()).toMatchObject({ action: 'keep', warning: expect.stringContaining('mount point') });
      const before = await digestTree(home);
      const body = { action: 'delete', logins: ['hpetit'], home: 'archive' };
      const deleted = await call(api.admin, 'POST', '/api/v1/accounts/bulk', body);
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json().deleted[0].home).toMatchObject({ action: 'keep' });
      expect(await digestTree(home)).toBe(before);
    } finally {
      await run('umount', [home]);
    }
  });
});
