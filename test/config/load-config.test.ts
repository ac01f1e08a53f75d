import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/load-config.ts';
import { ConfigError } from '../../server/config/config-error.ts';
import { getEnvName, getFlagName } from '../../server/config/config-key.ts';
import { configKeys } from '../../server/config/config-keys.ts';

let dir: string;
const write = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-config-'));
});

describe('loadConfig', () => {
  it('uses the demo defaults when nothing is given', async () => {
    const config = loadConfig({ argv: ['--config', await write('empty.conf', '')], env: {}, cwd: '/srv/licorn' });
    expect(config.root).toBe('/srv/licorn/var/demo');
    expect(config.isRealMachine).toBe(false);
    expect(config.listen).toBe('127.0.0.1');
    expect(config.port).toBe(3356);
    expect(config.auth.adminGroups).toEqual(['admins', 'licorn-wmi', 'sudo']);
    expect(config.sessions).toEqual({
      idleTimeoutMs: 1_800_000,
      absoluteTimeoutMs: 43_200_000,
      maxPerAccount: 20,
      storeFile: '/srv/licorn/var/sessions.json',
    });
    expect(config.statusHistoryFile).toBe('/srv/licorn/var/status-history.json');
    expect(
      loadConfig({ argv: ['--config', await write('empty.conf', ''), '--root', '/'], env: {}, cwd: '/srv/licorn' })
        .statusHistoryFile,
    ).toBe('/var/lib/licorn/status-history.json');
    const real = loadConfig({
      argv: ['--config', await write('empty.conf', ''), '--root', '/'],
      env: {},
      cwd: '/srv/licorn',
    });
    expect(real.sessions.storeFile).toBe('/var/lib/licorn/sessions.json');
    const flagged = loadConfig({ argv: ['--sessions-store-file', 'run/s.json'], env: {}, cwd: '/srv/licorn' });
    expect(flagged.sessions.storeFile).toBe('/srv/licorn/run/s.json');
  });

  it('reads dotted keys, tables and the old True/False spellings', async () => {
    const file = await write(
      'licorn.conf',
      [
        'root = "/"',
        'port = 4443',
        'log.requests = True   # Python-style, as old Licorn wrote',
        '[auth]',
        'admin_groups = ["wheel"]',
        'pam_service = "licorn-test"',
        '[sessions]',
        'idle_timeout = 60',
      ].join('\n'),
    );
    const config = loadConfig({ argv: ['--config', file], env: {} });
    expect(config.isRealMachine).toBe(true);
    expect(config.port).toBe(4443);
    expect(config.log.requests).toBe(true);
    expect(config.auth.adminGroups).toEqual(['wheel']);
    expect(config.auth.pamService).toBe('licorn-test');
    expect(config.sessions.idleTimeoutMs).toBe(60_000);
    expect(config.configFile).toBe(file);
  });

  it('lets environment variables override the file and flags override both', async () => {
    const file = await write('ports.conf', 'port = 1000\nlisten = "::1"\n');
    const config = loadConfig({
      argv: ['--config', file, '--port', '3000'],
      env: { LICORN_PORT: '2000', LICORN_LISTEN: '0.0.0.0', LICORN_AUTH_ADMIN_GROUPS: 'a, b' },
    });
    expect(config.port).toBe(3000);
    expect(config.listen).toBe('0.0.0.0');
    expect(config.auth.adminGroups).toEqual(['a', 'b']);
  });

  it('reads the volumes keys, also under their old Licorn spellings extensions.volumes.*', async () => {
    const file = await write(
      'volumes.conf',
      '[extensions.volumes]\nmount_all_fs = True\nenduser_owner = "alice"\n[volumes]\nauto_mount = true\n',
    );
    const config = loadConfig({ argv: ['--config', file, '--root', '/srv/sandbox'], env: {} });
    expect(config.volumes).toEqual({
      autoMount: true,
      mountAllFs: true,
      enduserOwner: 'alice',
      stateFile: '/srv/volumes.json',
    });
    expect(loadConfig({ argv: ['--root', '/'], env: {} }).volumes).toMatchObject({
      autoMount: false,
      mountAllFs: false,
      stateFile: '/var/lib/licorn/volumes.json',
    });
    const bad = await write('owner.conf', 'volumes.enduser_owner = "../root"\n');
    expect(() => loadConfig({ argv: ['--config', bad], env: {} })).toThrow(
      /volumes.enduser_owner must be a login name/,
    );
  });

  it('refuses an unknown key, naming the key and the file', async () => {
    const file = await write('unknown.conf', '[extensions.volumes]\nmount_all = True\n');
    expect(() => loadConfig({ argv: ['--config', file], env: {} })).toThrow(
      new RegExp(`^${file}: unknown key "extensions.volumes.mount_all"`),
    );
  });

  it.each([
    ['port = "http"', /port must be an integer in 0–65535 \(decimal digits only\), got "http"/],
    ['port = 70000', /port must be an integer in 0–65535 \(decimal digits only\), got 70000/],
    ['log.requests = "yes"', /log.requests must be true or false, got "yes"/],
    ['log.level = "loud"', /log.level must be one of/],
    ['root = [1, 2', /.+/],
    ['tls.cert = "/x.pem"', /tls.cert and tls.key must be given together/],
  ])('refuses %s with a one-line reason', async (line, reason) => {
    const file = await write('bad.conf', line + '\n');
    let error: unknown;
    try {
      loadConfig({ argv: ['--config', file], env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the flag or variable a bad value came from', async () => {
    const file = await write('empty2.conf', '');
    expect(() => loadConfig({ argv: ['--config', file, '--port', 'x'], env: {} })).toThrow(
      /^--port: port must be an integer/,
    );
    expect(() => loadConfig({ argv: ['--config', file], env: { LICORN_PORT: '-1' } })).toThrow(
      /^environment LICORN_PORT: port must be/,
    );
    expect(() => loadConfig({ argv: ['--config', file, '--no-such-flag'], env: {} })).toThrow(
      /^command line: Unknown option '--no-such-flag'/,
    );
  });

  it('refuses a --config file that does not exist', () => {
    expect(() => loadConfig({ argv: ['--config', join(dir, 'missing.conf')], env: {} })).toThrow(
      /missing.conf: cannot read the configuration file \(ENOENT\)/,
    );
  });

  // Loads with one bad value and returns the ConfigError's message (or fails the test).
  const getError = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
    try {
      loadConfig({ argv: ['--config', join(dir, 'empty.conf'), ...argv], env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message;
    }
    throw new Error(`accepted ${argv.join(' ')} ${JSON.stringify(env)}`);
  };

  const numericKeys = configKeys.filter((spec) => spec.type === 'integer' || spec.type === 'number');
  const notDecimal = [
    '0x10',
    '0o7',
    '0b1',
    '1e3',
    ' 12',
    '12 ',
    '12abc',
    '+5',
    '-0',
    '1_000',
    '٣',
    'Infinity',
    'NaN',
    '',
  ];
  const load = (argv: string[]) => loadConfig({ argv: ['--config', join(dir, 'empty.conf'), ...argv], env: {} });

  it.each(numericKeys.map((spec) => [spec.key, spec] as const))(
    'takes %s as decimal digits only, from a flag or a variable',
    async (key, spec) => {
      await write('empty.conf', '');
      const flag = `--${getFlagName(key)}`;
      for (const value of notDecimal) {
        expect(getError([`${flag}=${value}`])).toMatch(
          new RegExp(`^${flag}: ${key.replace('.', '\\.')} must be .*, got `),
        );
        expect(getError([`${flag}=${value}`]).endsWith(`, got ${JSON.stringify(value)}`)).toBe(true);
        expect(getError([], { [getEnvName(key)]: value })).toMatch(
          new RegExp(`^environment ${getEnvName(key)}: ${key} must be`),
        );
      }
      if (spec.type === 'integer') expect(getError([flag, '10.5'])).toMatch(/decimal digits only/);
      const inRange = Math.max(spec.min ?? 0, Math.min(spec.max ?? 60, 60));
      const config = load([flag, String(inRange)]);
      expect(JSON.stringify(config)).toContain(String(inRange));
    },
  );

  it('refuses --sessions-idle-timeout 0x10, which Number() took for 16', async () => {
    await write('empty.conf', '');
    expect(getError(['--sessions-idle-timeout', '0x10'])).toBe(
      '--sessions-idle-timeout: sessions.idle_timeout must be ' +
        'an integer in 10–604800 (decimal digits only), got "0x10"',
    );
    expect(load(['--sessions-idle-timeout', '0016']).sessions.idleTimeoutMs).toBe(16_000);
    expect(load(['--auth-fail-delay', '0.5']).auth.failDelayMs).toBe(500);
  });

  it.each([
    '999.1.1.1',
    '1.2.3',
    '256.0.0.1',
    '::g',
    'exa mple.org',
    '-host',
    'host-',
    'a..b',
    'x'.repeat(64),
    'http://h',
    '[::1]',
    '',
  ])('refuses --listen %j naming the key, the value and where it came from', async (value) => {
    await write('empty.conf', '');
    const expected = `--listen: listen must be an IP address or a host name, got ${JSON.stringify(value)}`;
    expect(getError([`--listen=${value}`])).toBe(expected);
  });

  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '::',
    '::1',
    'fe80::1',
    'localhost',
    'wmi.example.org',
    'wmi.example.org.',
    'host-1',
  ])('accepts --listen %s', async (value) => {
    await write('empty.conf', '');
    expect(load(['--listen', value]).listen).toBe(value);
  });

  it('names the file of a bad listen and of a bad log level or PAM service', async () => {
    const file = await write('listen.conf', 'listen = "999.1.1.1"\n');
    expect(getError(['--config', file])).toBe(`${file}: listen must be an IP address or a host name, got "999.1.1.1"`);
    expect(getError([], { LICORN_LOG_LEVEL: 'loud' })).toMatch(
      /^environment LICORN_LOG_LEVEL: log.level must be one of fatal, .*, got "loud"$/,
    );
    expect(getError(['--auth-pam-service', '../shadow'])).toBe(
      '--auth-pam-service: auth.pam_service must be a file name in /etc/pam.d, got "../shadow"',
    );
    expect(getError(['--root', 'a\u0000b'])).toBe(
      '--root: root must be text without control characters, got "a\\u0000b"',
    );
    expect(getError(['--root='])).toBe('--root: root must be a path (not empty), got ""');
    expect(getError([], { LICORN_TLS_DIR: '' })).toBe(
      'environment LICORN_TLS_DIR: tls.dir must be a path (not empty), got ""',
    );
  });
});
