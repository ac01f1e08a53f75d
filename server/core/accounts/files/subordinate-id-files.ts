import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getFileTag, type FileTag } from '../account-database.ts';
import type { DatabaseLine } from '../database-lines.ts';
import type { LoginDefs } from '../parse-login-defs.ts';
import {
  changeSubordinateLines,
  parseSubordinateIds,
  type SubordinateChange,
  type SubordinateRange,
  type SubordinateSpace,
} from '../subordinate-ids.ts';
import { stageAccountFile, type StagedFile } from './write-account-file.ts';

// The two files, in the order useradd locks them after passwd, shadow, group and gshadow.
const subordinateNames = ['subuid', 'subgid'] as const;
type SubordinateName = (typeof subordinateNames)[number];

type Cached = { tag: FileTag; text: string; lines: DatabaseLine<SubordinateRange>[] };

// etc/subuid and etc/subgid of a root, read when their tag changes and kept parsed between
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

  // Stages `change` in the present files (call under their locks, after findPresent).
  // Returns each file staged, and what to remember once they are committed.
  async stage(
    change: SubordinateChange,
    defs: LoginDefs,
  ): Promise<{ staged: StagedFile[]; remember: () => Promise<void> }> {
    const spaces: Record<SubordinateName, SubordinateSpace> = {
      subuid: { min: defs.subUidMin, max: defs.subUidMax, count: defs.subUidCount },
      subgid: { min: defs.subGidMin, max: defs.subGidMax, count: defs.subGidCount },
    };
    const results = await Promise.allSettled(
      [...this.#present].map(async (name) => {
        const current = await this.#read(name);
        const next = changeSubordinateLines(current.text, current.lines, change, spaces[name]);
        if (!next) return null;
        return { name, next, file: await stageAccountFile(join(this.#etcDir, name), next.text) };
      }),
    );
    const changed = results.flatMap((result) =>
      result.status === 'fulfilled' && result.value !== null ? [result.value] : [],
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      for (const { file } of changed) file.discard();
      throw failed.reason;
    }
    return {
      staged: changed.map((file) => file.file),
      remember: async () => {
        for (const { name, next } of changed)
          this.#cache.set(name, { tag: await getFileTag(join(this.#etcDir, name)), ...next });
      },
    };
  }

  async #read(name: SubordinateName): Promise<Cached> {
    const path = join(this.#etcDir, name);
    const tag = await getFileTag(path);
    const cached = this.#cache.get(name);
    if (cached?.tag === tag) return cached;
    const text = await readFile(path, 'utf8');
    const fresh = { tag, text, lines: parseSubordinateIds(text) };
    this.#cache.set(name, fresh);
    return fresh;
  }
}
