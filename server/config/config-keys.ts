// The one table of configuration keys: it drives the TOML file, environment variables,
// command-line flags, their validation and the README's list.

export type ConfigValueType = 'string' | 'host' | 'integer' | 'number' | 'boolean' | 'string-list';

export interface ConfigKey {
  key: string;
  type: ConfigValueType;
  default: string | number | boolean | string[];
  // What the key does, for the README and --help: lines of one paragraph (joined with spaces).
  description: string[];
  // Inclusive bounds for numbers.
  min?: number;
  max?: number;
  // Old Licorn spellings accepted in the file for this key (`extensions.volumes.mount_all_fs`).
  aliases?: string[];
  // What a string must look like, and how the error says so.
  check?: { test(value: string): boolean; expected: string };
}

// An empty path would silently mean the current directory.
const nonEmptyPath = { test: (value: string) => value !== '', expected: 'a path (not empty)' };

// Who may open a terminal (terminal.allow).
export const terminalAllowValues = ['admins', 'all', 'none'];

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// Every key licornd understands; an unknown key is an error.
export const configKeys: readonly ConfigKey[] = [
  {
    key: 'root',
    type: 'string',
    default: 'var/demo',
    check: nonEmptyPath,
    description: [
      'Root of the managed system: `"/"` for the real machine (needs root, PAM login), any other',
      'directory for a sandbox (the demo, created on first start when missing).',
    ],
  },
  {
    key: 'listen',
    type: 'host',
    default: '127.0.0.1',
    description: ['Address to listen on: an IP address or a host name.'],
  },
  {
    key: 'port',
    type: 'integer',
    default: 3356,
    min: 0,
    max: 65535,
    description: ['HTTPS port (0 picks a free one).'],
  },
  {
    key: 'tls.cert',
    type: 'string',
    default: '',
    description: ['PEM certificate (chain) file; empty: a self-signed one in `tls.dir`.'],
  },
  { key: 'tls.key', type: 'string', default: '', description: ['PEM private key of `tls.cert`.'] },
  {
    key: 'tls.dir',
    type: 'string',
    default: 'certs',
    check: nonEmptyPath,
    description: ['Where the self-signed certificate is generated and kept.'],
  },
  {
    key: 'auth.admin_groups',
    type: 'string-list',
    default: ['admins', 'licorn-wmi', 'sudo'],
    description: [
      'Members of these groups manage the machine; other accounts only see "My account".',
      'Comma-separated in flags and variables.',
    ],
  },
  {
    key: 'auth.pam_service',
    type: 'string',
    default: 'licorn',
    description: ['PAM service used when root is `"/"`.'],
    check: { test: (value) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value), expected: 'a file name in /etc/pam.d' },
  },
  {
    key: 'auth.fail_delay',
    type: 'number',
    default: 1,
    min: 0,
    max: 30,
    description: [
      "Seconds from its start after which a refused login is answered, whatever the reason (PAM's own",
      'delay is skipped).',
    ],
  },
  {
    key: 'auth.max_failures_per_account',
    type: 'integer',
    default: 5,
    min: 1,
    max: 1000,
    description: ['Failed logins allowed per account name within `auth.failure_window`.'],
  },
  {
    key: 'auth.max_failures_per_address',
    type: 'integer',
    default: 20,
    min: 1,
    max: 100000,
    description: ['Failed logins allowed per client address within `auth.failure_window`.'],
  },
  {
    key: 'auth.failure_window',
    type: 'integer',
    default: 900,
    min: 1,
    max: 86400,
    description: ['Seconds over which failed logins are counted.'],
  },
  {
    key: 'sessions.idle_timeout',
    type: 'integer',
    default: 1800,
    min: 10,
    max: 604800,
    description: ['Seconds without a request after which a session ends.'],
  },
  {
    key: 'sessions.absolute_timeout',
    type: 'integer',
    default: 43200,
    min: 60,
    max: 2592000,
    description: ['Seconds after login after which a session ends, active or not.'],
  },
  {
    key: 'sessions.store_file',
    type: 'string',
    default: '',
    description: [
      'Where open sessions are kept across restarts (mode 0600, ids only hashed); empty:',
      '`/var/lib/licorn/sessions.json` on the real machine, `sessions.json` beside a sandbox root',
      '(`var/sessions.json` for the demo).',
    ],
  },
  {
    key: 'sessions.max_per_account',
    type: 'integer',
    default: 20,
    min: 1,
    max: 10000,
    description: ["Sessions one account may hold open; a login past it ends the account's oldest session."],
  },
  {
    key: 'push.max_sockets_per_session',
    type: 'integer',
    default: 32,
    min: 1,
    max: 100000,
    description: ['Push sockets (one per open page) a session may hold; one more is refused.'],
  },
  {
    key: 'push.max_sockets_per_address',
    type: 'integer',
    default: 128,
    min: 1,
    max: 100000,
    description: [
      'Push sockets all sessions from one client address may hold together (raise it for many users',
      'behind one NAT address).',
    ],
  },
  {
    key: 'accounts.system_id_min',
    type: 'integer',
    default: 300,
    min: 1,
    max: 2147483646,
    description: [
      'Lowest UID and GID Licorn touches: below are restricted accounts and groups (root, the daemons),',
      "never changed. System IDs run from here to login.defs' `SYS_UID_MAX`/`SYS_GID_MAX`.",
    ],
  },
  {
    key: 'accounts.standard_uid_max',
    type: 'integer',
    default: 29999,
    min: 1000,
    max: 2147483646,
    description: [
      "Highest standard UID: standard UIDs run from login.defs' `UID_MIN` (1000) to the lower of this",
      'and `UID_MAX`; above are restricted accounts (`nobody`), never changed. See "Account ID ranges"',
      'below.',
    ],
  },
  {
    key: 'accounts.standard_gid_max',
    type: 'integer',
    default: 29999,
    min: 1000,
    max: 2147483646,
    description: [
      "Highest standard GID: from login.defs' `GID_MIN` (10000 in the demo) to the lower of this and",
      '`GID_MAX`; above are restricted groups (`nogroup`), never changed.',
    ],
  },
  {
    key: 'terminal.allow',
    type: 'string',
    default: 'admins',
    description: [
      'Who may open a terminal: `"admins"`, `"all"` (every account whose shell is not nologin/false) or',
      '`"none"`.',
    ],
    check: {
      test: (value) => terminalAllowValues.includes(value),
      expected: `one of ${terminalAllowValues.join(', ')}`,
    },
  },
  {
    key: 'terminal.max_per_account',
    type: 'integer',
    default: 8,
    min: 1,
    max: 256,
    description: ['Terminals one account may hold open (attached or kept), all its sessions together.'],
  },
  {
    key: 'terminal.max_total',
    type: 'integer',
    default: 64,
    min: 1,
    max: 4096,
    description: ['Terminals the daemon holds open at once, all accounts together.'],
  },
  {
    key: 'terminal.keep',
    type: 'integer',
    default: 900,
    min: 0,
    max: 86400,
    description: [
      'Seconds a terminal whose page went away (network, sleep, reload) keeps running before it is',
      'killed.',
    ],
  },
  {
    key: 'terminal.scrollback',
    type: 'integer',
    default: 1048576,
    min: 65536,
    max: 67108864,
    description: [
      'Bytes of screen and scrollback kept on the server per terminal, redrawn when the page comes',
      'back.',
    ],
  },
  {
    key: 'terminal.osc52',
    type: 'boolean',
    default: false,
    description: ["Let programs in a terminal write the browser's clipboard (OSC 52); reading it is never allowed."],
  },
  {
    key: 'audit.file',
    type: 'string',
    default: '',
    description: [
      'Where every admin action is logged; empty: `/var/log/licorn/audit.log` on the real machine,',
      '`log/audit.log` beside a sandbox root (`var/log/audit.log` for the demo).',
    ],
  },
  {
    key: 'status.history_file',
    type: 'string',
    default: '',
    description: [
      'Where the status history (10 minutes of samples, 24 hours of one-minute averages) is kept across',
      'restarts; empty: `/var/lib/licorn/status-history.json` on the real machine,',
      '`status-history.json` beside a sandbox root (`var/status-history.json` for the demo).',
    ],
  },
  {
    key: 'shares.max_watches',
    type: 'integer',
    default: 0,
    min: 0,
    max: 2147483648,
    description: [
      "The most directories the shares' watcher watches (one inotify watch each, counted against root's",
      "`fs.inotify.max_user_watches`); past it a share's new directories are not watched (one warning",
      'naming the share, a figure on the status page). 0: 3/4 of `max_user_watches`, read again every',
      "minute, the rest left to root's other services.",
    ],
  },
  {
    key: 'events.journal_size',
    type: 'integer',
    default: 5000,
    min: 10,
    max: 1000000,
    description: [
      'Core events kept in memory for the events monitor (licorn get events, the Events page,',
      '/api/v1/events), the oldest going first; their bytes are bounded too (4 MiB).',
    ],
  },
  {
    key: 'volumes.auto_mount',
    type: 'boolean',
    default: false,
    aliases: ['extensions.volumes.auto_mount'],
    description: [
      'Mount new volumes as they appear (and those present at start), unless reserved, system or of a',
      'filesystem Licorn leaves alone. Old spelling `extensions.volumes.auto_mount`.',
    ],
  },
  {
    key: 'volumes.mount_all_fs',
    type: 'boolean',
    default: false,
    aliases: ['extensions.volumes.mount_all_fs'],
    description: [
      "Also mount filesystems other than Licorn's own (ext2/3/4, btrfs, xfs, jfs, reiserfs): vfat,",
      'exfat, ntfs, iso9660, udf… Old spelling `extensions.volumes.mount_all_fs`.',
    ],
  },
  {
    key: 'volumes.enduser_owner',
    type: 'string',
    default: '',
    aliases: ['extensions.volumes.enduser_owner'],
    description: [
      'Account owning the files of end-user filesystems (vfat, exfat, ntfs, iso9660, udf); empty: the',
      'first non-system account, else root.',
    ],
    check: { test: (value) => value === '' || /^[a-z_][a-z0-9_.-]*[$]?$/.test(value), expected: 'a login name' },
  },
  {
    key: 'volumes.state_file',
    type: 'string',
    default: '',
    aliases: ['extensions.volumes.state_file'],
    description: [
      'Where the "reserved" markers of volumes are kept, by filesystem UUID; empty:',
      '`/var/lib/licorn/volumes.json` on the real machine, `volumes.json` beside a sandbox root',
      '(`var/volumes.json` for the demo).',
    ],
  },
  {
    key: 'tokens.store_file',
    type: 'string',
    default: '',
    description: [
      'Where the API tokens accounts make on "My account" are kept (mode 0600, only their sha256);',
      'empty: `/var/lib/licorn/tokens.json` on the real machine, `tokens.json` beside a sandbox root',
      '(`var/tokens.json` for the demo).',
    ],
  },
  {
    key: 'languages.store_file',
    type: 'string',
    default: '',
    description: [
      'Where the language each account chose on "My account" is kept (one small entry per account that',
      'chose one); empty: `/var/lib/licorn/languages.json` on the real machine, `languages.json` beside',
      'a sandbox root (`var/languages.json` for the demo).',
    ],
  },
  {
    key: 'tokens.max_per_account',
    type: 'integer',
    default: 10,
    min: 0,
    max: 1000,
    description: ['API tokens one account may hold; 0: none may be made.'],
  },
  {
    key: 'cli.socket',
    type: 'string',
    default: 'auto',
    description: [
      'The local socket (see "The local socket"): the same app as plain HTTP on a Unix socket for local',
      'programs (`licorn`), each caller known by its peer credentials (no password, no CSRF token):',
      'root and members of the admin groups as admins, other accounts as themselves. `"auto"`:',
      '`/run/licorn/licornd.sock` on the real machine, `licornd.sock` beside a sandbox root',
      '(`var/licornd.sock` for the demo); `""` turns it off.',
    ],
  },
  {
    key: 'cli.inside_socket',
    type: 'string',
    default: 'auto',
    description: [
      'The socket of `licorn get inside` (mode 0600; the peer must be root): a REPL in the daemon.',
      '`"auto"`: `/run/licorn/inside.sock` on the real machine, `licornd-inside.sock` beside a sandbox',
      'root; `""` turns it off.',
    ],
  },
  {
    key: 'demo.volumes',
    type: 'boolean',
    default: true,
    description: [
      'In a demo sandbox run as root: make two small image files there (an ext4 "Archives" and a vfat',
      '"USB-KEY"), attach them as loop devices while licornd runs (detached at stop), for the Volumes',
      'page to act on.',
    ],
  },
  {
    key: 'log.level',
    type: 'string',
    default: 'info',
    description: ['One of fatal, error, warn, info, debug, trace, silent.'],
    check: { test: (value) => logLevels.includes(value), expected: `one of ${logLevels.join(', ')}` },
  },
  { key: 'log.requests', type: 'boolean', default: false, description: ['Log every HTTP request.'] },
];

// The environment variable of a key: LICORN_ then the key in capitals, dots as underscores.
export function getEnvName(key: string): string {
  return 'LICORN_' + key.toUpperCase().replace(/[.-]/g, '_');
}

// The command-line flag of a key: dots and underscores become dashes.
export function getFlagName(key: string): string {
  return key.replace(/[._]/g, '-');
}
