// The terminal socket's binary frames (server/web/terminal/terminal-frames.ts): a kind byte,
// then the payload. Frames to the daemon stay under its 4 KiB frame limit.

export const inputKinds = { input: 0, resize: 1, acknowledge: 2 } as const;
export const outputKinds = { output: 0, redraw: 1, ended: 2 } as const;

// Keystrokes and pastes are cut into frames of at most this many bytes.
const maxInputBytes = 4000;
const encoder = new TextEncoder();

// The frames that carry `text` typed or pasted.
export function createInputFrames(text: string, binary = false): Uint8Array<ArrayBuffer>[] {
  const bytes = binary ? Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff) : encoder.encode(text);
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let start = 0; start < bytes.length; start += maxInputBytes) {
    const piece = bytes.subarray(start, start + maxInputBytes);
    const frame = new Uint8Array(piece.length + 1);
    frame[0] = inputKinds.input;
    frame.set(piece, 1);
    frames.push(frame);
  }
  return frames;
}

// A resize, or an acknowledgement of bytes drawn.
export function createControlFrame(kind: 'resize' | 'acknowledge', first: number, second = 0): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(5);
  const view = new DataView(frame.buffer);
  frame[0] = inputKinds[kind];
  if (kind === 'resize') {
    view.setUint16(1, first);
    view.setUint16(3, second);
  } else view.setUint32(1, first);
  return frame;
}
