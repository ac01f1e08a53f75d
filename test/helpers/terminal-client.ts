import WebSocket from 'ws';

// A terminal-socket client for tests and the bench: connects to /terminal/ws/<id> (self-signed
// certificate accepted for it only), keeps what the shell printed (as text) and the last
// redraw, acknowledges what it read unless told not to, and types.
export class TerminalClient {
  readonly socket: WebSocket;
  output = '';
  redraw = '';
  received = 0;
  ended: { reason: string; exitCode: number | null } | null = null;
  closeCode: number | null = null;
  acknowledge = true;
  readonly #opened: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string>) {
    this.socket = new WebSocket(url, { headers, rejectUnauthorized: false });
    this.#opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`refused: ${response.statusCode}`)),
      );
      this.socket.once('error', reject);
    });
    this.#opened.catch(() => {});
    this.socket.on('message', (data: Buffer) => {
      const body = data.subarray(1);
      if (data[0] === 0) {
        this.received += body.length;
        // Only the end is kept: a test of 50 MB must not hold 50 MB of text.
        this.output = (this.output + body.toString('latin1')).slice(-65536);
        if (this.acknowledge) this.sendAcknowledge(body.length);
      } else if (data[0] === 1) this.redraw = body.toString('utf8');
      else if (data[0] === 2) this.ended = JSON.parse(body.toString('utf8'));
      this.#wake();
    });
    this.socket.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
  }

  opened(): Promise<void> {
    return this.#opened;
  }

  // Types `text` (a keystroke frame).
  type(text: string): void {
    this.socket.send(Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]));
  }

  sendAcknowledge(bytes: number): void {
    const frame = Buffer.alloc(5);
    frame[0] = 2;
    frame.writeUInt32BE(bytes, 1);
    this.socket.send(frame);
  }

  resize(cols: number, rows: number): void {
    const frame = Buffer.alloc(5);
    frame[0] = 1;
    frame.writeUInt16BE(cols, 1);
    frame.writeUInt16BE(rows, 3);
    this.socket.send(frame);
  }

  // Waits (up to a deadline) for a condition on what was received.
  async waitFor(find: () => unknown, what: string, deadlineMs = 10_000): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (!find()) {
      if (Date.now() > end) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.output.slice(-300))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(200, end - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((wake) => wake());
  }
}
