import { writeSync } from 'node:fs';
import { spawn, type IPty } from 'node-pty';
import serialize from '@xterm/addon-serialize';
import type { ShellCommand } from './shell-command.ts';
import type { CoreMessage } from '../messages.ts';
import { markDescriptorsCloseOnExec } from '../../native/native.ts';
import { killSession } from './session-processes.ts';
import { createTerminalScreen, type TerminalScreen } from './terminal-screen.ts';
import {
  getScrollbackLines,
  inputRetryMs,
  outputBatch,
  redrawChunkBytes,
  resizeEveryMs,
  terminalFlow,
} from './terminal-limits.ts';

// Who shows a terminal: the page's socket, as the core sees it.
export interface TerminalViewer {
  // Sends output bytes, or the screen's redraw; `sent` runs once they left the daemon.
  send(kind: 'output' | 'redraw', data: Uint8Array | string, sent: () => void): void;
  // Bytes sent but not yet handed to the network (the socket's bufferedAmount).
  getBufferedAmount(): number;
  // The terminal ended (its shell exited, or it was killed: `reason`), or another page took it.
  end(reason: string, exitCode: number | null): void;
}

export interface TerminalOptions {
  id: string;
  login: string;
  sessionId: string;
  cols: number;
  rows: number;
  scrollbackBytes: number;
  keepMs: number;
  // Called once when the terminal has ended, with why.
  onEnd(terminal: Terminal, reason: string, exitCode: number | null): void;
}

// How long a new terminal waits for its page's first attach (the POST, then the socket).
const firstAttachMs = 30_000;

// One shell on a pty, which outlives its page: what it printed is kept on a headless xterm
// (its screen and a scrollback bounded in bytes), redrawn exactly when a page attaches again;
// it is killed `keepMs` after its page went away. Flow control end to end: the pty is paused
// while the page's socket holds more than the high-water mark unsent, while the page has not
// acknowledged (xterm's write callback) that much, or while the headless screen has that much
// to parse; it resumes under the low-water mark. Whatever the shell prints (`yes`, a `cat` of
// 100 MB), the daemon holds at most about those bounds per terminal.
export class Terminal {
  readonly id: string;
  readonly login: string;
  readonly sessionId: string;
  readonly runsAs: string;
  readonly description: CoreMessage;
  readonly pid: number;
  readonly createdAt = Date.now();
  readonly #options: TerminalOptions;
  readonly #command: ShellCommand;
  readonly #pty: IPty;
  readonly #screen: TerminalScreen;
  readonly #serializer = new serialize.SerializeAddon();
  #viewer: TerminalViewer | null = null;
  #keepTimer: NodeJS.Timeout | null = null;
  #unacknowledged = 0;
  #unparsed = 0;
  #paused = false;
  #ended = false;
  #attaching = 0;
  // Output read but not yet passed on (batched: see #handleOutput).
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #flushTimer: NodeJS.Timeout | null = null;
  #lastFlushAt = 0;
  #wantedSize: { cols: number; rows: number } | null = null;
  #resizeTimer: NodeJS.Timeout | null = null;
  #lastResizeAt = 0;
  // Bytes read while no page shows the terminal, this second (detachedBytesPerSecond).
  #detachedBudget = { second: 0, bytes: 0 };
  #budgetTimer: NodeJS.Timeout | null = null;
  // Keystrokes not yet written to the pty, merged (write()).
  #input: Buffer[] = [];
  #inputBytes = 0;
  #inputTimer: NodeJS.Timeout | null = null;
  #inputWaiters: (() => void)[] = [];
  #inputBlocked = false;
  // Bytes read since the page left (paused at terminal.scrollback: #isOverDetachedBudget).
  #readSinceDetach = 0;
  #bytesRead = 0;
  // The redraw's bytes not yet sent (attach()).
  #redrawRest: Buffer | null = null;

