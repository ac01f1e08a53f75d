import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import type { Terminal, TerminalViewer } from '../../core/terminal/terminal.ts';
import type { TerminalManager } from '../../core/terminal/terminal-manager.ts';
import { terminalSize } from '../../core/terminal/terminal-limits.ts';
import { TokenBucket } from '../push/token-bucket.ts';
import { createTerminalFrame, parseTerminalRequest } from './terminal-frames.ts';
import {
  frameBurst,
  framesPerSecond,
  inputBurstBytes,
  inputBytesPerSecond,
  inputMinimumFrameBytes,
  terminalCloseCodes,
} from './terminal-socket-limits.ts';

export interface TerminalSocketOptions {
  terminal: Terminal;
  terminals: TerminalManager;
  // The session's login as it stands now, or null once it has ended; `use` marks it used
  // (keystrokes and resizes do, acknowledgements do not: a program printing in a terminal
  // left open must not keep its session from idling out).
  getLogin(use: boolean): string | null;
  log: FastifyBaseLogger;
}

// Why a terminal ended, as the page shows it.
const endCodes: Record<string, number> = { 'attached-elsewhere': terminalCloseCodes.attachedElsewhere };

// Joins a page's socket to its terminal: output as binary frames (flow-controlled by the
// terminal), keystrokes, resizes and acknowledgements back. Every frame reads the session
// and the account's rights again: an ended session closes the socket (its terminals are
// killed by the session-closed event), lost rights kill the terminal.
export function handleTerminalSocket(socket: WebSocket, options: TerminalSocketOptions): void {
  const { terminal, terminals } = options;
  const input = new TokenBucket(inputBurstBytes, inputBytesPerSecond);
  const frames = new TokenBucket(frameBurst, framesPerSecond);
  let closed = false;
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    terminal.detach(viewer);
    socket.close(code, reason);
  };
  const viewer: TerminalViewer = {
    send(kind, data, sent) {
      if (socket.readyState !== socket.OPEN) return sent();
      socket.send(createTerminalFrame(kind, data), { binary: true }, () => sent());
    },
    getBufferedAmount: () => socket.bufferedAmount,
    end(reason, exitCode) {
      if (closed || socket.readyState !== socket.OPEN) return;
      socket.send(createTerminalFrame('ended', JSON.stringify({ reason, exitCode })), { binary: true });
      closed = true;
      socket.close(endCodes[reason] ?? terminalCloseCodes.ended, reason.slice(0, 100));
    },
  };
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (closed) return;
    if (!frames.take()) {
      options.log.warn({ terminal: terminal.id }, 'terminal frames past their rate: socket closed');
      return close(terminalCloseCodes.abuse, 'too many frames');
    }
    if (!isBinary || !Buffer.isBuffer(data)) return close(terminalCloseCodes.unsupported, 'binary frames only');
    const request = parseTerminalRequest(data);
    if (!request) return close(terminalCloseCodes.abuse, 'malformed frame');
    const login = options.getLogin(request.kind !== 'acknowledge');
    if (!login) return close(terminalCloseCodes.sessionEnded, 'session ended');
    const refusal = terminals.getRefusal(login);
    if (refusal) {
      void terminal.kill('rights-lost');
      return close(terminalCloseCodes.refused, 'no terminal for this account');
    }
    if (request.kind === 'input') {
      if (!input.take(Math.max(inputMinimumFrameBytes, request.data.length))) {
        options.log.warn({ login, terminal: terminal.id }, 'terminal input past its rate: socket closed');
        return close(terminalCloseCodes.abuse, 'input too fast');
      }
      terminal.write(request.data);
      // Not read further while the shell does not read: it holds the page's socket, not the
      // daemon's memory.
      const blocked = terminal.getInputBlocked();
      if (blocked) {
        socket.pause();
        void blocked.then(() => {
          if (!closed) socket.resume();
        });
      }
    } else if (request.kind === 'resize') {
      const { minCols, maxCols, minRows, maxRows } = terminalSize;
      const cols = Math.min(maxCols, Math.max(minCols, request.cols));
      const rows = Math.min(maxRows, Math.max(minRows, request.rows));
      terminal.resize(cols, rows);
    } else {
      terminal.acknowledge(request.bytes);
    }
  });
  socket.on('close', () => {
    closed = true;
    terminal.detach(viewer);
  });
  // A socket closed while the screen was caught up must not stay the terminal's viewer.
  void terminal.attach(viewer).then(() => {
    if (closed) terminal.detach(viewer);
  });
}
