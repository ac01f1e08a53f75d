// Limits of one terminal socket, beyond the push channel's frame size (4 KiB, pastes are sent
// in pieces) and connection rate, which it shares.

// Keystrokes and pastes per socket (token bucket, bytes): a paste of 1 MiB at once, then
// 256 KiB/s; past it the socket is closed (4429). A pty's input queue cannot grow without end.
export const inputBurstBytes = 1024 * 1024;
export const inputBytesPerSecond = 256 * 1024;
// Each keystroke frame costs at least this much of that budget (a 1-byte frame costs a frame).
export const inputMinimumFrameBytes = 64;

// Frames of every kind per socket (token bucket): 1,000 at once, then 500 a second. A page
// sends far fewer (acknowledgements every 16 KiB or 20 ms, a resize per animation frame, a
// keystroke per key); a socket past it is closed (4429): each frame costs a parse, a session
// check and a rights check.
export const frameBurst = 1000;
export const framesPerSecond = 500;

// Close codes the page understands.
export const terminalCloseCodes = {
  // The terminal ended (exit, killed, kept too long): not reconnected.
  ended: 4000,
  // Another page of the session took the terminal over.
  attachedElsewhere: 4001,
  // Not logged in any more: the page goes to the login page.
  sessionEnded: 4401,
  // Its account may no longer hold a terminal.
  refused: 4403,
  // Sending faster than inputBytesPerSecond or framesPerSecond, or a frame it cannot read.
  abuse: 4429,
  unsupported: 1003,
} as const;
