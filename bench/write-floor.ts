// The floor under a single create: the files a create at N accounts rewrites (passwd,
// shadow, subuid, subgid of a prepared root), written whole beside a copy, fsynced in
// parallel and renamed, as the store does, with no work of ours around it. What a create
// costs above this is ours; this part is the disk's (bench/README.md, eleventh session).
// Then the same create as an append in place (twelfth session): a journal of ~600 bytes
// written and fdatasynced, a line appended to each file, the files fdatasynced in parallel.
// Usage: node --import tsx bench/write-floor.ts <root with etc/passwd…> [rounds]
import {
  closeSync,
  copyFileSync,
  fdatasync,
  fsync,
  ftruncateSync,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const source = process.argv[2];
if (!source) throw new Error('usage: write-floor.ts <root> [rounds]');
const rounds = Number(process.argv[3] ?? 15);
const names = ['passwd', 'shadow', 'subuid', 'subgid'];
// On the same file system as the system's temporary files (where the benches' roots are).
const dir = mkdtempSync(join(tmpdir(), 'licorn-write-floor-'));
const files = names.map((name) => {
  copyFileSync(join(source, 'etc', name), join(dir, name));
  return readFileSync(join(dir, name));
});
const times: Record<'write' | 'fsync' | 'rename' | 'journal' | 'append', number[]> = {
  write: [],
  fsync: [],
  rename: [],
  journal: [],
  append: [],
};
const syncData = (fd: number) => new Promise((resolve) => fdatasync(fd, resolve));
try {
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    const fds = names.map((name, position) => {
      const fd = openSync(join(dir, `${name}+`), 'w');
      const bytes = files[position]!;
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      return fd;
    });
    const written = performance.now();
    await Promise.all(fds.map((fd) => new Promise((resolve) => fsync(fd, resolve))));
    const synced = performance.now();
    for (const fd of fds) closeSync(fd);
    for (const name of names) {
      rmSync(join(dir, `${name}-`), { force: true });
      linkSync(join(dir, name), join(dir, `${name}-`));
    }
    const renaming = performance.now();
    for (const name of names) renameSync(join(dir, `${name}+`), join(dir, name));
    times.write.push(written - started);
    times.fsync.push(synced - written);
    times.rename.push(performance.now() - renaming);
  }
  const journal = openSync(join(dir, 'journal'), 'w+');
  const line = Buffer.from(`append:x:1000:1000:An appended account of about seventy bytes:/home/append:/bin/sh\n`);
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    writeSync(journal, Buffer.alloc(600, 97), 0, 600, 0);
    await syncData(journal);
    const journaled = performance.now();
    const fds = names.map((name) => openSync(join(dir, name), 'a'));
    for (const fd of fds) writeSync(fd, line);
    await Promise.all(fds.map(syncData));
    for (const fd of fds) closeSync(fd);
    ftruncateSync(journal, 0);
    times.journal.push(journaled - started);
    times.append.push(performance.now() - journaled);
  }
  closeSync(journal);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!.toFixed(1);
const size = files.reduce((sum, bytes) => sum + bytes.length, 0);
process.stdout.write(
  `${(size / 1e6).toFixed(1)} MB in ${names.length} files: write ${median(times.write)} ms, ` +
    `fsync ${median(times.fsync)} ms, rename ${median(times.rename)} ms (medians of ${rounds}); ` +
    `as an append: journal ${median(times.journal)} ms, append and fdatasync ${median(times.append)} ms\n`,
);
