import { describe, expect, it } from 'vitest';
import { getSizeSequence, InsideInput } from '../../../server/web/local/inside-input.ts';

// Feeds chunks to an InsideInput; what the REPL would read, and the sizes it was told.
async function feed(chunks: string[]): Promise<{ text: string; sizes: string[]; error: string | null }> {
  const input = new InsideInput();
  let text = '';
  const sizes: string[] = [];
  let error: string | null = null;
  input.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  input.on('size', () => sizes.push(`${input.columns}x${input.rows}`));
  input.on('error', (failure) => {
    error = failure.message;
  });
  for (const chunk of chunks) input.write(Buffer.from(chunk, 'utf8'));
  input.end();
  await new Promise((resolve) => setImmediate(resolve));
  return { text, sizes, error };
}

describe('the get inside input', () => {
  it('reads the header, then keystrokes with window size changes taken out, even cut in two', async () => {
    const resize = getSizeSequence(132, 43);
    const got = await feed(['{"columns":100,"ro', 'ws":30}\nab', resize.slice(0, 9), `${resize.slice(9)}cé\r`]);
    expect(got).toEqual({ text: 'abcé\r', sizes: ['100x30', '132x43'], error: null });
  });

  it('lets other escape sequences through (arrows, another OSC)', async () => {
    const got = await feed(['{}\n', '\x1b[A\x1b]0;title\x07x']);
    expect(got.text).toBe('\x1b[A\x1b]0;title\x07x');
    expect(got.sizes).toEqual(['80x24']);
  });

  it('refuses a header that is not JSON or too long', async () => {
    expect((await feed(['hello\n'])).error).toBe('the client header is not JSON');
    expect((await feed(['x'.repeat(2000)])).error).toBe('the client header is too long');
  });
});
