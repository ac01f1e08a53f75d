import { lstat, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountDatabase } from './account-database.ts';
import type { DirectorySteps } from './directory-steps.ts';
import { createHome } from './homes.ts';

// The homes phase of a create (one account or a 10,000-row import) is journaled: before the
// first home is made, etc/licorn/homes-journal.json lists the accounts and their homes; it
// is removed once the account files are written (or when the homes are undone). A daemon
// killed in between leaves the journal, and the next start settles it (recoverHomesJournal).

// Where the journal lives, under the root's etc/.
export const homesJournalPath = 'licorn/homes-journal.json';

// One account of a journaled homes phase.
export interface JournaledHome {
  login: string;
  uid: number;
  gid: number;
  home: string;
}

// Writes the journal (a step: removed again if the transaction does not commit), and has
// it removed after the commit.
export async function writeHomesJournal(etcDir: string, steps: DirectorySteps, homes: JournaledHome[]): Promise<void> {
  const path = join(etcDir, homesJournalPath);
  const text = JSON.stringify({ started: new Date().toISOString(), homes });
  await steps.run(
    'write the homes journal',
    async () => {
      await writeFile(`${path}+`, text, { mode: 0o600 });
      await rename(`${path}+`, path);
    },
    () => rm(path, { force: true }),
  );
  steps.afterCommit(() => rm(path, { force: true }));
}

// What the start found of an interrupted homes phase.
export interface HomesRecovery {
  // `finished`: the accounts were written, the missing homes were made now; `rolled-back`:
  // the accounts were never written, the homes made for them were removed.
  outcome: 'finished' | 'rolled-back';
  accounts: number;
  homes: number;
  message: string;
}

// Settles a journal left by a daemon that died during a homes phase. The account files
// are written all at once after the homes, so either every journaled account is in passwd
// (the homes phase was over: missing homes are made from skel) or none is (the homes made
// for them belong to nobody: each one still owned by its planned UID and nobody's home now
// is removed). Returns null when there was nothing to settle.
export async function recoverHomesJournal(
  root: string,
  db: AccountDatabase,
  homeMode: number,
): Promise<HomesRecovery | null> {
  const etcDir = join(root, 'etc');
  const path = join(etcDir, homesJournalPath);
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  let homes: JournaledHome[] = [];
  try {
    homes = (JSON.parse(text) as { homes: JournaledHome[] }).homes ?? [];
  } catch {
    homes = [];
  }
  const isWritten = (entry: JournaledHome) => db.passwd.get(entry.login)?.uid === entry.uid;
  const written = homes.some(isWritten);
  let count = 0;
  if (written) {
    for (const entry of homes) {
      const account = db.passwd.get(entry.login);
      if (!account || account.uid !== entry.uid || account.home !== entry.home) continue;
      if (
        await lstat(join(root, entry.home)).then(
          () => true,
          () => false,
        )
      )
        continue;
      await createHome(root, entry.home, join(etcDir, 'skel'), entry, homeMode);
      count += 1;
    }
  } else {
    const homesInUse = new Set(Array.from(db.passwd.entries(), (entry) => entry.home));
    for (const entry of homes) {
      if (homesInUse.has(entry.home)) continue;
      const info = await lstat(join(root, entry.home)).catch(() => null);
      // Each path was checked free under the files' locks before the journal was written:
      // a directory there now, owned by the account-to-be or by the daemon (killed between
      // its mkdir and its chown), was made by that create.
      if (!info?.isDirectory() || (info.uid !== entry.uid && info.uid !== (process.getuid?.() ?? 0))) continue;
      await rm(join(root, entry.home), { recursive: true, force: true });
      count += 1;
    }
  }
  await rm(path, { force: true });
  const message = written
    ? `An interrupted create of ${homes.length} accounts was finished: ${count} missing homes were made from skel`
    : `An interrupted create of ${homes.length} accounts was never written: nothing was created, ` +
      `and the ${count} homes made for it were removed`;
  return { outcome: written ? 'finished' : 'rolled-back', accounts: homes.length, homes: count, message };
}
