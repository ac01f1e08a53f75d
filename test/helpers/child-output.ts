import type { ChildProcess } from 'node:child_process';

// How a child process ended, with everything it wrote.
export interface ChildEnd {
  code: number | null;
  stdout: string;
  stderr: string;
}

// What a child process wrote so far, and its end.
export interface ChildOutput {
  stdout(): string;
  stderr(): string;
  // Resolves when it ends: at `close` (its pipes drained too) or at `exit` (a daemon whose
  // own children may keep the pipes open).
  ended: Promise<ChildEnd>;
}

// Collects a child's piped stdout and stderr as text from now on, for the tests that spawn one.
export function collectOutput(child: ChildProcess, endsAt: 'close' | 'exit' = 'close'): ChildOutput {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const ended = new Promise<ChildEnd>((resolve) => {
    child.on(endsAt, (code: number | null) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, stderr: () => stderr, ended };
}
