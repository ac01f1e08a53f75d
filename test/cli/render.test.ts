import { describe, expect, it } from 'vitest';
import { accountViewSchema, type AccountView } from '../../server/core/accounts/account-schema.ts';
import type { Volume } from '../../server/core/volumes/volume-schema.ts';
import { getColumns, formatBytes } from '../../server/cli/render/columns.ts';
import { getOutput, type Output } from '../../server/cli/render/output.ts';
import { renderRecord } from '../../server/cli/render/table.ts';
import { resourceViews } from '../../server/cli/render/resource-columns.ts';
import { formatDuration, renderStatus } from '../../server/cli/render/status-view.ts';
import { renderEventLine } from '../../server/cli/render/event-line.ts';
import { collectRole, parseExpiry, parseId } from '../../server/cli/commands/option-values.ts';

const plain: Output = { colors: false, isTerminal: false, write: () => true };
const colored: Output = { colors: true, isTerminal: true, write: () => true };
const escape = '\u001b[';

const account = (login: string, extra: Partial<AccountView> = {}): AccountView => ({
  login,
  fullName: `Person ${login}`,
  uid: 1000,
  gid: 100,
  primaryGroup: 'users',
  groups: ['developers', 'rsp-support'],
  memberships: [
    { group: 'developers', role: 'member' },
    { group: 'support', role: 'responsible' },
  ],
  home: `/home/${login}`,
  shell: '/bin/bash',
  locked: false,
  system: false,
  passwordChanged: 20_000,
  expiry: null,
  version: 'v1',
  ...extra,
});

describe('the output', () => {
  const stream = (isTTY: boolean) => ({ isTTY, write: () => true }) as unknown as NodeJS.WriteStream;

  it('has colours on a terminal only, and never with NO_COLOR or TERM=dumb', () => {
    expect(getOutput(stream(true), { TERM: 'xterm' }).colors).toBe(true);
    expect(getOutput(stream(false), { TERM: 'xterm' }).colors).toBe(false);
    expect(getOutput(stream(true), { TERM: 'xterm', NO_COLOR: '1' }).colors).toBe(false);
    expect(getOutput(stream(true), { TERM: 'dumb' }).colors).toBe(false);
  });
});

