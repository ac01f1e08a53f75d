import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getShareAcl, getShareRuleAcls, type ShareGids } from '../../server/core/accounts/share-acls.ts';
import type { ShareRule } from '../../server/native/native.ts';

export const run = promisify(execFile);

// What `getfacl` says of each path of a tree (or of one path), by path: its ACL lines and its
// flags (`--t` for the sticky bit), symlinks skipped. One process for the whole tree.
export async function readAcls(path: string, recursive = true): Promise<Map<string, string>> {
  const args = ['--numeric', '--physical', '--absolute-names', ...(recursive ? ['--recursive'] : []), '--', path];
  const { stdout } = await run('getfacl', args, { maxBuffer: 1 << 28 });
  return parseAcls(stdout);
}

// getfacl's output, by path: each path's ACL lines and its flags.
export function parseAcls(stdout: string): Map<string, string> {
  const acls = new Map<string, string>();
  for (const block of stdout.split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    const file = lines.find((line) => line.startsWith('# file: '))?.slice(8);
    if (!file) continue;
    const flags = lines.find((line) => line.startsWith('# flags: '))?.slice(9) ?? '---';
    acls.set(file, [`flags ${flags}`, ...lines.filter((line) => !line.startsWith('#'))].join('\n'));
  }
  return acls;
}

// A share of the test: its rule for the watcher, and what getfacl must say of a directory,
// a file and an executable file inside it: read from reference entries given the same rule
// by setfacl (so the watcher's bytes are checked against another implementation).
export interface TestShare {
  rule: ShareRule;
  expected: { directory: string; file: string; executable: string };
}

// Makes `path` and reference entries under `referenceDir` for the rule of `gids`.
export async function createTestShare(
  id: number,
  path: string,
  gids: ShareGids,
  permissive: boolean,
  referenceDir: string,
): Promise<TestShare> {
  await mkdir(path, { recursive: true });
  const reference = await mkdtemp(join(referenceDir, 'reference-'));
  const specs = getShareAcl(gids, permissive);
  await mkdir(join(reference, 'directory'));
  await writeFile(join(reference, 'file'), '');
  await writeFile(join(reference, 'executable'), '', { mode: 0o755 });
  for (const kind of ['directory', 'file', 'executable'] as const) {
    await run('setfacl', ['--set', specs[kind], join(reference, kind)]);
  }
  await run('chmod', [permissive ? '-t' : '+t', join(reference, 'directory')]);
  const acls = await readAcls(reference);
  const get = (kind: string) => acls.get(join(reference, kind))!;
  await rm(reference, { recursive: true });
  return {
    rule: { id, path, ...getShareRuleAcls(gids, permissive) },
    expected: { directory: get('directory'), file: get('file'), executable: get('executable') },
  };
}

// Whether every directory and regular file under (and including) `path` has the share's
// rule; `paths` lists what is still wrong, for the failure message.
export async function findWrongAcls(share: TestShare, path: string, recursive = true): Promise<string[]> {
  const acls = await readAcls(path, recursive);
  const { stdout } = await run('find', [path, ...(recursive ? [] : ['-maxdepth', '0']), '-printf', '%y %m %p\n']);
  const wrong: string[] = [];
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [type, mode, ...rest] = line.split(' ');
    const file = rest.join(' ');
    if (type !== 'd' && type !== 'f') continue;
    const kind = type === 'd' ? 'directory' : Number.parseInt(mode!, 8) & 0o100 ? 'executable' : 'file';
    if (acls.get(file) !== share.expected[kind]) wrong.push(`${file} (${kind}): ${acls.get(file)}`);
  }
  return wrong;
}

// Runs `sh -c script` as `uid`/`gid` and no other group (an account of the sandbox).
export async function runAs(ids: { uid: number; gid: number }, script: string): Promise<void> {
  const who = ['--reuid', String(ids.uid), '--regid', String(ids.gid), '--clear-groups'];
  await run('setpriv', [...who, '--', 'sh', '-c', script]);
}
