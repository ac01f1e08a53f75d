// How many accounts the accounts and pages benches hold (LICORN_BENCH_ACCOUNTS, default
// 10,000), and the ID ranges that give room for 100,000: Licorn's default standard UIDs end
// at 29999 (25,000 accounts at most in the demo), so every bench root and daemon raises
// accounts.standard_uid_max/gid_max and login.defs' UID_MAX/GID_MAX to 129999, with the
// subordinate IDs moved above them (SUB_UID_MIN 1,000,000) and 32,768 each (65,536 each
// would not fit 100,000 accounts below 2^32). The same ranges at every size, so that the
// figures at 10K, 50K and 100K compare.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setAccountRanges } from '../server/core/accounts/account-ranges.ts';
import { readBenchCount } from './bench-settings.ts';

// The accounts each bench root holds (checked by the benches that make roots: checkBenchAccounts).
export const benchAccounts = Number(process.env.LICORN_BENCH_ACCOUNTS || 10_000);

// Stops a bench that makes roots (accounts, pages) at its start when LICORN_BENCH_ACCOUNTS is not
// a count a root can hold; one that makes none (`-- web`) runs whatever it says.
export function checkBenchAccounts(): void {
  readBenchCount('LICORN_BENCH_ACCOUNTS', 10_000, 100, 120_000);
}

// "10,000" for titles.
export const benchAccountsLabel = benchAccounts.toLocaleString('en');

const standardMax = 129_999;
const run = promisify(execFile);

// Raises the ranges for this process (in-process services) and for the daemons it starts
// (their environment: LICORN_ACCOUNTS_*).
export function useWideRanges(): void {
  setAccountRanges({ systemIdMin: 300, standardUidMax: standardMax, standardGidMax: standardMax });
  process.env.LICORN_ACCOUNTS_STANDARD_UID_MAX = String(standardMax);
  process.env.LICORN_ACCOUNTS_STANDARD_GID_MAX = String(standardMax);
}

// Widens a demo root's login.defs to the same ranges (the last value of a key wins), for
// the core and for useradd alike.
export async function widenRoot(root: string): Promise<void> {
  const lines = [
    `UID_MAX ${standardMax}`,
    `GID_MAX ${standardMax}`,
    'SUB_UID_MIN 1000000',
    'SUB_UID_MAX 4294967294',
    'SUB_UID_COUNT 32768',
    'SUB_GID_MIN 1000000',
    'SUB_GID_MAX 4294967294',
    'SUB_GID_COUNT 32768',
  ];
  await appendFile(join(root, 'etc/login.defs'), `${lines.join('\n')}\n`);
}

// Where prepared roots are kept between runs (LICORN_BENCH_ROOT_CACHE, a directory): a
// 100,000-account root takes minutes to create on a loaded machine, and the benches time
// what happens once it exists. Unset: every run creates its own.
const rootCache = process.env.LICORN_BENCH_ROOT_CACHE;

// Makes `root` a widened demo root holding `count` accounts bulk0…, a third of them in
// `developers` when `withGroups`, created by `create` (the core's bulk create), or copied
// from the cache when an earlier run made the same one.
export async function prepareBenchRoot(
  root: string,
  flavour: string,
  makeDemo: (root: string) => Promise<unknown>,
  create: (root: string) => Promise<void>,
): Promise<void> {
  const cached = rootCache ? join(rootCache, `${flavour}-${benchAccounts}`) : null;
  if (cached && existsSync(join(cached, 'etc/passwd'))) {
    await run('cp', ['-a', cached, root]);
    return;
  }
  await makeDemo(root);
  await widenRoot(root);
  await create(root);
  if (cached) {
    await mkdir(rootCache!, { recursive: true });
    await run('cp', ['-a', root, cached]);
  }
}
