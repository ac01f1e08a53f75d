import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli-errors.ts';
import type { Target } from './api-client.ts';

// The machine's socket, as licornd serves it for root = "/".
export const defaultSocketPath = '/run/licorn/licornd.sock';

// What the command line and the environment say about where the daemon is.
export interface TargetOptions {
  url?: string;
  socket?: string;
  ca?: string;
}

// Where to send requests: `--url` (a remote daemon over HTTPS; `--ca FILE` trusts its
// self-signed certificate), else `--socket`, LICORN_SOCKET, the machine's socket, and last the
// demo's (`var/licornd.sock` beside the demo sandbox of this checkout, as `npm start` runs it).
export function getTarget(options: TargetOptions, projectDir: string, environment = process.env): Target {
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(`Invalid --url "${options.url}": give https://host:port`);
    }
    if (url.protocol !== 'https:') throw new UsageError(`Invalid --url "${options.url}": licornd speaks HTTPS only`);
    return { kind: 'remote', url, ...(options.ca ? { ca: readCertificate(options.ca) } : {}) };
  }
  const named = options.socket ?? environment.LICORN_SOCKET;
  if (named) return { kind: 'socket', socketPath: named };
  const demoSocket = join(projectDir, 'var/licornd.sock');
  const socketPath = !existsSync(defaultSocketPath) && existsSync(demoSocket) ? demoSocket : defaultSocketPath;
  return { kind: 'socket', socketPath };
}

function readCertificate(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`Cannot read --ca "${path}": ${(error as Error).message}`);
  }
}
