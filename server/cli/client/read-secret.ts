import { UsageError } from '../cli-errors.ts';

// Everything on standard input, less one final newline (`--password-stdin`, as `docker
// login` reads it): a password from a file or a pipe, never from the command line, where
// every account on the machine could read it in /proc.
export async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) return promptSecret('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
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
