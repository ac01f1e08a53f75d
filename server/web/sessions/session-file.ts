import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WebSession } from './session-store.ts';

// One session as the store file keeps it: `key` is the sha256 of the cookie's id, never the
// id itself, so the file alone logs nobody in; `credential` is the digest of the account's
// password when it logged in (AccountAccess), never the hash.
export type StoredSession = Omit<WebSession, 'id'> & { key: string; credential: string };

const fileVersion = 1;
const stringFields = [
  'key',
  'publicId',
  'login',
  'fullName',
  'address',
  'userAgent',
  'csrfToken',
  'credential',
] as const;

// Whether a value read back is a well-formed session (a hand-edited or damaged file must not
// put odd values into pages).
function isStoredSession(value: unknown): value is StoredSession {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    stringFields.every((field) => typeof record[field] === 'string' && (record[field] as string).length <= 4096) &&
    /^[0-9a-f]{64}$/.test(record.key as string) &&
    typeof record.isAdmin === 'boolean' &&
    (record.mustChangePassword === undefined || typeof record.mustChangePassword === 'boolean') &&
    Number.isFinite(record.createdAt) &&
    Number.isFinite(record.lastSeenAt)
  );
}

function pickStoredFields(record: StoredSession): StoredSession {
  const { key, credential, publicId, login, fullName, isAdmin } = record;
  const { address, userAgent, createdAt, lastSeenAt, csrfToken } = record;
  const picked = {
    key,
    credential,
    publicId,
    login,
    fullName,
    isAdmin,
    address,
    userAgent,
    createdAt,
    lastSeenAt,
    csrfToken,
  };
  return record.mustChangePassword ? { ...picked, mustChangePassword: true } : picked;
}

// Reads the sessions kept in `path`; none when it is absent. A damaged file is reported
// through `warn` and ignored (everyone logs in again), never a reason not to start.
export async function readSessionFile(path: string, warn: (message: string) => void): Promise<StoredSession[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    const { mode } = await stat(path);
    const octal = (mode & 0o777).toString(8);
    if ((mode & 0o077) !== 0)
      warn(`sessions file ${path} was readable by others (mode ${octal}); it is rewritten 0600`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    warn(`sessions file ${path}: cannot read it (${reason}); starting without sessions`);
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; sessions?: unknown };
    if (parsed.version !== fileVersion || !Array.isArray(parsed.sessions)) {
      throw new Error(`not a version ${fileVersion} sessions file`);
    }
    // Only the known fields are taken back: a hand-edited entry adds nothing to a session.
    const sessions = parsed.sessions.filter(isStoredSession).map(pickStoredFields);
    const skipped = parsed.sessions.length - sessions.length;
    if (skipped > 0) warn(`sessions file ${path}: ${skipped} malformed entries skipped`);
    return sessions;
  } catch (error) {
    warn(`sessions file ${path}: ${(error as Error).message}; starting without sessions`);
    return [];
  }
}

// Saves `sessions` in `path`, whole or not at all: written to a file beside it (mode 0600,
// synced), then renamed over it.
export async function writeSessionFile(path: string, sessions: StoredSession[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const staged = `${path}.${process.pid}.tmp`;
  const handle = await open(staged, 'w', 0o600);
  try {
    // A leftover of a crash keeps its old mode through open(): set it again.
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify({ version: fileVersion, sessions })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(staged, path);
}
