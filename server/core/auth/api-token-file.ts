import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

// One API token as the tokens file keeps it: `hash` is the sha256 of the secret (the file
// alone lets nobody in); `uid` and `credential` (the digest of the account's password hash
// and last change, AccountAccess.credential) the account's when it was made: a new
// password, or a new account reusing the login or the uid, does not inherit it.
export interface StoredApiToken {
  id: string;
  login: string;
  uid: number;
  credential: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  hash: string;
}

const fileVersion = 1;

// Whether a value read back is a well-formed token (a hand-edited file adds nothing odd).
function isStoredApiToken(value: unknown): value is StoredApiToken {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.id === 'string' &&
    /^[0-9a-f]{16}$/.test(record.id) &&
    typeof record.login === 'string' &&
    record.login.length <= 256 &&
    Number.isSafeInteger(record.uid) &&
    typeof record.credential === 'string' &&
    /^[A-Za-z0-9_-]{43}$/.test(record.credential) &&
    typeof record.name === 'string' &&
    record.name.length <= 64 &&
    typeof record.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(record.hash) &&
    Number.isFinite(record.createdAt) &&
    (record.lastUsedAt === null || Number.isFinite(record.lastUsedAt))
  );
}

// Reads the tokens kept in `path`: none when it is absent; a damaged file is reported through
// `warn` and read as empty (its tokens stop working), never a reason not to start.
export async function readApiTokenFile(path: string, warn: (message: string) => void): Promise<StoredApiToken[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    if (((await stat(path)).mode & 0o077) !== 0) warn(`tokens file ${path} was readable by others; rewritten 0600`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    warn(`tokens file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code}); no API token works`);
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; tokens?: unknown };
    if (parsed.version !== fileVersion || !Array.isArray(parsed.tokens)) throw new Error('not a tokens file');
    const tokens = parsed.tokens.filter(isStoredApiToken);
    // Entries of before tokens were bound to a password (no `credential`) are dropped too.
    if (tokens.length < parsed.tokens.length) warn(`tokens file ${path}: malformed or unbound entries skipped`);
    return tokens.map(({ id, login, uid, credential, name, createdAt, lastUsedAt, hash }) => ({
      ...{ id, login, uid, credential, name, createdAt, lastUsedAt, hash },
    }));
  } catch (error) {
    warn(`tokens file ${path}: ${(error as Error).message}; no API token works`);
    return [];
  }
}

// Saves the tokens whole or not at all: a file beside it (mode 0600, synced), renamed over it.
export async function writeApiTokenFile(path: string, tokens: StoredApiToken[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const staged = `${path}.${process.pid}.tmp`;
  const handle = await open(staged, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify({ version: fileVersion, tokens })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(staged, path);
}
