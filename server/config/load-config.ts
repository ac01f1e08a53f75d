import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getEnvName, getFlagName } from './config-key.ts';
import { configKeys } from './config-keys.ts';
import { ConfigError } from './config-error.ts';
import { coerceConfigValue, type ConfigValue } from './coerce-config-value.ts';
import { parseConfigFile } from './parse-config-file.ts';
import type { TerminalAllow } from '../core/terminal/terminal-policy.ts';

// The configuration file read when no --config is given; it may be absent.
export const defaultConfigFile = '/etc/licorn/licorn.conf';

// licornd's settings, typed; paths are absolute.
export interface LicornConfig {
  root: string;
  isRealMachine: boolean;
  listen: string;
  port: number;
  tls: { cert: string; key: string; dir: string };
  auth: {
    adminGroups: string[];
    pamService: string;
    failDelayMs: number;
    maxFailuresPerAccount: number;
    maxFailuresPerAddress: number;
    failureWindowMs: number;
  };
  sessions: { idleTimeoutMs: number; absoluteTimeoutMs: number; maxPerAccount: number; storeFile: string };
  push: { maxSocketsPerSession: number; maxSocketsPerAddress: number };
  // Licorn's ID ranges (account-ranges.ts).
  accounts: { systemIdMin: number; standardUidMax: number; standardGidMax: number };
  terminal: {
    allow: TerminalAllow;
    maxPerAccount: number;
    maxTotal: number;
    keepMs: number;
    scrollbackBytes: number;
    osc52: boolean;
  };
  log: { level: string; requests: boolean };
  volumes: { autoMount: boolean; mountAllFs: boolean; enduserOwner: string; stateFile: string };
  auditFile: string;
  statusHistoryFile: string;
  events: { journalSize: number };
  shares: { maxWatches: number };
  demo: { volumes: boolean };
  tokens: { storeFile: string; maxPerAccount: number };
  // The accounts' language preferences ("My account").
  languages: { storeFile: string };
  // The local socket (cli.socket); '' when it is off.
  cli: { socket: string; insideSocket: string };
  configFile: string | null;
}

export interface LoadConfigOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

