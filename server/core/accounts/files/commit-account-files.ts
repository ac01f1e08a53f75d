import { closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendAccountFiles, type AppendWrite } from './append-account-files.ts';
import { openAppendJournal } from './append-journal.ts';
import { stageAccountFile, type StagedFile } from './write-account-file.ts';
import type { FileTag } from '../account-database.ts';

// One account file's next version in a transaction: its whole content (rendered only if
// needed), and when the change only adds lines at its end, those bytes.
export interface AccountFileWrite {
  path: string;
  // For a file that does not exist yet.
  mode: number;
  render: () => string | readonly Buffer[];
  append: AppendWrite | null;
}

// Writes the files of one transaction, all or nothing, under the files' locks. When every
// file only grows (a create), the bytes are appended in place under an undo journal
// (append-account-files.ts): a few hundred bytes written and synced instead of the whole
// files (15 MB with 100,000 accounts). Otherwise, or when a file is not as we last saw it,
// each file is staged whole beside itself and synced, then all are renamed back to back
// (write-account-file.ts). Throws with every file as it was. Returns the directories whose
// entries changed, to sync (syncDirectory) once the transaction is taken as done, and each
// file's tag as our write left it (getFileTag's), read from its descriptor before anyone
// could write to it after us; none for a file another writer appended to beside an append of
// ours: its content is not what we know, to read again.
export async function commitAccountFiles(
  etcDir: string,
  writes: readonly AccountFileWrite[],
): Promise<{ directories: string[]; tags: Map<string, FileTag> }> {
  if (writes.length === 0) return { directories: [], tags: new Map() };
  // Made with the first write, whatever its kind: the tree holds it before any append.
  closeSync(await openAppendJournal(etcDir));
  if (writes.every((write) => write.append !== null)) {
    const tags = await appendAccountFiles(
      etcDir,
      writes.map((write) => write.append!),
    );
    if (tags !== null) return { directories: [], tags };
  }
  // Staged in parallel (their fsyncs overlap), then renamed back to back.
  const outcomes = await Promise.allSettled(
    writes.map((write) => stageAccountFile(write.path, write.render(), write.mode)),
  );
  const staged: StagedFile[] = [];
  for (const outcome of outcomes) if (outcome.status === 'fulfilled') staged.push(outcome.value);
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  // Whatever was staged is discarded if any file failed: a failure changes no byte.
  if (failure) {
    for (const file of staged) file.discard();
    throw (failure as PromiseRejectedResult).reason;
  }
  for (const file of staged) file.commit();
  const tags = new Map(staged.map((file, position) => [writes[position]!.path, file.tag]));
  return { directories: [...new Set(writes.map((write) => dirname(write.path)))], tags };
}
