import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createTerminalScreen, type TerminalScreen } from '../../../server/core/terminal/terminal-screen.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function getHeapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function write(screen: TerminalScreen, data: string): Promise<void> {
  return new Promise((resolve) => screen.write(data, resolve));
}

// Lines of `perLine` unique hyperlinks (OSC 8), each with its own id.
function getLinkLines(from: number, lines: number, perLine: number): string {
  const out: string[] = [];
  for (let line = from; line < from + lines; line += 1) {
    for (let i = 0; i < perLine; i += 1) {
      const n = line * 1000 + i;
      out.push(`\x1b]8;id=${n};https://e.x/${n}\x1b\\ab `);
    }
    out.push('\x1b]8;;\x1b\\\r\n');
  }
  return out.join('');
}

describe("the server's screen of a terminal", () => {
  it('keeps no state for hyperlinks, titles or colours beyond its scrollback', async () => {
    // 500 × 200 and 174 lines of scrollback (terminal.scrollback's 1 MiB at 500 columns).
    const screen = createTerminalScreen(500, 200, 174);
    try {
      // The buffer full of plain lines first: what it costs anyway.
      await write(screen, `${'x'.repeat(499)}\r\n`.repeat(400));
      const before = getHeapUsed();
      // 50,000 unique links (37,400 on the screen and its scrollback at the end), and titles.
      for (let chunk = 0; chunk < 5; chunk += 1) {
        await write(screen, getLinkLines(1000 + chunk * 100, 100, 100));
        await write(screen, `\x1b]2;${'t'.repeat(100_000)}${chunk}\x07\x1b]4;1;rgb:ff/00/00\x07`);
      }
      const grown = getHeapUsed() - before;
      // Each link kept costs kilobytes (its entry, a marker per line and their listeners):
      // over 100 MB for those on the screen. Dropped, the cells stay what they cost.
      expect(grown).toBeLessThan(8 * 1024 * 1024);
      // The text is still drawn (the links are dropped, not what they show).
      const last = screen.buffer.active.getLine(screen.buffer.active.length - 2)?.translateToString(true);
      expect(last).toMatch(/^ab ab ab/);
    } finally {
      screen.dispose();
    }
  });
});
