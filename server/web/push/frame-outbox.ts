import type { WebSocket } from 'ws';

// Bytes of a frame written at a time: a TLS record's most.
export const fragmentBytes = 16 * 1024;

// Sends one socket's frames in order. A frame larger than fragmentBytes goes as fragments of
// one WebSocket message, each written once the one before has reached the connection, and
// the frames sent meanwhile wait their turn. Written at once, a large frame was encrypted
// whole into the TLS socket's buffers, which then stayed: 1,000 status pages coming back
// together, each sent 10 minutes of history (160 KiB), held 210 KiB a socket, 165 MiB more
// than in 16 KiB fragments (bench/README.md, twelfth session).
export class FrameOutbox {
  readonly #socket: WebSocket;
  readonly #waiting: Buffer[] = [];
  // Bytes not yet handed to the socket: the frames waiting, and the rest of the one being sent.
  #heldBytes = 0;
  #sending = false;

  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  // What this socket holds that its reader has not taken: here, and in the socket itself.
  get bufferedBytes(): number {
    return this.#heldBytes + this.#socket.bufferedAmount;
  }

  // Sends `frame` (a text message) after the frames before it.
  send(frame: Buffer): void {
    if (this.#sending) {
      this.#waiting.push(frame);
      this.#heldBytes += frame.length;
      return;
    }
    this.#write(frame);
  }

  #write(frame: Buffer): void {
    if (frame.length <= fragmentBytes) {
      this.#socket.send(frame, { binary: false });
      return;
    }
    this.#sending = true;
    this.#heldBytes += frame.length;
    let offset = 0;
    const next = (error?: Error) => {
      if (error || this.#socket.readyState !== this.#socket.OPEN) {
        // Closed: nothing more goes out.
        this.#waiting.length = 0;
        this.#heldBytes = 0;
        return;
      }
      if (offset === frame.length) {
        this.#sending = false;
        this.#sendWaiting();
        return;
      }
      const end = Math.min(frame.length, offset + fragmentBytes);
      const fragment = frame.subarray(offset, end);
      this.#heldBytes -= end - offset;
      offset = end;
      this.#socket.send(fragment, { binary: false, fin: end === frame.length }, next);
    };
    next();
  }

  #sendWaiting(): void {
    while (!this.#sending && this.#waiting.length > 0) {
      const frame = this.#waiting.shift()!;
      this.#heldBytes -= frame.length;
      this.#write(frame);
    }
  }
}
