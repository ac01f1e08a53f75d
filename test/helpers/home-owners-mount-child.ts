import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { HomeOwners } from '../../server/core/accounts/home-owners.ts';

// Run by home-owners-mount.test.ts inside a private mount namespace (unshare -m): reads the
// owners of `base`, bind-mounts `source` (owned by `uid`) over `base/<over>`, reads again and
// prints whether `uid` owns a home. A mount raises no inotify event on the base.
const [base, over, source, uid] = process.argv.slice(2) as [string, string, string, string];
const owners = new HomeOwners();
await owners.read(base);
execFileSync('mount', ['--bind', source, join(base, over)]);
await owners.read(base);
const mounted = owners.owns(Number(uid));
execFileSync('umount', [join(base, over)]);
await owners.read(base);
const unmounted = owners.owns(Number(uid));
owners.close();
process.stdout.write(JSON.stringify({ mounted, unmounted }));