  constructor(command: ShellCommand, options: TerminalOptions) {
    this.id = options.id;
    this.login = options.login;
    this.sessionId = options.sessionId;
    this.runsAs = command.runsAs;
    this.description = command.description;
    this.#options = options;
    this.#command = command;
    const { cols, rows } = options;
    this.#screen = createTerminalScreen(cols, rows, getScrollbackLines(options.scrollbackBytes, cols));
    this.#screen.loadAddon(this.#serializer as never);
    // node-pty's forkpty closes nothing in the child: a descriptor not close-on-exec (one
    // the daemon's launcher left open) would reach the shell. Marked just before each fork,
    // so one a library opened since the last terminal is caught too.
    markDescriptorsCloseOnExec();
    this.#pty = spawn(command.file, command.args, {
      name: command.env.TERM,
      cols,
      rows,
      cwd: command.cwd,
      env: command.env,
      encoding: null,
    });
    this.pid = this.#pty.pid;
    this.#pty.onData((data) => this.#handleOutput(data as unknown as Buffer));
    this.#pty.onExit(({ exitCode }) => void this.kill('exited', exitCode));
    // The page that opened it has firstAttachMs to attach, even with terminal.keep = 0.
    this.#startKeepTimer(Math.max(firstAttachMs, options.keepMs));
  }

  // Bytes read from the pty so far.
  get bytesRead(): number {
    return this.#bytesRead;
  }

  // Whether a page shows it now.
  get isAttached(): boolean {
    return this.#viewer !== null;
  }

  // Shows the terminal on `viewer`: the screen and scrollback as they are, then what follows.
  // A page that held it already is told it was taken over.
  async attach(viewer: TerminalViewer): Promise<void> {
    if (this.#ended) {
      viewer.end('ended', null);
      return;
    }
    const previous = this.#viewer;
    this.#viewer = null;
    this.#redrawRest = null;
    previous?.end('attached-elsewhere', null);
    this.#stopKeepTimer();
    // Paused while the screen catches up, so nothing printed meanwhile is missing from both
    // the redraw and the stream that follows it.
    this.#flush();
    this.#attaching += 1;
    this.#updateFlow();
    await new Promise<void>((resolve) => this.#screen.write('', resolve));
    this.#attaching -= 1;
    if (this.#ended) {
      viewer.end('ended', null);
      return;
    }
    // Another page may have attached while this one waited.
    (this.#viewer as TerminalViewer | null)?.end('attached-elsewhere', null);
    this.#viewer = viewer;
    this.#unacknowledged = 0;
    this.#readSinceDetach = 0;
    // A screen of truecolour cells serializes to megabytes: the first piece goes as the
    // redraw, the rest as output under the same flow control (the page acknowledges it),
    // the pty paused until it all went.
    const redraw = Buffer.from(this.#serializer.serialize(), 'utf8');
    this.#redrawRest = redraw.length > redrawChunkBytes ? redraw.subarray(redrawChunkBytes) : null;
    viewer.send('redraw', redraw.subarray(0, redrawChunkBytes), () => this.#updateFlow());
    this.#updateFlow();
  }

  // Sends what is left of the redraw, a piece at a time while the page keeps up.
  #sendRedrawRest(viewer: TerminalViewer): void {
    while (this.#redrawRest && this.#getHeld() < terminalFlow.highWaterBytes) {
      const piece = this.#redrawRest.subarray(0, redrawChunkBytes);
      this.#redrawRest = this.#redrawRest.length > piece.length ? this.#redrawRest.subarray(piece.length) : null;
      this.#unacknowledged += piece.length;
      viewer.send('output', piece, () => this.#updateFlow());
    }
    // Output read meanwhile follows the redraw.
    if (!this.#redrawRest && this.#pendingBytes > 0) this.#flush();
  }

  #getHeld(): number {
    return Math.max(this.#viewer?.getBufferedAmount() ?? 0, this.#unacknowledged, this.#unparsed);
  }

  // The page went away: the shell keeps running for keepMs.
  detach(viewer: TerminalViewer): void {
    if (this.#viewer !== viewer) return;
    this.#viewer = null;
    this.#unacknowledged = 0;
    this.#redrawRest = null;
    this.#readSinceDetach = 0;
    this.#updateFlow();
    this.#startKeepTimer();
  }

  // Keystrokes (and pastes) from the page: written to the pty at once when nothing waits (a
  // keystroke reaches the shell in this turn of the event loop, not the next); else merged
  // with what waits for the shell to read, in order.
  write(data: Buffer): void {
    if (this.#ended) return;
    this.#input.push(data);
    this.#inputBytes += data.length;
    if (!this.#inputTimer) this.#writeInput();
  }

  // While the shell does not read what was typed (the pty's input queue is full): a promise
  // of the moment it all went (or the terminal ended); else null. The page's socket is not
  // read meanwhile (terminal-socket.ts).
  getInputBlocked(): Promise<void> | null {
    if (!this.#inputBlocked || this.#ended) return null;
    return new Promise((resolve) => this.#inputWaiters.push(resolve));
  }

  // node-pty queues every write and, while the shell does not read, retries it at each turn
  // of the event loop (setImmediate on EAGAIN): a flood of 1-byte frames became thousands of
  // queued buffers and a spinning loop. Written here instead, straight to the pty (non-
  // blocking: one system call per frame, which the socket's frame rate bounds); what does not
  // fit waits inputRetryMs, what comes meanwhile is merged with it.
  #writeInput(): void {
    this.#inputTimer = null;
    if (this.#ended || this.#inputBytes === 0) return this.#endInput();
    const data = this.#input.length === 1 ? this.#input[0]! : Buffer.concat(this.#input, this.#inputBytes);
    let written = 0;
    try {
      written = writeSync((this.#pty as unknown as { fd: number }).fd, data);
    } catch (error) {
      // The shell does not read (EAGAIN): try again later. Anything else: the pty is gone.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return this.#endInput();
    }
    const rest = data.subarray(written);
    this.#input = rest.length > 0 ? [rest] : [];
    this.#inputBytes = rest.length;
    if (rest.length === 0) return this.#endInput();
    this.#inputBlocked = true;
    this.#inputTimer = setTimeout(() => this.#writeInput(), inputRetryMs);
  }

  #endInput(): void {
    this.#inputBlocked = false;
    this.#input = [];
    this.#inputBytes = 0;
    const waiters = this.#inputWaiters;
    this.#inputWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // The page's size changed. A resize reflows the whole scrollback (up to terminal.scrollback
  // of cells): applied at most every resizeEveryMs, the last size asked winning, so a page
  // sending resizes in a loop costs little.
  resize(cols: number, rows: number): void {
    if (this.#ended) return;
    this.#wantedSize = { cols, rows };
    if (this.#resizeTimer) return;
    const wait = this.#lastResizeAt + resizeEveryMs - performance.now();
    if (wait <= 0) this.#applySize();
    else this.#resizeTimer = setTimeout(() => this.#applySize(), wait);
  }

  #applySize(): void {
    this.#resizeTimer = null;
    const size = this.#wantedSize;
    if (this.#ended || !size) return;
    this.#wantedSize = null;
    this.#lastResizeAt = performance.now();
    this.#pty.resize(size.cols, size.rows);
    this.#screen.resize(size.cols, size.rows);
    this.#screen.options.scrollback = getScrollbackLines(this.#options.scrollbackBytes, size.cols);
  }

  // The page's xterm has drawn `bytes` more.
  acknowledge(bytes: number): void {
    this.#unacknowledged = Math.max(0, this.#unacknowledged - bytes);
    this.#updateFlow();
  }

  // Ends the terminal: its whole Unix session is hung up (then killed), its page told why.
  async kill(reason: string, exitCode: number | null = null): Promise<void> {
    if (this.#ended) return;
    // What the shell printed last (its goodbye) still reaches the page and the screen.
    this.#flush();
    this.#ended = true;
    this.#stopKeepTimer();
    if (this.#resizeTimer) clearTimeout(this.#resizeTimer);
    if (this.#budgetTimer) clearTimeout(this.#budgetTimer);
    if (this.#inputTimer) clearTimeout(this.#inputTimer);
    this.#endInput();
    const viewer = this.#viewer;
    this.#viewer = null;
    viewer?.end(reason, exitCode);
    this.#options.onEnd(this, reason, exitCode);
    await killSession(this.pid);
    try {
      this.#pty.kill('SIGKILL');
    } catch {
      // already reaped
    }
    this.#screen.dispose();
    await this.#command.removeScratch();
  }

  // A pty gives its output in reads of 1–4 KiB: under a flood (`cat`, `yes`) each becoming a
  // frame, a screen write and an acknowledgement costs more than the bytes. The first read
  // after a quiet moment goes at once (a keystroke's echo waits for nothing); reads that
  // follow within outputBatch.windowMs are passed on together, up to outputBatch.maxBytes.
  #handleOutput(data: Buffer): void {
    if (this.#ended) return;
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    this.#bytesRead += data.length;
    if (this.#flushTimer) {
      if (this.#pendingBytes >= outputBatch.maxBytes) this.#flush();
      return;
    }
    const wait = this.#lastFlushAt + outputBatch.windowMs - performance.now();
    if (wait <= 0) this.#flush();
    else this.#flushTimer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pendingBytes === 0 || this.#ended || this.#redrawRest) return;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#lastFlushAt = performance.now();
    if (!this.#viewer) {
      this.#detachedBudget.bytes += data.length;
      this.#readSinceDetach += data.length;
    }
    this.#unparsed += data.length;
    this.#screen.write(data, () => {
      this.#unparsed -= data.length;
      this.#updateFlow();
    });
    const viewer = this.#viewer;
    if (viewer) {
      this.#unacknowledged += data.length;
      viewer.send('output', data, () => this.#updateFlow());
    }
    this.#updateFlow();
  }

  // Pauses or resumes the pty by the high- and low-water marks (terminal-limits.ts).
  #updateFlow(): void {
    if (this.#ended) return;
    if (this.#redrawRest && this.#viewer) this.#sendRedrawRest(this.#viewer);
    const held = this.#getHeld();
    const waiting = this.#attaching > 0 || this.#redrawRest !== null || this.#isOverDetachedBudget();
    if (!this.#paused && (held > terminalFlow.highWaterBytes || waiting)) {
      this.#paused = true;
      this.#pty.pause();
    } else if (this.#paused && held < terminalFlow.lowWaterBytes && !waiting) {
      this.#paused = false;
      this.#pty.resume();
    }
  }

  // Whether a terminal no page shows has read its share of this second, or a whole
  // scrollback since its page left: what it prints then only feeds the server's screen, and
  // a `yes` left running must not take a core of the daemon for terminal.keep. The first is
  // rechecked at the next second, the second at the next attach.
  #isOverDetachedBudget(): boolean {
    if (this.#viewer) return false;
    // Once it printed a whole scrollback since its page left, what follows would only push
    // that out of the screen: paused until a page attaches (like a terminal under Ctrl-S).
    if (this.#readSinceDetach >= this.#options.scrollbackBytes) return true;
    const second = Math.floor(performance.now() / 1000);
    if (this.#detachedBudget.second !== second) this.#detachedBudget = { second, bytes: 0 };
    if (this.#detachedBudget.bytes < terminalFlow.detachedBytesPerSecond) return false;
    if (!this.#budgetTimer) {
      const wait = (second + 1) * 1000 - performance.now() + 1;
      this.#budgetTimer = setTimeout(() => {
        this.#budgetTimer = null;
        this.#updateFlow();
      }, wait);
    }
    return true;
  }

  #startKeepTimer(ms = this.#options.keepMs): void {
    this.#stopKeepTimer();
    this.#keepTimer = setTimeout(() => void this.kill('kept-too-long'), ms);
    this.#keepTimer.unref();
  }

  #stopKeepTimer(): void {
    if (this.#keepTimer) clearTimeout(this.#keepTimer);
    this.#keepTimer = null;
  }
}
