import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';

// Tells the name-service caches of the real machine that passwd/group changed, as
// shadow-utils does after a write: `nscd -i` when nscd runs, `sss_cache -E` when sssd runs.
// Fixed argument lists, no shell. Failures are reported to `log`, never fatal: the files
// are already written.
export async function flushNameCaches(log: (message: string) => void): Promise<void> {
  const running = async (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  const run = (command: string, args: string[]) =>
    new Promise<void>((resolve) => {
      execFile(command, args, { timeout: 5000 }, (error) => {
        if (error) log(`${command} ${args.join(' ')} failed: ${error.message.split('\n')[0]}`);
        resolve();
      });
    });
  if (await running('/var/run/nscd/socket')) {
    await run('nscd', ['-i', 'passwd']);
    await run('nscd', ['-i', 'group']);
  }
  if (await running('/var/lib/sss/pipes/nss')) await run('sss_cache', ['-E']);
}
