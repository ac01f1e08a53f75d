import { spawn } from 'node:child_process';
import { CoreError } from '../errors.ts';
import { say } from '../messages.ts';

// The outcome of an external tool that ran (whatever its exit code).
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

// A tool (a child, or a native read's thread: device-reads.ts) that did not answer by its
// deadline: it sleeps in the kernel (D state) on a device that stopped answering (a dying USB
// disk, a loop over a hung FUSE or NFS file). A child got SIGKILL, which only takes effect when
// the kernel lets go, a thread was abandoned; either is left behind, never awaited; `exited`
// settles when it finally ends.
export class ToolTimeoutError extends CoreError {
  readonly exited: Promise<void>;

  constructor(command: string, timeoutMs: number, exited: Promise<void>) {
    super('conflict', say('tools.timeout', { command, seconds: Math.round(timeoutMs / 100) / 10 }));
    this.exited = exited;
  }
}

const maxOutput = 1024 * 1024;

// Runs a system tool with an argument array (never a shell), a deadline and a fixed locale so
// its messages can be matched; resolves with its exit code, throws when it cannot start or
// misses its deadline. `fds` are passed to the child as its fds 3, 4… (a checked directory).
// spawn rather than execFile: execFile's timeout sends a signal and then waits for the child's
// end, which never comes from a process stuck in the kernel.
export function runTool(command: string, args: string[], timeoutMs = 30_000, fds: number[] = []): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', ...fds],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < maxOutput) stdout += text;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < maxOutput) stderr += text;
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      // Nothing of it may keep the daemon waiting or alive: its pipes and its handle go.
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.unref();
      reject(new ToolTimeoutError(command, timeoutMs, exited));
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new CoreError('internal-error', say('tools.cannotRun', { command, code: error.code ?? '' }), { cause: error }),
      );
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

// Runs a tool that must succeed; its first line of stderr becomes the error's message.
export async function runToolOrFail(command: string, args: string[], what: string): Promise<string> {
  const result = await runTool(command, args);
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n')[0] || say('tools.exitCode', { code: result.code });
    throw new CoreError('internal-error', say('tools.failed', { what, reason }));
  }
  return result.stdout;
}

// Runs at most `limit` tasks at once (statfs of 50 mounts must not start 50 threads at once).
// A dozen lines rather than a dependency such as p-limit for one call site.
export async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
