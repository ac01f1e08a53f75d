// Single creates as a machine with homes meets them: every account of a bench root gets its
// home directory (empty, owned by its UID, as useradd -m leaves it without skel), since a
// create looks at who owns the directories under the homes base (a UID that still owns one
// is never handed out). Timed in wall and in CPU time (the process's, threads included).
import { chown, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountsService } from '../server/core/accounts/accounts-service.ts';

// Makes root/home/<login> for every account of passwd whose home is there and missing
// (100,000 in about 10 s on this machine), owned by the account; how many were made.
export async function makeHomes(root: string): Promise<number> {
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  const homes = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length === 7 && fields[5]!.startsWith('/home/') && Number(fields[2]) >= 1000);
  const present = new Set(await readdir(join(root, 'home')).catch(() => [] as string[]));
  let made = 0;
  for (let start = 0; start < homes.length; start += 256) {
    await Promise.all(
      homes.slice(start, start + 256).map(async (fields) => {
        const path = join(root, fields[5]!);
        if (present.has(fields[5]!.slice('/home/'.length))) return;
        await mkdir(path, { mode: 0o700 });
        await chown(path, Number(fields[2]), Number(fields[3]));
        made += 1;
      }),
    );
  }
  return made;
}

// Wall and CPU milliseconds of each of `count` single creates `prefix`0… (no home, no
// password: the cost of the files and the checks around them).
export async function timeSingleCreates(
  service: AccountsService,
  prefix: string,
  count: number,
): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const usage = process.cpuUsage();
    await service.createAccount({ login: `${prefix}${i}`, password: null, createHome: false });
    const spent = process.cpuUsage(usage);
    wall.push(performance.now() - started);
    cpu.push((spent.user + spent.system) / 1000);
  }
  return { wall, cpu };
}
