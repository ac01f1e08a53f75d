import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getFileTag, type FileTag } from '../account-database.ts';
import type { LoginDefs } from '../parse-login-defs.ts';
import {
  changeSubordinateLines,
  parseSubordinateIds,
  SubordinateIndex,
  type SubordinateChange,
  type SubordinateSpace,
} from '../subordinate-ids.ts';
import type { AccountFileWrite } from './commit-account-files.ts';

// The two files, in the order useradd locks them after passwd, shadow, group and gshadow.
const subordinateNames = ['subuid', 'subgid'] as const;
type SubordinateName = (typeof subordinateNames)[number];

// A file as last read or written: its bytes in pieces (the last ones appended) and its
// ranges indexed for additions. Its lines are not kept: a removal or a rename (rare) parses
// the bytes again, where 100,000 lines kept with their texts were 23 MiB per file.
type Cached = {
  tag: FileTag;
  chunks: Buffer[];
  size: number;
  index: SubordinateIndex;
};

// More pieces than this are joined into one buffer.
const maxChunks = 32;

// etc/subuid and etc/subgid of a root, read when their tag changes and kept indexed between
// transactions (10,000 lines each: parsing them on every create cost milliseconds). The
// store locks and stages them with the other account files, so a create is one locked
// write, not two. Files that do not exist are left alone, as useradd does.
export class SubordinateIdFiles {
  readonly #etcDir: string;
  readonly #cache = new Map<SubordinateName, Cached>();
  readonly #present = new Set<SubordinateName>();

  constructor(etcDir: string) {
    this.#etcDir = etcDir;
  }

  // The files that exist now, to be locked with the others (stat only: cheap).
  async findPresent(): Promise<SubordinateName[]> {
    const tags = await Promise.all(subordinateNames.map((name) => getFileTag(join(this.#etcDir, name))));
    this.#present.clear();
    subordinateNames.forEach((name, position) => {
      if (tags[position] !== 'missing') this.#present.add(name);
    });
    return [...this.#present];
  }

  // The writes of `change` to the present files (call under their locks, after findPresent),
  // and what to remember once they are committed, given each file's tag as our write left it
  // (commitAccountFiles): a file without one was written beside ours by a writer without lock,
  // and is read again whole next time (remembered, its cache would drop that writer's line).
  async plan(
    change: SubordinateChange,
    defs: LoginDefs,
  ): Promise<{ writes: AccountFileWrite[]; remember: (tags: ReadonlyMap<string, FileTag>) => void }> {
    const spaces: Record<SubordinateName, SubordinateSpace> = {
      subuid: { min: defs.subUidMin, max: defs.subUidMax, count: defs.subUidCount },
      subgid: { min: defs.subGidMin, max: defs.subGidMax, count: defs.subGidCount },
    };
    const planned = await Promise.all(
      [...this.#present].map(async (name) => {
        const current = await this.#read(name);
        const next = getNext(current, change, spaces[name]);
        return next ? { name, current, next } : null;
      }),
    );
    const changed = planned.filter((file) => file !== null);
    return {
      writes: changed.map(({ name, current, next }) => {
        const path = join(this.#etcDir, name);
        const append = next.appended ? { path, tag: current.tag, offset: current.size, bytes: next.appended } : null;
        return { path, mode: 0o644, render: () => next.chunks, append };
      }),
      remember: (tags) => {
        for (const { name, next } of changed) {
          const { commit, appended: _, ...kept } = next;
          commit();
          const tag = tags.get(join(this.#etcDir, name));
          if (tag === undefined) this.#cache.delete(name);
          else this.#cache.set(name, { tag, ...kept });
        }
      },
    };
  }

  async #read(name: SubordinateName): Promise<Cached> {
    const path = join(this.#etcDir, name);
    const tag = await getFileTag(path);
    const cached = this.#cache.get(name);
    if (cached?.tag === tag) return cached;
    const bytes = await readFile(path);
    const index = new SubordinateIndex(parseSubordinateIds(bytes.toString('utf8')));
    const fresh = { tag, chunks: [bytes], size: bytes.length, index };
    this.#cache.set(name, fresh);
    return fresh;
  }
}

// A file's next version after `change`, and what to do once it is written; null when nothing
// changes. An addition alone appends to the bytes as they were; a removal or a rename
// renders every line.
function getNext(
  current: Cached,
  change: SubordinateChange,
  space: SubordinateSpace,
): (Omit<Cached, 'tag'> & { commit: () => void; appended: Buffer | null }) | null {
  if (change.removed.size > 0 || change.renamed.size > 0) {
    const text = Buffer.concat(current.chunks, current.size).toString('utf8');
    const next = changeSubordinateLines(text, parseSubordinateIds(text), change, space);
    if (!next) return null;
    const bytes = Buffer.from(next.text, 'utf8');
    return {
      chunks: [bytes],
      size: bytes.length,
      index: new SubordinateIndex(next.lines),
      commit: () => {},
      appended: null,
    };
  }
  const { added, commit } = current.index.allocate(change.added, space);
  if (added.length === 0) return null;
  // A last line without its newline gets one, as changeSubordinateLines gives it.
  const last = current.chunks.at(-1);
  let text = last !== undefined && last.length > 0 && last[last.length - 1] !== 10 ? '\n' : '';
  // Encoded a thousand lines at a time: a bulk create's one string went to the old generation.
  const pieces: Buffer[] = [];
  added.forEach((range, position) => {
    text += `${range.owner}:${range.start}:${range.count}\n`;
    if (position % 1000 === 999) {
      pieces.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  });
  if (text !== '') pieces.push(Buffer.from(text, 'utf8'));
  const appended = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  const chunks = [...current.chunks, appended];
  const size = current.size + appended.length;
  return {
    chunks: chunks.length > maxChunks ? [Buffer.concat(chunks, size)] : chunks,
    size,
    index: current.index,
    appended,
    commit,
  };
}