// Builds the configuration from defaults, then the file, then LICORN_* variables, then flags.
// Throws ConfigError with a one-line reason on anything unknown or malformed.
export function loadConfig({
  argv = [],
  env = process.env,
  cwd = process.cwd(),
}: LoadConfigOptions = {}): LicornConfig {
  const flagOptions: Record<string, { type: 'string' }> = { config: { type: 'string' } };
  for (const spec of configKeys) flagOptions[getFlagName(spec.key)] = { type: 'string' };

  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: flagOptions, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError(`command line: ${(error as Error).message.split('\n')[0]}`);
  }
  const flags = parsed.values as Record<string, string | undefined>;

  const values = new Map<string, ConfigValue>(configKeys.map((spec) => [spec.key, spec.default]));
  const configFile = flags.config ?? env.LICORN_CONFIG ?? null;
  const fileToRead = configFile ? resolve(cwd, configFile) : defaultConfigFile;
  const fileEntries = readConfigFile(fileToRead, configFile !== null);
  for (const [key, raw] of fileEntries ?? []) {
    const spec = configKeys.find((candidate) => candidate.key === key || candidate.aliases?.includes(key));
    if (!spec) {
      throw new ConfigError(
        `${fileToRead}: unknown key "${key}" (known keys: ${configKeys.map((k) => k.key).join(', ')})`,
      );
    }
    values.set(spec.key, coerceConfigValue(spec, raw, fileToRead));
  }
  for (const spec of configKeys) {
    const fromEnv = env[getEnvName(spec.key)];
    if (fromEnv !== undefined)
      values.set(spec.key, coerceConfigValue(spec, fromEnv, `environment ${getEnvName(spec.key)}`));
    const fromFlag = flags[getFlagName(spec.key)];
    if (fromFlag !== undefined) values.set(spec.key, coerceConfigValue(spec, fromFlag, `--${getFlagName(spec.key)}`));
  }

  const get = <T extends ConfigValue>(key: string) => values.get(key) as T;
  const level = get<string>('log.level');
  if ((get<string>('tls.cert') === '') !== (get<string>('tls.key') === '')) {
    throw new ConfigError('tls.cert and tls.key must be given together');
  }
  const accounts = {
    systemIdMin: get<number>('accounts.system_id_min'),
    standardUidMax: get<number>('accounts.standard_uid_max'),
    standardGidMax: get<number>('accounts.standard_gid_max'),
  };
  checkAccountRanges(accounts);
  const root = resolve(cwd, get<string>('root'));
  const optionalPath = (key: string) => (get<string>(key) === '' ? '' : resolve(cwd, get<string>(key)));
  return {
    root,
    isRealMachine: root === '/',
    listen: get('listen'),
    port: get('port'),
    tls: { cert: optionalPath('tls.cert'), key: optionalPath('tls.key'), dir: resolve(cwd, get<string>('tls.dir')) },
    auth: {
      adminGroups: get('auth.admin_groups'),
      pamService: get('auth.pam_service'),
      failDelayMs: get<number>('auth.fail_delay') * 1000,
      maxFailuresPerAccount: get('auth.max_failures_per_account'),
      maxFailuresPerAddress: get('auth.max_failures_per_address'),
      failureWindowMs: get<number>('auth.failure_window') * 1000,
    },
    sessions: {
      idleTimeoutMs: get<number>('sessions.idle_timeout') * 1000,
      absoluteTimeoutMs: get<number>('sessions.absolute_timeout') * 1000,
      maxPerAccount: get('sessions.max_per_account'),
      storeFile:
        optionalPath('sessions.store_file') ||
        (root === '/' ? '/var/lib/licorn/sessions.json' : join(dirname(root), 'sessions.json')),
    },
    push: {
      maxSocketsPerSession: get('push.max_sockets_per_session'),
      maxSocketsPerAddress: get('push.max_sockets_per_address'),
    },
    accounts,
    terminal: {
      allow: get<TerminalAllow>('terminal.allow'),
      maxPerAccount: get('terminal.max_per_account'),
      maxTotal: get('terminal.max_total'),
      keepMs: get<number>('terminal.keep') * 1000,
      scrollbackBytes: get('terminal.scrollback'),
      osc52: get('terminal.osc52'),
    },
    log: { level, requests: get('log.requests') },
    volumes: {
      autoMount: get('volumes.auto_mount'),
      mountAllFs: get('volumes.mount_all_fs'),
      enduserOwner: get('volumes.enduser_owner'),
      stateFile:
        optionalPath('volumes.state_file') ||
        (root === '/' ? '/var/lib/licorn/volumes.json' : join(dirname(root), 'volumes.json')),
    },
    auditFile:
      optionalPath('audit.file') || (root === '/' ? '/var/log/licorn/audit.log' : join(dirname(root), 'log/audit.log')),
    statusHistoryFile:
      optionalPath('status.history_file') ||
      (root === '/' ? '/var/lib/licorn/status-history.json' : join(dirname(root), 'status-history.json')),
    events: { journalSize: get('events.journal_size') },
    shares: { maxWatches: get('shares.max_watches') },
    demo: { volumes: get('demo.volumes') },
    tokens: {
      storeFile:
        optionalPath('tokens.store_file') ||
        (root === '/' ? '/var/lib/licorn/tokens.json' : join(dirname(root), 'tokens.json')),
      maxPerAccount: get('tokens.max_per_account'),
    },
    languages: {
      storeFile:
        optionalPath('languages.store_file') ||
        (root === '/' ? '/var/lib/licorn/languages.json' : join(dirname(root), 'languages.json')),
    },
    cli: {
      socket: getSocketPath(get<string>('cli.socket'), root, cwd, 'licornd.sock'),
      insideSocket: getSocketPath(get<string>('cli.inside_socket'), root, cwd, 'inside.sock'),
    },
    configFile: fileEntries ? fileToRead : null,
  };
}

// Where the daemon's local socket is, by default: /run/licorn/ on the real machine, beside a
// sandbox root otherwise (the `licorn` command's default too).
export function getDefaultSocketPath(root: string, name: 'licornd.sock' | 'inside.sock' = 'licornd.sock'): string {
  if (root === '/') return join('/run/licorn', name);
  return join(dirname(root), name === 'inside.sock' ? 'licornd-inside.sock' : name);
}

// A socket key's path: "auto" is the default place, "" turns the socket off.
function getSocketPath(value: string, root: string, cwd: string, name: 'licornd.sock' | 'inside.sock'): string {
  if (value === '') return '';
  return value === 'auto' ? getDefaultSocketPath(root, name) : resolve(cwd, value);
}

// Refuses ranges that leave no standard IDs: each maximum must be above the system minimum
// (whose range then runs up to login.defs' UID_MIN/GID_MIN; the store checks those at open).
function checkAccountRanges(ranges: LicornConfig['accounts']): void {
  for (const [key, max] of [
    ['accounts.standard_uid_max', ranges.standardUidMax],
    ['accounts.standard_gid_max', ranges.standardGidMax],
  ] as const) {
    if (max <= ranges.systemIdMin)
      throw new ConfigError(
        `${key} = ${max} must be above accounts.system_id_min = ${ranges.systemIdMin} (the system IDs come between)`,
      );
  }
}

// Reads and parses a config file; null when the default file is absent.
function readConfigFile(path: string, mustExist: boolean): Map<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return null;
    throw new ConfigError(`${path}: cannot read the configuration file (${code ?? (error as Error).message})`);
  }
  try {
    return parseConfigFile(text);
  } catch (error) {
    throw new ConfigError(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
}
