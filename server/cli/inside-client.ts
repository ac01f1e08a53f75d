import { connect } from 'node:net';
import { getTerminalText } from '../core/text/terminal-text.ts';
import { getSizeSequence } from '../web/local/inside-input.ts';

// The streams runInside() talks through (the process's own by default; tests give theirs).
export interface InsideStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & {
    columns?: number;
    rows?: number;
    on(event: 'resize', listener: () => void): unknown;
  };
  stderr: NodeJS.WritableStream;
}

// `licorn get inside`: opens a REPL in the daemon over its inside socket (root only) and
// connects the terminal to it: stdin in raw mode (the REPL edits lines, completes, keeps
// history), the window size sent at start and at every change. Resolves with the exit
// status: 0 when the REPL ends (.exit, Ctrl-D), 1 when the daemon refuses or cannot be reached.
export function runInside(socketPath: string, streams: InsideStreams = process): Promise<number> {
  const { stdin, stdout, stderr } = streams;
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let answered = false;
    let head = '';
    let raw = false;
    const onResize = () => socket.write(getSizeSequence(stdout.columns ?? 80, stdout.rows ?? 24));
    const finish = (code: number) => {
      if (raw) stdin.setRawMode?.(false);
      stdin.unpipe(socket);
      stdin.pause();
      (stdout as NodeJS.EventEmitter).off('resize', onResize);
      socket.destroy();
      resolve(code);
    };
    socket.once('connect', () => {
      socket.write(`${JSON.stringify({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 })}\n`);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return finish(0);
      const why = error.code === 'EACCES' ? 'permission denied: get inside is for root only' : error.code;
      stderr.write(`licorn: cannot reach licornd's inside socket ${socketPath} (${why ?? error.message})\n`);
      finish(1);
    });
    socket.on('data', (chunk: Buffer) => {
      if (answered) return void stdout.write(chunk);
      head += chunk.toString('utf8');
      const end = head.indexOf('\n');
      if (end < 0) return;
      const [line, rest] = [head.slice(0, end), head.slice(end + 1)];
      if (line !== 'ok') {
        stderr.write(`licorn: ${getTerminalText(line.replace(/^error: /, ''))}\n`);
        return finish(1);
      }
      answered = true;
      if (rest) stdout.write(rest);
      if (stdin.isTTY && stdin.setRawMode) {
        stdin.setRawMode(true);
        raw = true;
      }
      stdout.on('resize', onResize);
      stdin.pipe(socket);
    });
    socket.on('close', () => finish(answered ? 0 : 1));
  });
}
