// Flow control of a terminal's output (terminal.ts). The pty is paused once any of the three
// queues behind it (the socket's unsent bytes, bytes the page has not yet drawn, bytes the
// server's screen has not yet parsed) holds more than highWaterBytes, and resumed when all are
// under lowWaterBytes: enough in flight to keep a fast link busy (a few round trips of a LAN at
// xterm's parsing rate), little enough that 8 terminals running `yes` cost the daemon a few MiB.
export const terminalFlow = {
  highWaterBytes: 256 * 1024,
  lowWaterBytes: 64 * 1024,
  // A terminal no page shows reads at most this much a second (its screen's parsing costs
  // the daemon's event loop; a program printing more waits, as on a slow link).
  detachedBytesPerSecond: 1024 * 1024,
};

// A shell that does not read its input: what the page typed is written again this much later.
export const inputRetryMs = 20;

// A redraw is sent in pieces of this size, the first as the redraw frame, the others as
// output the page acknowledges (flow control).
export const redrawChunkBytes = 64 * 1024;

// A resize (which reflows the scrollback) is applied at most this often.
export const resizeEveryMs = 100;

// Output batching (terminal.ts): reads within 4 ms of the last frame sent go together, up to
// 64 KiB; 4 ms is a quarter of a 60 Hz frame, unseen, and the first read after a pause (an
// echo) is never held.
export const outputBatch = { windowMs: 4, maxBytes: 64 * 1024 };

// What one cell of the headless screen costs: xterm keeps 3 32-bit words per cell.
const bytesPerCell = 12;

// Scrollback lines that fit `bytes` of screen memory at `cols` columns (at least 100, so a
// very wide terminal still keeps a screenful or four).
export function getScrollbackLines(bytes: number, cols: number): number {
  return Math.max(100, Math.floor(bytes / (bytesPerCell * Math.max(1, cols))));
}

// Bounds on what a page may ask of a terminal.
export const terminalSize = { minCols: 2, maxCols: 500, minRows: 1, maxRows: 200 };
