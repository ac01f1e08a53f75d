import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// A terminal for a test: a tmux server of its own (-L, so nothing else's sessions are seen or
// touched) running one command in a window of a fixed size; its screen read as text.
export interface TmuxTerminal {
  // The screen as shown now (the alternate screen while a program is in it); with `escapes`,
  // with the escape sequences of its colours and attributes.
  capture(escapes?: boolean): Promise<string>;
  sendKeys(...keys: string[]): Promise<void>;
  stop(): Promise<void>;
}

// Starts `command` (an argument array, each one quoted for tmux's shell) in a new terminal;
// when it ends, the terminal shows `EXITED:<status>` and stays open for the test to read.
export async function startTmux(
  name: string,
  command: string[],
  size = { columns: 120, rows: 40 },
): Promise<TmuxTerminal> {
  const quoted = command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  const tmux = (...args: string[]) => run('tmux', ['-L', name, ...args], { env: { ...process.env, TMUX: '' } });
  await tmux(
    ...['new-session', '-d', '-s', 'test', '-x', String(size.columns), '-y', String(size.rows)],
    `${quoted}; echo EXITED:$?; sleep 600`,
  );
  return {
    capture: async (escapes = false) =>
      (await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'test')).stdout,
    sendKeys: async (...keys) => {
      await tmux('send-keys', '-t', 'test', ...keys);
    },
    stop: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}

// Waits until the screen satisfies `check` (every 50 ms, up to `timeoutMs`); the screen then.
export async function waitForScreen(
  terminal: TmuxTerminal,
  check: (screen: string) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await terminal.capture();
    if (check(screen)) return screen;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
