import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectDir } from '../../server/project-dir.ts';

// A node given a file capability (`setcap cap_net_bind_service+ep`, to listen on 443 as
// another user than root) runs in secure-execution mode, where glibc ignores its MALLOC_
// variables (and newer glibc releases erase them, so the restarted image would restart again).
describe('the restart in place, in secure-execution mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'licorn-secure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('does not restart a process glibc runs in secure-execution mode', () => {
    const node = join(dir, 'node');
    const addon = join(dir, 'licorn_native.node');
    copyFileSync(process.execPath, node);
    copyFileSync(join(projectDir, 'build/Release/licorn_native.node'), addon);
    spawnSync('chmod', ['755', dir, node, addon]);
    expect(spawnSync('setcap', ['cap_net_bind_service+ep', node]).status).toBe(0);
    // Prints once per image: twice would mean a restart, and its variable set.
    const script = `
      const native = require(process.argv[1]);
      const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
      process.stdout.write(JSON.stringify({ value: process.env.LICORN_TEST_RESTART ?? null }) + '\\n');
      native.restartWithEnvironment('LICORN_TEST_RESTART', 'yes', argv);`;
    const env = { PATH: process.env.PATH, LICORN_TEST_RESTART: undefined };
    const user = ['--reuid=65534', '--regid=65534', '--clear-groups'];
    const child = spawnSync('setpriv', [...user, node, '-e', script, addon], { encoding: 'utf8', env, cwd: dir });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual([JSON.stringify({ value: null })]);
  });
});
