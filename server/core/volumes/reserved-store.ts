import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

// Most UUIDs kept: a marker per volume an admin reserved; a file grown past this is not ours.
const maxReserved = 10_000;

// Licorn's "reserved" markers, kept by filesystem UUID (a volume keeps it whatever device name
// or port it gets next time) in a small JSON file: `{ "reserved": ["<uuid>", …] }`.
export class ReservedStore {
  readonly file: string;
  #uuids = new Set<string>();

  constructor(file: string) {
    this.file = file;
  }

  // Reads the file; an absent one means nothing is reserved. A malformed one is an error
  // naming the file (silently dropping the markers would let backups' disks be auto-mounted).
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const parsed = JSON.parse(text) as { reserved?: unknown };
    const list = parsed.reserved;
    if (!Array.isArray(list) || list.length > maxReserved || !list.every((uuid) => typeof uuid === 'string')) {
      throw new Error(`${this.file}: "reserved" must be a list of at most ${maxReserved} UUIDs`);
    }
    this.#uuids = new Set(list as string[]);
  }

  has(uuid: string | null): boolean {
    return uuid !== null && this.#uuids.has(uuid);
  }

  // Sets or clears a marker and writes the file atomically (temporary file, fsync, rename)
  // before resolving: the caller emits its event only then.
  async set(uuid: string, reserved: boolean): Promise<void> {
    const next = new Set(this.#uuids);
    if (reserved) next.add(uuid);
    else next.delete(uuid);
    if (next.size > maxReserved) throw new Error(`at most ${maxReserved} volumes may be reserved`);
    await mkdir(dirname(this.file), { recursive: true, mode: 0o750 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o640);
    try {
      await handle.writeFile(JSON.stringify({ reserved: [...next].sort() }, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    this.#uuids = next;
  }
}
