import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, '../../helpers/terminal-fd-child.ts');

describe("a terminal's shell", () => {
  it('gets no descriptor beyond 0–2, even one the daemon inherited without close-on-exec', async () => {
    // fd 3 of the child: a pipe libuv leaves open across exec (the red team found fd 251).
    const daemon = spawn(process.execPath, ['--import', 'tsx', child], {
      stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
    });
    let out = '';
    daemon.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => daemon.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('listed');
    const fds = [...out.matchAll(/ (\d+) -> (.*)$/gm)].map((match) => Number(match[1]));
    expect(fds.length).toBeGreaterThan(0);
    expect(fds.filter((fd) => fd > 2)).toEqual([]);
  });
});
