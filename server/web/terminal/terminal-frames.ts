// The terminal socket's binary frames: one kind byte, then the payload. Text frames are refused.

// Page → daemon.
export const inputKinds = { input: 0, resize: 1, acknowledge: 2 } as const;
// Daemon → page.
export const outputKinds = { output: 0, redraw: 1, ended: 2 } as const;

// A page's frame, read; null when malformed (the socket is closed for it).
export type TerminalRequest =
  | { kind: 'input'; data: Buffer }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'acknowledge'; bytes: number };

// Reads one binary frame from the page.
export function parseTerminalRequest(frame: Buffer): TerminalRequest | null {
  if (frame.length < 1) return null;
  const kind = frame[0];
  if (kind === inputKinds.input) return frame.length > 1 ? { kind: 'input', data: frame.subarray(1) } : null;
  if (kind === inputKinds.resize && frame.length === 5) {
    return { kind: 'resize', cols: frame.readUInt16BE(1), rows: frame.readUInt16BE(3) };
  }
  if (kind === inputKinds.acknowledge && frame.length === 5)
    return { kind: 'acknowledge', bytes: frame.readUInt32BE(1) };
  return null;
}

// A frame for the page: output bytes, the redraw of the screen, or why the terminal ended.
export function createTerminalFrame(kind: keyof typeof outputKinds, data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const frame = Buffer.allocUnsafe(body.length + 1);
  frame[0] = outputKinds[kind];
  frame.set(body, 1);
  return frame;
}
