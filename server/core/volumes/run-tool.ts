import { execFile } from 'node:child_process';
import { CoreError } from '../errors.ts';

// The outcome of an external tool that ran (whatever its exit code).
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Runs a system tool with an argument array (never a shell), a timeout and a fixed locale so
// its messages can be matched; resolves with its exit code, throws only when it cannot start.
export function runTool(command: string, args: string[], timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 1024 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (typeof code === 'string') {
          reject(new CoreError('internal-error', `cannot run ${command}: ${code}`, { cause: error }));
          return;
        }
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

// Runs a tool that must succeed; its first line of stderr becomes the error's message.
export async function runToolOrFail(command: string, args: string[], what: string): Promise<string> {
  const result = await runTool(command, args);
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.code}`;
    throw new CoreError('internal-error', `${what} failed: ${reason}`);
  }
  return result.stdout;
}

// Runs at most `limit` tasks at once (blkid over 50 devices must not fork 50 processes at once).
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
