import { describe, expect, it } from 'vitest';
import { startLicornd, useLicorndDirectory } from '../helpers/licornd-process.ts';
import { getEnvName, getFlagName } from '../../server/config/config-key.ts';
import { configKeys } from '../../server/config/config-keys.ts';

const { base } = useLicorndDirectory('licornd-config-');

// What an admin sees when a flag is wrong: exit 1 and one line naming the key, the value and
// where it came from, never a stack trace.
describe('licornd with a bad flag', () => {
  it.each([
    [['--listen', '999.1.1.1'], '--listen: listen must be an IP address or a host name, got "999.1.1.1"'],
    [
      ['--sessions-idle-timeout', '0x10'],
      '--sessions-idle-timeout: sessions.idle_timeout must be an integer in 10–604800 (decimal digits only), ' +
        'got "0x10"',
    ],
    [['--port=-0'], '--port: port must be an integer in 0–65535 (decimal digits only), got "-0"'],
  ])('%j exits 1 with one line', async (flags, line) => {
    const { code, stderr, stdout } = await startLicornd([...base(), ...flags]).exited();
    expect(code).toBe(1);
    expect(stderr).toBe(`licornd: ${line}\n`);
    expect(stdout).toBe('');
  });

  it('says in one line that a host name to listen on does not resolve', async () => {
    const { code, stderr } = await startLicornd([...base(), '--listen', 'no-such-host.invalid']).exited();
    expect(code).toBe(1);
    expect(stderr).toBe('licornd: cannot listen on no-such-host.invalid: no such host name (--listen)\n');
  });
});

// `licornd --help` lists every key from the same table as the README, and starts nothing.
describe('licornd --help', () => {
  it('prints every flag, variable and default, then exits 0', async () => {
    const { code, stderr, stdout } = await startLicornd([...base(), '--help']).exited();
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^usage: licornd /);
    for (const spec of configKeys) {
      expect(stdout).toContain(`--${getFlagName(spec.key)}  (${spec.key}, ${getEnvName(spec.key)}, default `);
    }
    expect(stdout).not.toContain('listening on');
  });
});
