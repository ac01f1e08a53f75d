// The settings of login.defs(5) the accounts core uses, with shadow-utils' defaults.
export interface LoginDefs {
  uidMin: number;
  uidMax: number;
  sysUidMin: number;
  sysUidMax: number;
  gidMin: number;
  gidMax: number;
  sysGidMin: number;
  sysGidMax: number;
  encryptMethod: string;
  yescryptCost: number;
  shaRounds: number;
  umask: number;
  homeMode: number;
  subUidMin: number;
  subUidMax: number;
  subUidCount: number;
  subGidMin: number;
  subGidMax: number;
  subGidCount: number;
  // USERGROUPS_ENAB: deleting an account deletes its private group (userdel). Debian's
  // login.defs says yes; an absent key means no, as for useradd and userdel themselves.
  userGroupsEnab: boolean;
}

// Reads `KEY VALUE` lines (comments and blank lines skipped; the last of a key wins).
export function parseLoginDefsText(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s+(\S+)/.exec(line);
    if (match && !line.trimStart().startsWith('#')) values.set(match[1]!, match[2]!);
  }
  return values;
}

// Parses login.defs into typed settings; octal modes as shadow-utils reads them.
export function parseLoginDefs(text: string): LoginDefs {
  const values = parseLoginDefsText(text);
  const number = (key: string, fallback: number, radix = 10) => {
    const raw = values.get(key);
    const parsed = raw === undefined ? NaN : Number.parseInt(raw, radix === 8 || raw.startsWith('0') ? 8 : 10);
    return Number.isFinite(parsed) ? parsed : fallback;
  };
  const umask = number('UMASK', 0o22, 8);
  return {
    uidMin: number('UID_MIN', 1000),
    uidMax: number('UID_MAX', 60000),
    sysUidMin: number('SYS_UID_MIN', 101),
    sysUidMax: number('SYS_UID_MAX', number('UID_MIN', 1000) - 1),
    gidMin: number('GID_MIN', 1000),
    gidMax: number('GID_MAX', 60000),
    sysGidMin: number('SYS_GID_MIN', 101),
    sysGidMax: number('SYS_GID_MAX', number('GID_MIN', 1000) - 1),
    encryptMethod: (values.get('ENCRYPT_METHOD') ?? 'YESCRYPT').toUpperCase(),
    yescryptCost: number('YESCRYPT_COST_FACTOR', 5),
    shaRounds: number('SHA_CRYPT_MAX_ROUNDS', number('SHA_CRYPT_MIN_ROUNDS', 5000)),
    umask,
    homeMode: number('HOME_MODE', 0o777 & ~umask, 8),
    subUidMin: number('SUB_UID_MIN', 100000),
    subUidMax: number('SUB_UID_MAX', 600100000),
    subUidCount: number('SUB_UID_COUNT', 65536),
    subGidMin: number('SUB_GID_MIN', 100000),
    subGidMax: number('SUB_GID_MAX', 600100000),
    subGidCount: number('SUB_GID_COUNT', 65536),
    userGroupsEnab: (values.get('USERGROUPS_ENAB') ?? 'no').toLowerCase() === 'yes',
  };
}

// The valid login shells listed in an /etc/shells text.
export function parseShells(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('/'));
}