describe('tables', () => {
  it("label their columns with the schema's titles", () => {
    const columns = getColumns<AccountView>(accountViewSchema, ['login', 'fullName', 'primaryGroup']);
    expect(columns.map((column) => column.label)).toEqual(['Login', 'Full name', 'Primary group']);
  });

  it('align the columns, join lists, and have no escape codes without colours', () => {
    const text = resourceViews.accounts(plain, [account('al'), account('bernadette', { locked: true })]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Login {7}Full name {10}UID/);
    expect(lines[1]).toContain('member of developers, responsible of support');
    expect(text).not.toContain('rsp-');
    expect(lines[2]).toMatch(/ yes$/);
    expect(lines[1]!.indexOf('Person')).toBe(lines[2]!.indexOf('Person'));
    expect(text).not.toContain(escape);
  });

  it('paint the header bold and a locked account red with colours', () => {
    const text = resourceViews.accounts(colored, [account('al', { locked: true })]);
    expect(text.split('\n')[0]).toMatch(/^\u001b\[1mLogin/);
    expect(text.split('\n')[1]).toMatch(/^\u001b\[31mal /);
  });

  it('show one record as aligned labels', () => {
    const text = renderRecord(
      plain,
      getColumns<AccountView>(accountViewSchema, ['login', 'passwordChanged']),
      account('al'),
    );
    expect(text).toBe('Login:            al\nPassword changed: 20000\n');
  });
});

describe('figures', () => {
  it('read as people read them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 ** 3)).toBe('300 GiB');
    expect(formatDuration(59)).toBe('0m 59s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(formatDuration(2 * 86_400 + 7200)).toBe('2d 2h');
  });

  it("give the daemon's figures and the machine's, '-' for one not sent", () => {
    const values = {
      'daemon.uptime': 3725,
      'daemon.rss': 100 * 1024 ** 2,
      'daemon.watches': 12,
      'daemon.requests': 4.25,
      'cpu.idle': 75,
      'cpu.cores': 2,
      'net.eth0.rx': 2048,
      'net.eth0.tx': 0,
    };
    const text = renderStatus(plain, { time: Date.UTC(2026, 0, 2, 3, 4, 5), values }, 'here').join('\n');
    expect(text).toContain('2026-01-02 03:04:05 UTC');
    expect(text).toContain('uptime 1h 02m');
    expect(text).toContain('RSS 100 MiB');
    expect(text).toContain('watches 12');
    expect(text).toContain('requests 4.3/s');
    expect(text).toContain('events -');
    expect(text).toContain('CPU 25 % of 2 cores');
    expect(text).toMatch(/Network +eth0 in 2.0 KiB\/s, out 0 B\/s/);
  });
});

describe('event lines', () => {
  it('give the time, facility, name and fields, a value with spaces or a newline quoted', () => {
    const line = renderEventLine(plain, {
      seq: 1,
      time: new Date(2026, 0, 2, 3, 4, 5, 67).toISOString(),
      facility: 'accounts',
      name: 'account-added',
      data: { login: 'al', fullName: 'A L\nx', groups: ['a', 'b'] },
    });
    expect(line).toBe('2026-01-02 03:04:05.067 accounts account-added login=al fullName="A L\\nx" groups=["a","b"]');
  });
});

describe('text from the daemon', () => {
  const evil = 'x\u001b]0;PWN\u0007\u001b[2J\u202e\u009b31m\u007f\u2066y';
  const shown = 'x\\x1b]0;PWN\\x07\\x1b[2J\\u202e\\x9b31m\\x7f\\u2066y';
  const unsafe = /[\p{Cc}\p{Cf}]/u;

  it('shows a volume label and mount point with visible escapes, in colour too', () => {
    const volume = {
      name: 'loop8',
      device: '/dev/loop8',
      size: 8 << 20,
      fsType: 'ext4',
      label: evil,
      mountPoint: evil,
      usage: null,
      actions: [],
      mountOptions: [],
    };
    for (const output of [plain, colored]) {
      const table = resourceViews.volumes(output, [volume as unknown as Volume]).replace(/\u001b\[[0-9;]*m/g, '');
      expect(table).toContain(shown);
      expect(table.replaceAll('\n', '')).not.toMatch(unsafe);
      const record = resourceViews.volume(output, volume as unknown as Volume).replace(/\u001b\[[0-9;]*m/g, '');
      expect(record).toContain(shown);
      expect(record.replaceAll('\n', '')).not.toMatch(unsafe);
    }
  });

  it("shows a filesystem's mount point in the status with visible escapes", () => {
    const values = { [`fs./mnt/${evil}.size`]: 1024, [`fs./mnt/${evil}.used`]: 512 };
    const text = renderStatus(plain, { time: 0, values }, 'here').join('\n');
    expect(text).toContain(`/mnt/${shown} 512 B used of 1.0 KiB`);
    expect(text.replaceAll('\n', '')).not.toMatch(unsafe);
  });

  it('escapes what JSON leaves raw in event lines: C1, bidi, in keys, names and values', () => {
    const line = renderEventLine(colored, {
      seq: 1,
      time: new Date(0).toISOString(),
      facility: `web${evil}` as 'web',
      name: `n${evil}`,
      data: { [`k${evil}`]: `a\u009b2Jb`, plain: 'a\u202eb', list: [evil] },
    }).replace(/\u001b\[[0-9;]*m/g, '');
    expect(line).not.toMatch(unsafe);
    expect(line).toContain(`n${shown}`);
    expect(line).toContain('plain="a\\u202eb"');
    expect(line).toContain('="a\\x9b2Jb"');
  });
});

describe('option values', () => {
  it('take real dates and never, and refuse the rest', () => {
    expect(parseExpiry('1970-01-02')).toBe(1);
    expect(parseExpiry('never')).toBeNull();
    for (const bad of ['2026-02-30', '2026-1-1', 'tomorrow', '']) expect(() => parseExpiry(bad)).toThrow(/not a date/);
  });

  it('take decimal ids and GROUP=ROLE pairs only', () => {
    expect(parseId('1001')).toBe(1001);
    for (const bad of ['0x10', '-1', '1e3', ' 12']) expect(() => parseId(bad)).toThrow(/not a number/);
    expect(collectRole('devs=guest', collectRole('ops=responsible', undefined))).toEqual({
      ops: 'responsible',
      devs: 'guest',
    });
    expect(() => collectRole('devs=boss', undefined)).toThrow(/GROUP=ROLE/);
  });
});
