import { open } from 'node:fs/promises';
import type { AuditEntry } from './audit-log.ts';

// What the Audit page asks for: entries whose actor, action and target hold these texts
// (case ignored), written on days `from` to `to` (YYYY-MM-DD, UTC, both included), older than
// the byte offset `before` (a page's cursor), at most `limit`.
export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  before?: number;
  limit: number;
  // The most bytes this page may read (maxScanBytes by default).
  scanLimit?: number;
}

// One page of entries, newest first; `next` is the cursor of the page after it (older), null
// at the start of the file; `searchedTo` the time of the oldest entry looked at when a page
// stopped early (its bytes read) without filling up.
export interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
  searchedTo: string | null;
}

// How much one request reads backwards: a chunk at a time, and at most this much in all (a
// filter nothing matches must not read a whole year's file per click: the page then offers
// to search further back).
const chunkBytes = 64 * 1024;
const maxScanBytes = 8 * 1024 * 1024;

// Reads the audit log backwards from `before` (the file's end by default) for the entries
// that match, so every entry of the file can be reached, a page at a time.
export async function readAuditPage(file: string, query: AuditQuery): Promise<AuditPage> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!handle) return { entries: [], next: null, searchedTo: null };
  try {
    const { size } = await handle.stat();
    const matches = getMatcher(query);
    const entries: AuditEntry[] = [];
    let end = Math.min(Math.max(0, query.before ?? size), size);
    // Bytes of a line cut by the chunk's start, carried to the next (older) chunk.
    let carry = Buffer.alloc(0);
    let scanned = 0;
    let oldest: string | null = null;
    while (end > 0 || carry.length > 0) {
      const start = Math.max(0, end - chunkBytes);
      const chunk = Buffer.alloc(end - start);
      await handle.read(chunk, 0, chunk.length, start);
      scanned += chunk.length;
      const text = Buffer.concat([chunk, carry]);
      // Line starts: after each newline; the first line of a chunk that does not begin the
      // file may be cut, and waits for the older bytes.
      let lineEnd = text.length;
      for (let index = text.length - 1; index >= -1; index -= 1) {
        if (index >= 0 && text[index] !== 0x0a) continue;
        if (index === -1 && start > 0) break;
        const line = text.subarray(index + 1, lineEnd).toString('utf8');
        const lineStart = start + index + 1;
        lineEnd = index;
        const entry = parseEntry(line);
        if (!entry) continue;
        oldest = entry.time;
        if (query.from && entry.time.slice(0, 10) < query.from) return { entries, next: null, searchedTo: null };
        if (!matches(entry)) continue;
        entries.push(entry);
        if (entries.length >= query.limit) return { entries, next: lineStart > 0 ? lineStart : null, searchedTo: null };
      }
      carry = start > 0 ? Buffer.from(text.subarray(0, Math.max(0, lineEnd))) : Buffer.alloc(0);
      end = start;
      if (start === 0) break;
      if (scanned >= (query.scanLimit ?? maxScanBytes))
        return { entries, next: start + carry.length, searchedTo: oldest };
    }
    return { entries, next: null, searchedTo: null };
  } finally {
    await handle.close();
  }
}

function getMatcher(query: AuditQuery): (entry: AuditEntry) => boolean {
  const holds = (value: string, wanted?: string) =>
    !wanted || value.toLowerCase().includes(wanted.trim().toLowerCase());
  return (entry) =>
    holds(entry.login, query.actor) &&
    holds(entry.action, query.action) &&
    holds(entry.target, query.target) &&
    (!query.to || entry.time.slice(0, 10) <= query.to);
}

// One line of the file as an entry; a line written by hand or cut by a crash is skipped.
function parseEntry(line: string): AuditEntry | null {
  if (!line) return null;
  try {
    const entry = JSON.parse(line) as AuditEntry;
    return typeof entry?.time === 'string' && typeof entry.action === 'string' ? entry : null;
  } catch {
    return null;
  }
}
