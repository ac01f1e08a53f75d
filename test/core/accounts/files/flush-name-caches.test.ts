import { execFile } from 'node:child_process';
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyEtc } from '../../../helpers/private-etc.ts';

const run = promisify(execFile);
const projectDir = join(import.meta.dirname, '../../../..');
// Unpacked from Debian's package by test/install-test-deps.sh (installing it would start a
// cache for the whole machine).
const nscdDir = join(projectDir, 'var/test-deps/nscd/usr/sbin');
let dir: string;

// An nscd that never looks at the files itself (check-files no) and remembers answers,
// found or not, for 10 minutes: only an explicit `nscd -i` makes it see a change.
const nscdConf =
  [
    'server-user root',
    'enable-cache hosts no',
    'enable-cache netgroup no',
    'enable-cache services no',
    ...['passwd', 'group'].flatMap((db) => [
      `enable-cache ${db} yes`,
      `positive-time-to-live ${db} 600`,
      `negative-time-to-live ${db} 600`,
      `check-files ${db} no`,
      `persistent ${db} no`,
      `shared ${db} no`,
    ]),
  ].join('\n') + '\n';

// The real nscd on a copy of the whole /etc, bind-mounted over /etc in a private mount
// namespace with a private /run (where nscd's socket lives): the machine's files, and any
// nscd of its own, are never touched, and the daemon is stopped when the probe ends.
beforeAll(async () => {
  await access(join(nscdDir, 'nscd'));
  ({ dir } = await copyEtc('licorn-nscd-'));
  await writeFile(join(dir, 'etc/nscd.conf'), nscdConf);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('name-service caches after a write on the real root', () => {
  it('makes a running nscd forget its answers, so a new account resolves at once', async () => {
    const probe = join(projectDir, 'test/helpers/nscd-probe.ts');
    const { stdout } = await run(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        [
          'mount --bind "$1" /etc && mount -t tmpfs licorn-test-run /run && mkdir /run/nscd',
          'nscd -f /etc/nscd.conf && trap "nscd -K" EXIT',
          '"$2" --import tsx "$3" nscdprobe nscdprobes',
        ].join(' && '),
        'sh',
        join(dir, 'etc'),
        process.execPath,
        probe,
      ],
      { cwd: projectDir, env: { ...process.env, PATH: `${nscdDir}:${process.env.PATH}` } },
    );
    expect(JSON.parse(stdout)).toEqual({
      before: { passwd: null, group: null },
      after: {
        passwd: expect.stringMatching(/^nscdprobe:x:\d+:\d+::\/home\/nscdprobe:/),
        group: expect.stringMatching(/^nscdprobes:x:\d+:$/),
      },
    });
  });
});
