import { UsageError } from '../cli-errors.ts';

// The longest password standard input may give, in bytes (the daemon refuses far less):
// `head -c 200M /dev/zero | licorn … --password-stdin` must not fill the client's memory.
export const maxStandardInputBytes = 4096;

// Everything on standard input, less one final newline (`--password-stdin`, as `docker
// login` reads it): a password from a file or a pipe, never from the command line, where
// every account on the machine could read it in /proc. Past maxStandardInputBytes (and a
// line end) it stops reading and refuses: a usage error.
export async function readStandardInput(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((input as NodeJS.ReadStream).isTTY) return promptSecret('Password: ');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of input) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length > maxStandardInputBytes + 2) break;
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (Buffer.byteLength(text) > maxStandardInputBytes) {
    (input as NodeJS.ReadStream).destroy?.();
    throw new UsageError(`the password on standard input is longer than ${maxStandardInputBytes} bytes`);
  }
  return text;
}

// Asks for one line on the terminal, shown as typed.
export async function promptLine(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(`${question.trim()} needs a terminal (or LICORN_TOKEN)`);
  // Loaded here: only a remote login without a token asks anything.
  const { createInterface } = await import('node:readline/promises');
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await reader.question(question);
  } finally {
    reader.close();
  }
}

// Asks for a secret on the terminal without echoing it (raw mode, restored whatever happens).
export function promptSecret(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new UsageError(`${question.trim()} needs a terminal`));
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish(null);
        if (character === '\u0003' || character === '\u0004') return finish(new UsageError('Cancelled'));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else if (character >= ' ') typed += character;
      }
    };
    input.on('data', onData);
  });
}
