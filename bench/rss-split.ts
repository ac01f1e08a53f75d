// Where a process's resident memory is (/proc/<pid>/smaps): mapped files (the node binary,
// its libraries), glibc's main heap (`[heap]`, malloc below its mmap threshold), and other
// anonymous memory (V8's heap pages, malloc's other arenas and large blocks, thread stacks).
import { readFile } from 'node:fs/promises';

// Resident MiB by kind of mapping.
export interface RssSplit {
  files: number;
  mallocHeap: number;
  anonymous: number;
  // Anonymous mappings by size class (MiB resident): V8 reserves its pages in 256 KiB chunks
  // and 128 MiB cages; malloc's arenas are 64 MiB reservations.
  largestAnonymous: { sizeMiB: number; rssMiB: number }[];
}

// Reads the split of `pid`'s resident memory.
export async function getRssSplit(pid: number): Promise<RssSplit> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  const split: RssSplit = { files: 0, mallocHeap: 0, anonymous: 0, largestAnonymous: [] };
  let kind: 'files' | 'mallocHeap' | 'anonymous' = 'anonymous';
  let size = 0;
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (mapping) {
      size = (Number.parseInt(mapping[2]!, 16) - Number.parseInt(mapping[1]!, 16)) / 2 ** 20;
      const path = mapping[4]!;
      kind = path === '[heap]' ? 'mallocHeap' : path.startsWith('/') ? 'files' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const mib = Number(rss[1]) / 1024;
    split[kind] += mib;
    if (kind === 'anonymous' && mib > 0) split.largestAnonymous.push({ sizeMiB: size, rssMiB: mib });
  }
  split.largestAnonymous.sort((a, b) => b.rssMiB - a.rssMiB);
  split.largestAnonymous = split.largestAnonymous.slice(0, 12);
  return split;
}
