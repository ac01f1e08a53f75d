import type { Output } from './output.ts';

const enterScreen = '\u001b[?1049h\u001b[?25l'; // the alternate screen, cursor hidden
const leaveScreen = '\u001b[?25h\u001b[?1049l'; // cursor shown, the screen as it was
const home = '\u001b[H';
const clearLine = '\u001b[K';
const clearBelow = '\u001b[J';

// Draws `getFrame()`'s lines every `intervalMs` until `q`, Ctrl-C (or SIGINT, SIGTERM), in
// place on a terminal (the alternate screen, as top does, left as it was on exit, whatever
// ended it); elsewhere (a pipe, a log) one frame after the other, until a signal.
export async function runMonitor(
  output: Output,
  getFrame: () => Promise<string[]>,
  options: { intervalMs?: number; input?: NodeJS.ReadStream } = {},
): Promise<void> {
  const intervalMs = options.intervalMs ?? 1000;
  const input = options.input ?? process.stdin;
  let wake: () => void = () => {};
  let stopped = false;
  const stop = () => {
    stopped = true;
    wake();
  };
  const onKey = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (text.includes('q') || text.includes('Q') || text.includes('\u0003')) stop();
  };
  const onTerminal = output.isTerminal;
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (input.isTTY) {
    input.setRawMode(true);
    input.on('data', onKey);
    input.resume();
  }
  if (onTerminal) output.write(enterScreen);
  try {
    while (!stopped) {
      const started = Date.now();
      const lines = await getFrame();
      if (stopped) break;
      const footer = input.isTTY ? ['', 'q or Ctrl-C to quit'] : [];
      if (onTerminal)
        output.write(`${home}${[...lines, ...footer].map((line) => line + clearLine).join('\n')}${clearBelow}`);
      else output.write(`${lines.join('\n')}\n${lines.length > 1 ? '\n' : ''}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started)));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    if (onTerminal) output.write(leaveScreen);
    if (input.isTTY) {
      input.off('data', onKey);
      input.setRawMode(false);
      input.pause();
    }
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
