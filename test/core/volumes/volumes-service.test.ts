import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useVolumesCore } from './volumes-fixture.ts';

// What holds without loop devices: names checked, floods refused, every request audited.
describe('volumes service', () => {
  const context = useVolumesCore();

  it('refuses a name that is not a kernel device name, naming the field and value, and audits it', async () => {
    const actor = { login: 'admin', address: '10.0.0.1' };
    await expect(context.core.volumes.mount('../../etc', actor)).rejects.toMatchObject({
      code: 'invalid-argument',
      field: 'name',
      message: 'Invalid volume name "../../etc": a kernel device name such as sdb1',
    });
    await expect(context.core.volumes.eject('nosuchdevice0', actor)).rejects.toMatchObject({ code: 'not-found' });
    await expect(context.core.volumes.getHolders('a b')).rejects.toMatchObject({ code: 'invalid-argument' });
    const audit = (await readFile(context.fixture.auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'volume-mount', target: '../../etc', outcome: 'refused', address: '10.0.0.1' }),
    );
  });

  it('refuses a flood of actions beyond the queue at once, with busy', async () => {
    const actor = { login: 'admin', address: '10.0.0.2' };
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => context.core.volumes.mount('nosuchdevice0', actor)),
    );
    const codes = results.map((result) => (result.status === 'rejected' ? result.reason.code : 'done'));
    expect(codes.filter((code) => code === 'not-found')).toHaveLength(32);
    expect(codes.filter((code) => code === 'busy')).toHaveLength(18);
  });
});
