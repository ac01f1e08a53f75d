import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.ts';
import { createTestApp, type TestApp } from './test-app.ts';

// Like createTestApp, with a step on the sandbox's files before the daemon reads them.
export function createPreparedTestApp(prepare: (sandbox: Sandbox) => Promise<void>): Promise<TestApp> {
  return createTestApp([], prepare);
}

// Adds restricted accounts (UID below 300, as packages create them: no home, no login) to
// the sandbox's passwd and shadow; Licorn never touches them. Returns their logins.
export async function appendRestrictedAccounts(
  root: string,
  prefix: string,
  count: number,
  firstUid = 200,
): Promise<string[]> {
  if (firstUid + count > 300) throw new Error('restricted UIDs stay below 300');
  const logins = Array.from({ length: count }, (_, index) => `${prefix}${index}`);
  await appendFile(
    join(root, 'etc/passwd'),
    logins
      .map(
        (login, index) => `${login}:x:${firstUid + index}:65534:Restricted ${index}:/nonexistent:/usr/sbin/nologin\n`,
      )
      .join(''),
  );
  await appendFile(join(root, 'etc/shadow'), logins.map((login) => `${login}:*:19000:0:99999:7:::\n`).join(''));
  return logins;
}
