import { describe, expect, it } from 'vitest';
import { getTerminalRefusal, isClosedShell } from '../../../server/core/terminal/terminal-policy.ts';
import type { AccountAccess } from '../../../server/core/auth/authenticator.ts';
import { loadConfig } from '../../../server/config/load-config.ts';
import { getScrollbackLines } from '../../../server/core/terminal/terminal-limits.ts';

const access = (isAdmin: boolean, shell = '/bin/bash', refusal: AccountAccess['refusal'] = null): AccountAccess =>
  ({ account: { isAdmin, shell }, refusal, credential: 'x' }) as unknown as AccountAccess;

describe('who may open a terminal', () => {
  it('follows terminal.allow: admins, all, none', () => {
    expect(getTerminalRefusal('admins', 'a', access(true))).toBeNull();
    expect(getTerminalRefusal('admins', 'm', access(false))).toContain('terminal.allow = "admins"');
    expect(getTerminalRefusal('all', 'm', access(false))).toBeNull();
    expect(getTerminalRefusal('none', 'a', access(true))).toContain('terminal.allow = "none"');
  });

  it('never gives one to a nologin/false shell, a locked or expired account, or one gone', () => {
    for (const shell of ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false', '/bin/true']) {
      expect(isClosedShell(shell)).toBe(true);
      expect(getTerminalRefusal('all', 'a', access(true, shell))).toContain(`its shell is ${shell}`);
    }
    expect(isClosedShell('/bin/bash')).toBe(false);
    expect(isClosedShell('')).toBe(false); // passwd(5): an empty shell is /bin/sh
    expect(getTerminalRefusal('all', 'a', access(true, '/bin/sh', 'locked'))).toContain('(locked)');
    expect(getTerminalRefusal('all', 'a', access(true, '/bin/sh', 'account-expired'))).toContain('account-expired');
    expect(getTerminalRefusal('all', 'gone', null)).toBe('Account "gone" no longer exists');
  });

  it('reads terminal.* from the configuration, refusing an unknown allow value by name', () => {
    expect(loadConfig({ argv: [], env: {} }).terminal).toEqual({
      allow: 'admins',
      maxPerAccount: 8,
      maxTotal: 64,
      keepMs: 900_000,
      scrollbackBytes: 1_048_576,
      osc52: false,
    });
    expect(() => loadConfig({ argv: ['--terminal-allow', 'everyone'], env: {} })).toThrow(
      '--terminal-allow: terminal.allow must be one of admins, all, none, got "everyone"',
    );
  });

  it('bounds the scrollback in bytes whatever the width', () => {
    expect(getScrollbackLines(1_048_576, 80)).toBe(1092);
    expect(getScrollbackLines(1_048_576, 500)).toBe(174);
    expect(getScrollbackLines(65_536, 500)).toBe(100);
  });
});
