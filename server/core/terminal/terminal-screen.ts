import headless from '@xterm/headless';

const { Terminal: ScreenTerminal } = headless;

// The server's copy of a terminal's screen (a headless xterm).
export type TerminalScreen = InstanceType<typeof ScreenTerminal>;

// OSC sequences the server's screen swallows: what they set lives outside the cell buffer
// and is not bounded by its scrollback, and the redraw (serialize) keeps none of it.
// 8: hyperlinks — each unique link is an entry kept while any cell refers to it, and cells
//    scrolled out do not release theirs (150 k links cost the daemon 400 MB, never freed);
// 0, 1, 2: the window and icon titles (nobody reads them on the server);
// 4, 10–19, 104, 110–119: colour queries and changes (answers go nowhere, the page's own
//    xterm answers the program).
// Each is still cut by xterm's OSC payload limit (10 MB per sequence, one at a time).
const swallowedOsc = [
  0, 1, 2, 4, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 104, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119,
];

// Creates the server's screen for a terminal: cols × rows and `scrollback` lines, with no
// state that grows beyond them (swallowedOsc).
export function createTerminalScreen(cols: number, rows: number, scrollback: number): TerminalScreen {
  const screen = new ScreenTerminal({ cols, rows, scrollback, allowProposedApi: true });
  for (const ident of swallowedOsc) screen.parser.registerOscHandler(ident, () => true);
  return screen;
}
